// A HAR round trip in real Chromium: the HTTP lab's history exported (read back as JSON and, when
// `cargo xtask setup` made it, by Python's haralyzer), imported into a fresh browser and replayed;
// an unreadable file refused with its line and column while the history stays; HARs recorded by
// Chromium itself (Playwright's recordHar, and the DevTools protocol's Network events turned into
// HAR by chrome-har) imported; the WebSocket lab's connection exported with _webSocketMessages.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { harFromMessages } from "chrome-har";
import { WsLabPage, baseUrl, launch, screenshotPath } from "./support.mjs";

const FILE_NAME = /^wirelab-\d{8}-\d{6}\.har$/;

let browser;
let scratch;
before(async () => {
  browser = await launch();
  scratch = mkdtempSync(join(tmpdir(), "wirelab-har-"));
});
after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Page object for the HTTP lab's request bar and history panel. */
class HttpLabPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/http", baseUrl).href);
    await this.page.getByRole("button", { name: "Send", exact: true }).waitFor();
  }
  async send(method, path, jsonBody) {
    await this.page.getByLabel("Method", { exact: true }).fill(method);
    await this.page.getByLabel("URL", { exact: true }).fill(new URL(path, baseUrl).href);
    await this.page.getByRole("tab", { name: "Body", exact: true }).click();
    await this.page.getByLabel("Body type").selectOption(jsonBody === undefined ? "none" : "json");
    if (jsonBody !== undefined) {
      await this.page.getByLabel("Body", { exact: true }).fill(jsonBody);
    }
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
    await this.page.getByTestId("response-status").waitFor();
    await this.page.locator(".history-status").first().filter({ hasNotText: "…" }).waitFor();
  }
  historyItems() {
    return this.page.locator(".history-item");
  }
  /** Clicks Export HAR and returns the download's name and parsed JSON. */
  async exportHar() {
    const [download] = await Promise.all([
      this.page.waitForEvent("download"),
      this.page.getByRole("button", { name: "Export HAR", exact: true }).click(),
    ]);
    const path = join(scratch, download.suggestedFilename());
    await download.saveAs(path);
    return { name: download.suggestedFilename(), path, har: JSON.parse(readFileSync(path, "utf8")) };
  }
  /** Picks a file for Import HAR and waits for what it says. */
  async importHar(name, text) {
    // Big files go by path (Playwright sends a buffer whole over its protocol).
    const path = join(scratch, "import", name);
    mkdirSync(join(scratch, "import"), { recursive: true });
    writeFileSync(path, text);
    await this.page.getByLabel("Import HAR").setInputFiles(path);
    const notice = this.page.getByTestId("har-notice");
    await notice.filter({ hasText: name }).waitFor({ timeout: 120_000 });
    return notice;
  }
}

async function newContext(colorScheme = "light", options = {}) {
  return browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme, acceptDownloads: true, ...options });
}

async function newLab(context) {
  const lab = new HttpLabPage(await context.newPage());
  await lab.open();
  return lab;
}

/** What haralyzer reads in the file, or null when its Python is not there (WIRELAB_HAR_PYTHON). */
function haralyzer(path) {
  const python = process.env.WIRELAB_HAR_PYTHON ?? join(import.meta.dirname, "..", "target", "tools", "py-har", "bin", "python");
  const script = `
import json, sys
from haralyzer import HarParser
parser = HarParser.from_file(sys.argv[1])
print(json.dumps([[e.request.method, e.url, e.status, e.response.mimeType, e.timings["wait"]] for page in parser.pages for e in page.entries]))
`;
  const run = spawnSync(python, ["-c", script, path], { encoding: "utf8" });
  if (run.error?.code === "ENOENT") return null;
  assert.equal(run.status, 0, `haralyzer failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test("the HTTP lab's history goes out as HAR and comes back into a fresh browser, ready to replay", async () => {
  const sending = await newContext("light");
  const lab = await newLab(sending);
  await lab.send("GET", "/json");
  await lab.send("POST", "/anything/orders", '{"order": 42, "items": ["tea"]}');
  await lab.send("GET", "/bytes/64?seed=7");
  const { name, path, har } = await lab.exportHar();
  assert.match(name, FILE_NAME);
  assert.equal(har.log.version, "1.2");
  assert.equal(har.log.creator.name, "Wirelab");
  const entries = har.log.entries;
  assert.deepEqual(
    entries.map((entry) => `${entry.request.method} ${new URL(entry.request.url).pathname} ${entry.response.status}`),
    ["GET /json 200", "POST /anything/orders 200", "GET /bytes/64 200"],
  );
  assert.deepEqual(JSON.parse(entries[1].request.postData.text), { order: 42, items: ["tea"] });
  assert.equal(entries[1].request.postData.mimeType, "application/json");
  const binary = entries[2].response.content;
  assert.equal(binary.encoding, "base64");
  assert.equal(Buffer.from(binary.text, "base64").length, 64);
  for (const entry of entries) {
    assert.ok(entry.timings.wait >= 0 && entry.timings.receive >= 0, "wait and receive are times");
    assert.ok(Math.abs(entry.time - Object.entries(entry.timings)
      .filter(([phase, ms]) => phase !== "ssl" && ms >= 0).reduce((sum, [, ms]) => sum + ms, 0)) < 0.01, "time is the sum of the timings");
    assert.equal(entry._resourceType, "fetch");
  }
  const read = haralyzer(path);
  if (read) {
    assert.deepEqual(read.map(([method, url, status]) => `${method} ${new URL(url).pathname} ${status}`),
      ["GET /json 200", "POST /anything/orders 200", "GET /bytes/64 200"]);
    assert.equal(read[2][3], "application/octet-stream");
  }
  await lab.page.screenshot({ path: screenshotPath("har-export-light") });
  await sending.close();

  const receiving = await newContext("dark");
  const fresh = await newLab(receiving);
  assert.equal(await fresh.historyItems().count(), 0, "a fresh browser starts with no history");
  const notice = await fresh.importHar(name, readFileSync(path, "utf8"));
  assert.match(await notice.textContent(), /Imported 3 entries from wirelab-/);
  assert.equal(await notice.getAttribute("role"), "status");
  assert.equal(await fresh.historyItems().count(), 3);
  await fresh.page.screenshot({ path: screenshotPath("har-import-dark") });

  // Replay the POST: it lands in the editor as it was sent, and sends again.
  await fresh.historyItems().filter({ hasText: "/anything/orders" }).click();
  assert.equal(await fresh.page.getByLabel("Method", { exact: true }).inputValue(), "POST");
  await fresh.page.getByRole("button", { name: "Send", exact: true }).click();
  await fresh.page.getByTestId("response-status").filter({ hasText: "200" }).waitFor();
  await fresh.page.getByRole("tab", { name: "Raw", exact: true }).click();
  const echoed = JSON.parse(await fresh.page.getByTestId("response-raw").textContent());
  assert.equal(echoed.method, "POST");
  assert.deepEqual(echoed.json, { order: 42, items: ["tea"] });
  assert.equal(await fresh.historyItems().count(), 4);

  // An unreadable file: its message names the place, and the history stays as it was.
  const refused = await fresh.importHar("broken.har", '{"log": {"entries": [\n  {"request": }\n]}}');
  assert.equal(await refused.getAttribute("role"), "alert");
  assert.match(await refused.textContent(), /broken\.har could not be imported: this file is not valid JSON \(expected value at line 2, column 15\)\. The history is unchanged\./);
  assert.equal(await fresh.historyItems().count(), 4);
  await fresh.page.screenshot({ path: screenshotPath("har-import-refused-dark") });
  await receiving.close();
});

/** Requests a page makes on the server: a navigation, a JSON POST and a binary GET by fetch. */
async function browseTheServer(page) {
  await page.goto(new URL("/get?from=chromium", baseUrl).href);
  await page.evaluate(async () => {
    await fetch("/post", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"recorded": true}' });
    await (await fetch("/bytes/16")).arrayBuffer();
    await new Promise((resolve) => {
      const socket = new WebSocket(`${location.origin.replace("http", "ws")}/ws/echo`);
      socket.onopen = () => socket.send("over the socket");
      socket.onmessage = () => {
        socket.close();
        resolve();
      };
      socket.onerror = () => resolve();
    });
  });
}

test("HARs recorded by Chromium itself import: Playwright's recordHar and the DevTools protocol's", async () => {
  // Playwright records the HAR from Chromium's own network events.
  const recordedPath = join(scratch, "playwright.har");
  const recording = await newContext("light", { recordHar: { path: recordedPath, content: "embed" } });
  await browseTheServer(await recording.newPage());
  await recording.close();
  const recorded = readFileSync(recordedPath, "utf8");

  // The DevTools protocol's Network and Page events, as DevTools itself sees them, made into a HAR by chrome-har.
  const watched = await newContext("light");
  const page = await watched.newPage();
  const devtools = await watched.newCDPSession(page);
  const messages = [];
  for (const method of [
    "Page.frameStartedLoading", "Page.frameRequestedNavigation", "Page.navigatedWithinDocument", "Page.domContentEventFired",
    "Page.loadEventFired", "Network.requestWillBeSent", "Network.requestServedFromCache", "Network.dataReceived",
    "Network.responseReceived", "Network.resourceChangedPriority", "Network.loadingFinished", "Network.loadingFailed",
    "Network.requestWillBeSentExtraInfo", "Network.responseReceivedExtraInfo", "Network.webSocketCreated",
    "Network.webSocketWillSendHandshakeRequest", "Network.webSocketHandshakeResponseReceived",
    "Network.webSocketFrameSent", "Network.webSocketFrameReceived", "Network.webSocketClosed",
  ]) {
    devtools.on(method, (params) => messages.push({ method, params }));
  }
  await devtools.send("Page.enable");
  await devtools.send("Network.enable");
  await browseTheServer(page);
  await page.waitForTimeout(200);
  await watched.close();
  const fromDevtools = JSON.stringify(harFromMessages(messages, { includeTextFromResponseBody: false }));

  const context = await newContext("light");
  const lab = await newLab(context);
  // The Playwright file goes in last, so its requests are the newest in the history.
  for (const [name, text] of [["devtools.har", fromDevtools], ["playwright.har", recorded]]) {
    const har = JSON.parse(text);
    const http = har.log.entries.filter((entry) => entry.request.url.startsWith("http"));
    assert.ok(http.length >= 3, `${name} recorded the navigation and both fetches (${http.length})`);
    const notice = await lab.importHar(name, text);
    const said = await notice.textContent();
    assert.match(said, new RegExp(`Imported \\d+ (of the \\d+ entries in|entries from) ${name.replace(".", "\\.")}`), said);
    assert.equal(await notice.getAttribute("role"), "status", said);
  }
  const labels = await lab.historyItems().allTextContents();
  for (const path of ["/get?from=chromium", "/post", "/bytes/16"]) {
    assert.equal(labels.filter((label) => label.includes(path)).length, 2, `${path} came from both files: ${labels.join(" | ")}`);
  }
  // The POST Playwright recorded replays with its JSON body.
  await lab.historyItems().filter({ hasText: "/post" }).first().click();
  await lab.page.getByRole("button", { name: "Send", exact: true }).click();
  await lab.page.getByTestId("response-status").filter({ hasText: "200" }).waitFor();
  await lab.page.getByRole("tab", { name: "Raw", exact: true }).click();
  assert.deepEqual(JSON.parse(await lab.page.getByTestId("response-raw").textContent()).json, { recorded: true });
  await lab.page.screenshot({ path: screenshotPath("har-import-chromium-light") });
  await context.close();
});

test("a 50 MB HAR imports what fits and says what was left out (measured: time and longest task)", async () => {
  const body = Buffer.alloc(18_000, 7).toString("base64");
  const entries = Array.from({ length: 2_000 }, (_, index) => ({
    startedDateTime: new Date(Date.UTC(2026, 10, 30, 9, 0, 0, index)).toISOString(),
    time: 12.5,
    request: { method: "GET", url: `${new URL(`/anything/big/${index}`, baseUrl).href}`, httpVersion: "HTTP/1.1", headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 200, statusText: "OK", httpVersion: "HTTP/1.1", headers: [], cookies: [], redirectURL: "", headersSize: -1, bodySize: 24_000,
      content: { size: 18_000, mimeType: "application/octet-stream", encoding: "base64", text: body } },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 10, receive: 2.5 },
  }));
  const text = JSON.stringify({ log: { version: "1.2", creator: { name: "a test", version: "1" }, entries } });
  assert.ok(text.length > 48_000_000, `${text.length} bytes`);
  const context = await newContext("light");
  const lab = await newLab(context);
  await lab.page.evaluate(() => {
    window.longestTask = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longestTask = Math.max(window.longestTask, entry.duration);
    }).observe({ type: "longtask" });
  });
  const started = Date.now();
  const notice = await lab.importHar("big.har", text);
  const elapsed = Date.now() - started;
  assert.match(await notice.textContent(),
    /Imported 200 of the 2000 entries in big\.har .* 1800 left out: the history holds at most 200 requests and had room for 200;/);
  assert.equal(await lab.historyItems().count(), 200);
  const longest = await lab.page.evaluate(() => window.longestTask);
  console.log(`HAR import of ${(text.length / 1e6).toFixed(1)} MB, 2,000 entries: ${elapsed} ms to the notice, longest task ${Math.round(longest)} ms`);
  await context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`the WebSocket lab exports its connection with _webSocketMessages (${colorScheme})`, async () => {
    const context = await newContext(colorScheme);
    const page = await context.newPage();
    const lab = new WsLabPage(page);
    await lab.open();
    await lab.connect();
    await lab.send("hello har");
    await lab.message("received", "text", "hello har").waitFor();
    await lab.send("de ad be ef", { as: "hex" });
    await lab.message("received", "binary", "de ad be ef").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export HAR", exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), FILE_NAME);
    const path = join(scratch, `ws-${colorScheme}.har`);
    await download.saveAs(path);
    const [entry] = JSON.parse(readFileSync(path, "utf8")).log.entries;
    assert.equal(entry._resourceType, "websocket");
    assert.match(entry.request.url, /^ws:\/\/.*\/ws\/echo/);
    assert.equal(entry.response.status, 101);
    assert.deepEqual(
      entry._webSocketMessages.map(({ type, opcode, data }) => `${type} ${opcode} ${data}`),
      ["send 1 hello har", "receive 1 hello har", "send 2 3q2+7w==", "receive 2 3q2+7w=="],
    );
    for (const message of entry._webSocketMessages) {
      assert.ok(Math.abs(message.time - Date.now() / 1000) < 120, "times are seconds since the epoch");
    }
    await page.screenshot({ path: screenshotPath(`har-ws-export-${colorScheme}`) });
    await context.close();
  });
}
