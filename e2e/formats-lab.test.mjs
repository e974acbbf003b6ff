// Journeys through the Formats lab in real Chromium: one document in five formats with linked
// byte maps, a pasted .proto, and bytes decoded in the Decode tab (typed, or sent from the
// WebSocket lab), with errors at their place.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WsLabPage, baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const FORMATS = ["JSON", "XML", "Protobuf", "MessagePack", "CBOR"];

/** Page object for the Formats lab: actions and readings by visible label and role. */
class FormatsLabPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/formats", baseUrl).href);
    await this.panel("CBOR").waitFor();
  }
  panel(format) {
    return this.page.getByRole("region", { name: format, exact: true });
  }
  bytes(format) {
    return this.page.getByRole("region", { name: `${format} bytes`, exact: true });
  }
  /** Waits until the worker has answered and every panel shows that answer. */
  async settled() {
    await this.page.locator(".compare-main[aria-busy=false]").waitFor();
  }
  async size(format) {
    return ((await this.panel(format).getByTestId("wire-size").textContent()) ?? "").trim();
  }
  async setSource(text) {
    await this.page.getByLabel("Source (JSON)").fill(text);
    await this.page.getByLabel("Source (JSON)").press("Control+Enter");
  }
  async tab(name) {
    await this.page.getByRole("tab", { name, exact: true }).click();
  }
}

async function newLab(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1100 }, colorScheme });
  const page = await context.newPage();
  const lab = new FormatsLabPage(page);
  await lab.open();
  return lab;
}

test("a sample gives five panels with their sizes, and a chosen field lights up in each", async () => {
  const lab = await newLab();
  await lab.page.getByLabel("Sample").selectOption("Sensor reading");
  await lab.settled();
  const sizes = {};
  for (const format of FORMATS) {
    sizes[format] = await lab.size(format);
    assert.match(sizes[format], /^\d+ B/, `${format} shows its size: ${sizes[format]}`);
  }
  const bytesOf = (size) => Number.parseInt(size, 10);
  assert.ok(bytesOf(sizes.Protobuf) < bytesOf(sizes.MessagePack), `Protobuf is smaller than MessagePack: ${JSON.stringify(sizes)}`);
  assert.ok(bytesOf(sizes.MessagePack) < bytesOf(sizes.JSON), `MessagePack is smaller than JSON: ${JSON.stringify(sizes)}`);
  assert.ok(bytesOf(sizes.JSON) < bytesOf(sizes.XML), `JSON is smaller than XML: ${JSON.stringify(sizes)}`);
  await lab.page.getByRole("img", { name: /^Sizes:/ }).waitFor();

  await lab.page.getByRole("list", { name: "Fields" }).getByRole("button", { name: /^location/ }).click();
  for (const format of FORMATS) {
    const lit = await lab.bytes(format).locator(".sel").count();
    assert.ok(lit > 0, `${format} lights up the bytes of location`);
  }
  // Pointing at a Protobuf byte says which field it belongs to and what it does there.
  await lab.bytes("Protobuf").locator(".cell.sel").first().hover();
  const status = (await lab.panel("Protobuf").locator(".byte-status").textContent()) ?? "";
  assert.match(status, /location/, status);
  await lab.page.screenshot({ path: screenshotPath("formats-compare"), fullPage: true });
});

test("the Compare tab reads well in dark mode", async () => {
  const lab = await newLab("dark");
  await lab.page.getByLabel("Sample").selectOption("Nested order");
  await lab.page.getByRole("list", { name: "Fields" }).getByRole("button", { name: /^items/ }).click();
  await lab.bytes("CBOR").locator(".sel").first().waitFor();
  await lab.page.screenshot({ path: screenshotPath("formats-compare-dark") });
});

test("a pasted .proto and message type give the Protobuf panel; a broken one shows its line and column", async () => {
  const lab = await newLab();
  await lab.setSource('{"title": "x", "count": 3}');
  const schema = lab.page.getByLabel(".proto schema");
  await schema.fill('syntax = "proto3";\npackage notes;\nmessage Note {\n  string title = 1;\n  int32 count = 2;\n}\n');
  await lab.page.getByLabel("Message type").selectOption("notes.Note");
  // title: tag 0a, length 01, "x"; count: tag 10, value 03.
  await lab.panel("Protobuf").getByTestId("wire-size").filter({ hasText: /^5 B/ }).waitFor();
  const hex = (await lab.bytes("Protobuf").textContent()) ?? "";
  assert.match(hex, /0a\s*01\s*78\s*10\s*03/, hex);

  await schema.fill('syntax = "proto3";\nmessage Note {\n  strin title = 1;\n}\n');
  const error = lab.panel("Protobuf").getByRole("alert").first();
  await error.waitFor();
  assert.match((await error.textContent()) ?? "", /line 3, column \d+/);
  assert.equal(await schema.inputValue(), 'syntax = "proto3";\nmessage Note {\n  strin title = 1;\n}\n', "the schema is kept as typed");
  await lab.page.screenshot({ path: screenshotPath("formats-proto-error") });
});

test("pasted hex Protobuf with a packed field decodes without a schema", async () => {
  const lab = await newLab();
  await lab.tab("Decode");
  // Field 1 = "Lab B"; field 7 = packed varints 3, 150, 7.
  await lab.page.getByLabel("Bytes (hex or base64)").fill("0a 05 4c 61 62 20 42 3a 04 03 96 01 07");
  await lab.page.getByLabel("Decode as").selectOption("protobuf-raw");
  const readings = lab.page.locator(".readings pre");
  await readings.waitFor();
  const text = (await readings.textContent()) ?? "";
  assert.match(text, /"Lab B"/, text);
  assert.match(text, /packed/i, text);
  assert.match(text, /3, 150, 7/, text);
  await lab.page.screenshot({ path: screenshotPath("formats-decode-packed") });
});

test("malformed hex and truncated bytes say exactly where, and keep the input", async () => {
  const lab = await newLab();
  await lab.tab("Decode");
  const input = lab.page.getByLabel("Bytes (hex or base64)");
  await input.fill("08 96 0g");
  await lab.page.getByRole("alert").filter({ hasText: "column 8" }).waitFor();

  await input.fill("08 96 01 12 05 61 62");
  await lab.page.getByLabel("Decode as").selectOption("protobuf-raw");
  const alert = lab.page.getByRole("alert").filter({ hasText: "byte 4" });
  await alert.waitFor();
  assert.equal(await input.inputValue(), "08 96 01 12 05 61 62");
  await lab.page.screenshot({ path: screenshotPath("formats-decode-error") });
});

test("a binary WebSocket message opens in the Decode tab with its format guessed", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const ws = new WsLabPage(page);
  await ws.open();
  await ws.connect();
  // CBOR: a map {"a": 1}.
  await ws.send("a1 61 61 01", { as: "hex" });
  await ws.message("received", "binary", "a1").waitFor();
  await page.locator(".log-message[data-direction=received]").first().getByRole("button").click();
  await page.getByRole("button", { name: "Decode as…" }).click();
  await page.waitForURL(/\/formats$/);
  // The Formats lab's module may still be loading: wait for the decode, then read the input.
  await page.getByText("Decoded 4 B as CBOR").waitFor();
  assert.equal(await page.getByLabel("Bytes (hex or base64)").inputValue(), "a1 61 61 01");
  await page.screenshot({ path: screenshotPath("formats-decode-from-ws") });
});

test("encoding and decoding run in the formats worker, and a big file decodes there too", async () => {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
  const page = await context.newPage();
  const workers = [];
  page.on("worker", (worker) => workers.push(worker.url()));
  const lab = new FormatsLabPage(page);
  await lab.open();
  assert.ok(workers.some((url) => url.endsWith("/formats_engine_loader.js")), `workers started: ${workers.join(", ")}`);
  assert.equal(await page.getByText("on the page, not in the background").count(), 0);

  // A 1.6 MB JSON document from the server, picked as a file in the Decode tab.
  const response = await fetch(new URL("/json?records=5000", baseUrl));
  const file = { name: "readings.json", mimeType: "application/json", buffer: Buffer.from(await response.arrayBuffer()) };
  await lab.tab("Decode");
  await page.locator(".decode input[type=file]:not([accept])").setInputFiles(file);
  await page.getByText(/Decoded 1\.\d MiB as JSON/).waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: /readings \[5000\]/ }).waitFor();
  assert.equal(await page.getByText("on the page, not in the background").count(), 0);
  await context.close();
});
