// Journeys through the IoT lab's MQTT tab in real Chromium against wirelab-server's broker:
// connect, subscribe to wirelab/#, publish a retained QoS 2 message and see PUBLISH, PUBREC,
// PUBREL and PUBCOMP in the packet list and the sequence diagram, the packet's bytes mapped,
// and the retained copy arriving on a new subscription; the Topics table with the simulated
// devices' telemetry at a rate above 0, a row filtering the messages. Screenshots in light and dark.

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

async function openMqtt(colorScheme) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1200 }, colorScheme });
  const page = await context.newPage();
  await page.goto(new URL("/iot", baseUrl).href);
  await page.getByRole("tab", { name: "MQTT" }).click();
  await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
  return page;
}

async function connect(page) {
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByTestId("connection-status").filter({ hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
}

async function subscribe(page, filter, qos) {
  const form = page.getByRole("form", { name: "Subscribe" });
  await form.getByLabel("Topic filter").fill(filter);
  await form.getByLabel("Subscription QoS").selectOption(String(qos));
  await form.getByRole("button", { name: "Subscribe", exact: true }).click();
  await page.getByTestId("subscription").filter({ hasText: filter }).filter({ hasText: "granted" }).waitFor({ timeout: 10_000 });
}

async function publish(page, topic, payload, qos, retain) {
  const form = page.getByRole("form", { name: "Publish" });
  await form.getByLabel("Topic", { exact: true }).fill(topic);
  await form.getByLabel("Payload").fill(payload);
  await form.getByLabel(/^QoS/).selectOption(String(qos));
  await form.getByLabel("Retain", { exact: true }).setChecked(retain);
  await form.getByRole("button", { name: "Publish", exact: true }).click();
}

function packetRow(page, direction, kind) {
  return page.locator(`[data-testid=mqtt-packet][data-direction=${direction}][data-kind=${kind}]`);
}

/** The Topics table's rows: topic and messages/s, in the order shown. */
async function topicRows(page) {
  return page.locator("[data-testid=mqtt-topic]").evaluateAll((rows) =>
    rows.map((row) => ({ topic: row.dataset.topic, rate: Number(row.dataset.rate) })),
  );
}

async function sequenceSteps(page) {
  return page.locator("[data-testid=sequence-step]").evaluateAll((steps) =>
    steps.map((step) => `${step.classList.contains("sent") ? "→" : "←"}${step.dataset.kind}`),
  );
}

test("a retained QoS 2 publish: the four-way handshake drawn, its bytes mapped, and the retained copy on a new subscription", async () => {
  const page = await openMqtt("light");
  await connect(page);
  assert.equal(await packetRow(page, "sent", "CONNECT").count(), 1);
  assert.equal(await packetRow(page, "received", "CONNACK").count(), 1);
  await page.getByTestId("mqtt-topics-empty").waitFor();
  await subscribe(page, "wirelab/#", 2);

  // Which topic floods the broker: the devices' telemetry gets rows with a rate above 0,
  // busiest first, taken afresh a few times a second (a few readings each, so a steady rate).
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("[data-testid=mqtt-topic]")].filter(
        (row) =>
          /^wirelab\/devices\/[^/]+\/telemetry$/.test(row.dataset.topic) &&
          Number(row.dataset.rate) > 0 &&
          Number(row.dataset.total) >= 3,
      ).length >= 2,
    null,
    { timeout: 15_000 },
  );
  const rows = await topicRows(page);
  const rates = rows.map((row) => row.rate);
  assert.deepEqual(rates, [...rates].sort((a, b) => b - a), "busiest first");
  assert.ok(rows.some((row) => /\/status$/.test(row.topic)), "the retained status topics are listed");
  // A row narrows the messages to its topic; "Show all topics" widens them again.
  const telemetry = rows.find((row) => row.topic.endsWith("/telemetry")).topic;
  await page.locator(`[data-testid=mqtt-topic][data-topic="${telemetry}"]`).getByRole("button").click();
  await page.getByTestId("mqtt-messages-filter").filter({ hasText: telemetry }).waitFor();
  const shownTopics = await page.locator("[data-testid=mqtt-message]").evaluateAll((items) => items.map((item) => item.dataset.topic));
  assert.ok(shownTopics.length >= 1 && shownTopics.every((topic) => topic === telemetry), shownTopics.join(", "));
  await page.getByRole("region", { name: /^Topics/ }).screenshot({ path: screenshotPath("iot-mqtt-topics") });
  await page.getByRole("button", { name: /^Show every topic/ }).click();
  await page.getByTestId("mqtt-messages-filter").waitFor({ state: "detached" });

  const topic = `wirelab/e2e/${Date.now()}`;
  await publish(page, topic, '{"temperature_c": 21.5, "unit": "C"}', 2, true);
  await packetRow(page, "received", "PUBCOMP").first().waitFor({ timeout: 10_000 });
  for (const [direction, kind] of [["sent", "PUBLISH"], ["received", "PUBREC"], ["sent", "PUBREL"]]) {
    assert.ok((await packetRow(page, direction, kind).count()) >= 1, `no ${direction} ${kind}`);
  }
  // The broker delivers the message back to this subscriber: it arrives, read as JSON.
  const ownMessage = page.locator(`[data-testid=mqtt-message][data-topic="${topic}"]`);
  await ownMessage.first().waitFor({ timeout: 10_000 });
  assert.match(await ownMessage.first().textContent(), /reads as JSON/);

  // Choosing the client's PUBREL draws its exchange: client and broker, four arrows.
  await packetRow(page, "sent", "PUBREL").last().getByRole("button").click();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=sequence-step]").length === 4);
  assert.deepEqual(await sequenceSteps(page), ["→PUBLISH", "←PUBREC", "→PUBREL", "←PUBCOMP"]);
  // The client's PUBLISH, its bytes mapped: pointing at the first byte names the fixed header.
  await packetRow(page, "sent", "PUBLISH").filter({ hasText: topic }).getByRole("button").click();
  const bytes = page.getByTestId("packet-bytes");
  await bytes.getByRole("heading", { name: /^PUBLISH, \d+ bytes, sent/ }).waitFor();
  await bytes.locator(".cell[data-o='0']").hover();
  await bytes.getByText(/byte 0 \(0x35\) · header · fixed_header\.first_byte · type 3 PUBLISH · DUP 0 · QoS 2 · RETAIN 1/).waitFor();
  await page.screenshot({ path: screenshotPath("iot-mqtt-qos2"), fullPage: true });

  // A new subscription to the topic gets the broker's retained copy, marked retained.
  await subscribe(page, topic, 1);
  await page.locator(`[data-testid=mqtt-message][data-topic="${topic}"][data-retain=true]`).first().waitFor({ timeout: 10_000 });
  await page.getByRole("button", { name: "Disconnect", exact: true }).click();
  await page.getByTestId("connection-status").filter({ hasText: /^not connected$/ }).waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
});

test("in dark mode: the devices' retained status and a QoS 1 handshake, then a broken broker URL said in place", async () => {
  const page = await openMqtt("dark");
  await page.getByLabel("Protocol version").selectOption("5");
  await connect(page);
  await subscribe(page, "wirelab/devices/+/status", 1);
  // The simulated devices keep their status retained: it arrives on subscribing.
  await page.locator("[data-testid=mqtt-message][data-retain=true]").first().waitFor({ timeout: 10_000 });
  await page.locator("[data-testid=mqtt-topic]").filter({ hasText: "retained" }).first().waitFor();
  await page.getByRole("region", { name: /^Topics/ }).screenshot({ path: screenshotPath("iot-mqtt-topics-dark") });

  const topic = `wirelab/e2e/dark/${Date.now()}`;
  await subscribe(page, "wirelab/e2e/dark/+", 1);
  await publish(page, topic, "hello in MQTT 5", 1, false);
  await packetRow(page, "received", "PUBACK").first().waitFor({ timeout: 10_000 });
  await packetRow(page, "received", "PUBACK").last().getByRole("button").click();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=sequence-step]").length === 2);
  assert.deepEqual(await sequenceSteps(page), ["→PUBLISH", "←PUBACK"]);
  await page.screenshot({ path: screenshotPath("iot-mqtt-qos1-dark"), fullPage: true });

  await page.getByRole("button", { name: "Disconnect", exact: true }).click();
  await page.getByTestId("connection-status").filter({ hasText: /^not connected$/ }).waitFor();
  await page.getByLabel("Broker URL").fill(new URL("/no-such-broker", baseUrl).href.replace(/^http/, "ws"));
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  const problem = page.getByTestId("connection-problem");
  await problem.waitFor({ timeout: 10_000 });
  assert.match(await problem.textContent(), /could not reach the broker|refused the WebSocket/);
  assert.match(await page.getByLabel("Broker URL").inputValue(), /\/no-such-broker$/);
  await page.screenshot({ path: screenshotPath("iot-mqtt-refused-dark") });
});
