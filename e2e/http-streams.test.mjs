// Journeys through the HTTP lab's streams in real Chromium against wirelab-server: /drip arriving
// chunk by chunk with its times, /stream/5 as five lines, /sse parsed from the raw bytes, Cancel
// mid-stream, and the browser's own EventSource resuming after the server ends each response.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Page object for the HTTP lab's streams: actions and readings by visible label, role and test id. */
class StreamsPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/http", baseUrl).href);
    await this.page.getByRole("button", { name: "Send", exact: true }).waitFor();
  }
  url(path) {
    return new URL(path, baseUrl).href;
  }
  async get(path) {
    await this.page.getByLabel("URL", { exact: true }).fill(this.url(path));
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }
  summary() {
    return this.page.getByTestId("stream-summary");
  }
  /** The chunk rows: arrival time (ms since sending) and size. */
  async chunks() {
    return this.page.locator(".stream-chunk").evaluateAll((rows) =>
      rows.map((row) => ({ at: Number(row.dataset.atMs), size: Number(row.dataset.size) })),
    );
  }
  async openEventSource(path) {
    await this.page.getByLabel("EventSource URL", { exact: true }).fill(this.url(path));
    await this.page.getByRole("button", { name: "Open", exact: true }).click();
  }
  esState() {
    return this.page.getByTestId("es-state");
  }
  /** The EventSource log's messages: type, lastEventId, data as JSON. */
  async esMessages() {
    return this.page.locator(".es-message").evaluateAll((rows) =>
      rows.map((row) => ({
        type: row.dataset.type,
        id: row.dataset.id,
        data: JSON.parse(row.querySelector(".es-data").textContent),
      })),
    );
  }
}

async function newPage(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 }, colorScheme });
  const streams = new StreamsPage(await context.newPage());
  await streams.open();
  return streams;
}

for (const colorScheme of ["light", "dark"]) {
  test(`a drip arrives chunk by chunk with increasing times (${colorScheme})`, async () => {
    const lab = await newPage(colorScheme);
    await lab.get("/drip?numbytes=6&duration=1.8&delay=0");
    // Mid-stream: some chunks shown, the request still in flight.
    await lab.page.locator(".stream-chunk").nth(1).waitFor({ timeout: 5_000 });
    assert.ok(await lab.page.getByRole("button", { name: "Cancel", exact: true }).isVisible(), "still arriving");
    assert.match(await lab.summary().textContent(), /receiving/);
    await lab.page.screenshot({ path: screenshotPath(`http-streams-drip-arriving-${colorScheme}`) });

    await lab.summary().filter({ hasText: "complete" }).waitFor({ timeout: 10_000 });
    const chunks = await lab.chunks();
    assert.equal(chunks.reduce((sum, chunk) => sum + chunk.size, 0), 6, "every byte arrived");
    assert.ok(chunks.length >= 4, `the drip came in pieces: ${JSON.stringify(chunks)}`);
    for (let i = 1; i < chunks.length; i++) {
      assert.ok(chunks[i].at >= chunks[i - 1].at, `times increase: ${JSON.stringify(chunks)}`);
    }
    const spread = chunks.at(-1).at - chunks[0].at;
    assert.ok(spread > 900, `the chunks spread over the 1.8 s duration, not at once: ${spread} ms`);
    assert.equal(await lab.page.getByRole("tab", { name: "As it arrived" }).getAttribute("aria-selected"), "true");
    await lab.page.getByRole("tab", { name: "Raw", exact: true }).click();
    assert.equal(await lab.page.getByTestId("response-raw").textContent(), "******", "the whole body in Raw");
    await lab.page.getByRole("tab", { name: "As it arrived" }).click();
    await lab.page.screenshot({ path: screenshotPath(`http-streams-drip-done-${colorScheme}`) });
    await lab.page.context().close();
  });
}

test("/stream/5 shows five NDJSON lines", async () => {
  const lab = await newPage();
  await lab.get("/stream/5");
  await lab.summary().filter({ hasText: "complete" }).waitFor({ timeout: 10_000 });
  assert.equal(await lab.page.getByTestId("stream-line-count").textContent(), "5");
  const lines = await lab.page.locator(".stream-line td.stream-bytes").allTextContents();
  assert.deepEqual(lines.map((line) => JSON.parse(line).id), [0, 1, 2, 3, 4]);
  await lab.page.context().close();
});

test("/sse read with fetch shows retry, ids and event types from the raw bytes", async () => {
  const lab = await newPage();
  await lab.get("/sse?count=5&interval_ms=50&retry_ms=700");
  await lab.summary().filter({ hasText: "complete" }).waitFor({ timeout: 10_000 });
  const events = await lab.page.locator(".stream-event").evaluateAll((rows) =>
    rows.map((row) => `${row.dataset.id || "-"}:${row.dataset.type}`),
  );
  assert.deepEqual(events, ["-:message", "1:tick", "2:tick", "3:tick", "4:tick", "5:milestone"]);
  assert.match(await lab.page.locator(".stream-event.no-dispatch").textContent(), /retry: 700 ms/);
  await lab.page.context().close();
});

test("Cancel stops a stream mid-way and keeps what arrived", async () => {
  const lab = await newPage();
  await lab.get("/drip?numbytes=20&duration=6&delay=0");
  await lab.page.locator(".stream-chunk").nth(1).waitFor({ timeout: 5_000 });
  await lab.page.getByRole("button", { name: "Cancel", exact: true }).click();
  await lab.page.getByTestId("response-error").filter({ hasText: "Cancelled" }).waitFor();
  assert.match(await lab.summary().textContent(), /stopped: Cancelled/);
  const chunks = await lab.chunks();
  assert.ok(chunks.length >= 2 && chunks.length < 20, `some chunks, not all: ${chunks.length}`);
  await lab.page.context().close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`an EventSource resumes after the server ends the stream (${colorScheme})`, async () => {
    const lab = await newPage(colorScheme);
    await lab.openEventSource("/sse?count=7&interval_ms=120&close_after=3&retry_ms=300");
    // 1-3, reconnect with Last-Event-ID 3, 4-6, reconnect with 6, 7, reconnect with 7: 204, closed.
    await lab.esState().filter({ hasText: "closed" }).waitFor({ timeout: 15_000 });
    const messages = await lab.esMessages();
    assert.deepEqual(messages.map((m) => m.id), ["1", "2", "3", "4", "5", "6", "7"], "ids continue across reconnects");
    assert.deepEqual(
      messages.map((m) => m.data.resumed_from),
      [null, null, null, 3, 3, 3, 6],
      "the server got the Last-Event-ID the browser resumed from",
    );
    assert.equal(messages[4].type, "milestone");
    assert.equal(await lab.page.getByTestId("es-reconnects").textContent(), "2 reconnects");
    assert.equal(await lab.page.getByTestId("es-last-event-id").textContent(), "7");
    const errors = await lab.page.locator(".es-error").allTextContents();
    assert.match(errors[0], /Last-Event-ID: 3/);
    assert.match(errors.at(-1), /gave up/);
    await lab.page.locator(".event-source-panel").scrollIntoViewIfNeeded();
    await lab.page.locator(".event-source-panel").screenshot({ path: screenshotPath(`http-streams-eventsource-${colorScheme}`) });
    await lab.page.context().close();
  });
}

test("Close ends an EventSource; a bad URL is refused where it was typed", async () => {
  const lab = await newPage();
  await lab.openEventSource("/sse?count=100&interval_ms=100");
  await lab.esState().filter({ hasText: "open" }).waitFor({ timeout: 5_000 });
  await lab.page.locator(".es-message").nth(1).waitFor();
  await lab.page.getByRole("button", { name: "Close", exact: true }).click();
  await lab.esState().filter({ hasText: "closed" }).waitFor();
  const count = await lab.page.locator(".es-message").count();
  await lab.page.waitForTimeout(400);
  assert.equal(await lab.page.locator(".es-message").count(), count, "nothing arrives after Close");
  await lab.page.getByLabel("EventSource URL", { exact: true }).fill("ws://127.0.0.1:1/sse");
  await lab.page.getByRole("button", { name: "Open", exact: true }).click();
  assert.match(await lab.page.getByRole("alert").textContent(), /needs an http or https URL/);
  await lab.page.context().close();
});
