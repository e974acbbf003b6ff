// Journeys through the IoT lab's Telemetry tab in real Chromium against wirelab-server's
// /ws/telemetry: connect, readings plotted (the canvas's pixels change and it counts the points it
// drew), the encoding switched on the open stream and bytes per reading following it, pause
// freezing the plot and resume starting it again, each encoding measured in turn, the MQTT tab
// one keystroke away, the readings held exported as CSV (read from the download). Screenshots in
// light and dark.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Page object for the Telemetry tab: actions and readings by visible label and role. */
class TelemetryPage {
  constructor(page) {
    this.page = page;
    /** The Telemetry tab's panel (the MQTT tab beside it has labels of its own). */
    this.panel = page.locator("#iot-panel-telemetry");
    this.canvas = this.panel.locator(".iot-plot canvas");
  }
  async open() {
    await this.page.goto(new URL("/iot", baseUrl).href);
    await this.page.getByRole("button", { name: "Connect", exact: true }).waitFor({ timeout: 20_000 });
  }
  status() {
    return this.page.getByTestId("telemetry-status");
  }
  async connect({ devices = "4", rate = "25", encoding = "json" } = {}) {
    await this.panel.getByLabel("Devices", { exact: true }).fill(devices);
    await this.panel.getByLabel("Rate (readings/s per device)").fill(rate);
    await this.panel.getByLabel("Encoding", { exact: true }).selectOption(encoding);
    await this.page.getByRole("button", { name: "Connect", exact: true }).click();
    await this.status().filter({ hasText: "streaming" }).waitFor({ timeout: 10_000 });
  }
  /** A stat's value text (`data-stat` key). */
  async stat(key) {
    return (await this.page.locator(`[data-stat=${key}] dd`).textContent()) ?? "";
  }
  async statLabel(key) {
    return (await this.page.locator(`[data-stat=${key}] dt`).textContent()) ?? "";
  }
  async number(key) {
    return Number.parseFloat((await this.stat(key)).replace(/[^\d.]/g, ""));
  }
  async pointsDrawn() {
    return Number(await this.canvas.getAttribute("data-points"));
  }
  async pixels() {
    return this.canvas.evaluate((canvas) => canvas.toDataURL());
  }
  /** Waits until `condition` (async) holds, polling. */
  async until(what, condition, timeout = 10_000) {
    const deadline = Date.now() + timeout;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await this.page.waitForTimeout(100);
    }
  }
}

async function newPage(colorScheme) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, colorScheme });
  return context.newPage();
}

for (const colorScheme of ["light", "dark"]) {
  test(`a stream is plotted live, switched to Protobuf, paused and resumed (${colorScheme})`, async () => {
    const page = await newPage(colorScheme);
    const lab = new TelemetryPage(page);
    await lab.open();
    // Before connecting: the empty state says what to do.
    assert.match(await page.getByTestId("plot-empty").textContent(), /Not connected/);
    const exportCsv = lab.panel.getByRole("button", { name: "Export CSV" });
    assert.ok(await exportCsv.isDisabled(), "nothing to export before the first reading");
    assert.match(await exportCsv.getAttribute("title"), /^Nothing to export yet/);
    await page.screenshot({ path: screenshotPath(`iot-telemetry-empty-${colorScheme}`), fullPage: true });

    await lab.connect({ devices: "4", rate: "25", encoding: "json" });
    assert.equal(await page.getByTestId("total-rate").textContent(), "= 100 readings/s in all");
    await lab.until("points on the plot", async () => (await lab.pointsDrawn()) > 40);
    const before = await lab.pixels();
    await page.waitForTimeout(400);
    assert.notEqual(await lab.pixels(), before, "the plot moves while readings arrive");
    await lab.until("a second's rate", async () => (await lab.number("messages-per-second")) >= 60);
    await page.locator(".iot-device").filter({ hasText: "sensor-04" }).waitFor();
    assert.equal(await page.locator(".iot-devices input[type=checkbox]").count(), 4, "one checkbox per device");
    for (const part of ["p50", "p95", "max"]) assert.match(await lab.stat(`latency-${part}`), /^[\d.]+ ms$/);
    assert.match(await page.getByTestId("plot-latency").textContent(), /^Server send → first drawn: p50/);
    assert.match(await lab.statLabel("bytes-per-reading"), /JSON/);
    const jsonBytes = await lab.number("bytes-per-reading");
    assert.ok(jsonBytes > 100 && jsonBytes < 200, `a JSON reading is about 130 bytes, not ${jsonBytes}`);

    // The encoding changes on the open stream: the same connection, smaller readings.
    await lab.panel.getByLabel("Encoding", { exact: true }).selectOption("protobuf");
    await lab.until("Protobuf readings", async () => (await lab.statLabel("bytes-per-reading")).includes("Protobuf") && (await lab.stat("bytes-per-reading")) !== "–");
    const protobufBytes = await lab.number("bytes-per-reading");
    assert.ok(protobufBytes < jsonBytes / 2, `Protobuf (${protobufBytes} B) is under half of JSON (${jsonBytes} B)`);
    const row = (encoding) => page.locator(`.iot-compare-table tr[data-encoding=${encoding}]`);
    assert.match(await row("json").getByTestId("measured").textContent(), /^\d/);
    assert.match(await row("protobuf").getByTestId("measured").textContent(), /^\d/);
    assert.match(await row("cbor").getByTestId("computed").textContent(), /^\d+ B$/);

    // Another field of the same readings.
    await page.getByRole("radio", { name: "Humidity (%)" }).check();
    await page.getByRole("heading", { name: "Humidity of each device, last ten seconds" }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshotPath(`iot-telemetry-streaming-${colorScheme}`), fullPage: true });

    // Pause: the server stops, the plot stands still where it was.
    await page.getByRole("button", { name: "Pause", exact: true }).click();
    await lab.status().filter({ hasText: "paused" }).waitFor();
    await page.waitForTimeout(500);
    const received = await lab.number("received");
    const frozen = await lab.pixels();
    await page.waitForTimeout(600);
    assert.equal(await lab.pixels(), frozen, "a paused plot does not move");
    assert.equal(await lab.number("received"), received, "no readings while paused");

    // Export CSV: every reading held, one row each, from the download itself.
    const [download] = await Promise.all([page.waitForEvent("download"), exportCsv.click()]);
    assert.equal(download.suggestedFilename(), "wirelab-telemetry.csv");
    const csv = await readFile(await download.path(), "utf8");
    const lines = csv.split("\r\n");
    assert.equal(lines[0], "device,seq,sent_at_us,received_at_ms,temperature_c,humidity_percent,battery_percent,fault");
    assert.equal(lines.at(-1), "", "CRLF after every record");
    const rows = lines.slice(1, -1);
    assert.ok(rows.length > 0 && rows.length <= received, `${rows.length} rows for ${received} readings received`);
    for (const row of rows) assert.match(row, /^sensor-0[1-4],\d+,\d{16},\d+\.\d{3},-?[\d.]+,[\d.]+,[\d.]+,/);
    assert.deepEqual(new Set(rows.map((row) => row.split(",")[0])).size, 4, "every device's readings");
    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await lab.status().filter({ hasText: "streaming" }).waitFor();
    await lab.until("readings again", async () => (await lab.number("received")) > received + 20);
    assert.equal(await lab.number("dropped"), 0, "a page that keeps up loses nothing at 100 readings/s");

    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await lab.status().filter({ hasText: "not connected" }).waitFor();
    await page.context().close();
  });
}

test("each encoding is measured on the same stream, then the stream goes back to the chosen one", async () => {
  const page = await newPage("light");
  const lab = new TelemetryPage(page);
  await lab.open();
  await lab.connect({ devices: "2", rate: "50", encoding: "msgpack" });
  await page.getByRole("button", { name: "Measure each encoding" }).click();
  await page.getByText(/^Measuring JSON \(1 of 5\)/).waitFor();
  await page.getByRole("button", { name: "Measure each encoding" }).and(page.locator(":enabled")).waitFor({ timeout: 15_000 });
  const sizes = {};
  for (const encoding of ["json", "xml", "protobuf", "msgpack", "cbor"]) {
    const text = await page.locator(`.iot-compare-table tr[data-encoding=${encoding}]`).getByTestId("measured").textContent();
    assert.match(text, /^\d/, `${encoding} measured: ${text}`);
    sizes[encoding] = Number.parseFloat(text);
  }
  assert.ok(sizes.xml > sizes.json && sizes.json > sizes.msgpack && sizes.msgpack > sizes.protobuf, JSON.stringify(sizes));
  await lab.until("MessagePack again", async () => (await lab.statLabel("bytes-per-reading")).includes("MessagePack"));
  await page.screenshot({ path: screenshotPath("iot-telemetry-compared-light"), fullPage: true });
  await page.context().close();
});

test("the form's mistakes are said in the bar, and Alt+Shift+2 shows the MQTT tab", async () => {
  const page = await newPage("light");
  const lab = new TelemetryPage(page);
  await lab.open();
  await lab.panel.getByLabel("Devices", { exact: true }).fill("0");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  assert.match(await page.locator(".iot-connect [role=alert]").textContent(), /Devices must be a whole number/);
  await page.keyboard.press("Alt+Shift+Digit2");
  await page.getByRole("tab", { name: "MQTT", selected: true }).waitFor();
  await page.keyboard.press("Alt+Shift+Digit1");
  await page.getByRole("tab", { name: "Telemetry", selected: true }).waitFor();
  // The arrow keys, End and Home move along the tabs, and the focus with them.
  await page.getByRole("tab", { name: "Telemetry" }).focus();
  for (const [key, name] of [["ArrowRight", "MQTT"], ["ArrowRight", "Telemetry"], ["End", "MQTT"], ["Home", "Telemetry"], ["ArrowLeft", "MQTT"]]) {
    await page.keyboard.press(key);
    await page.getByRole("tab", { name, selected: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), name, `${key} focuses ${name}`);
  }
  await page.context().close();
});
