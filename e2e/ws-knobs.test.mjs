// Journeys through the WebSocket lab's server knobs and /ws/inspect in real Chromium: the server
// closes on request with a chosen code, refuses a bad knob before the upgrade, and reports the
// frames and handshake it saw, which the log shows beside each sent message.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WsLabPage, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newLab(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme });
  const page = await context.newPage();
  const lab = new WsLabPage(page);
  await lab.open();
  await page.getByText("Server knobs").click();
  return lab;
}

test("close_after and close_code make the server close after one echo with that code", async () => {
  const lab = await newLab();
  const { page } = lab;
  await page.getByLabel("close_after", { exact: true }).fill("1");
  await page.getByLabel("close_code", { exact: true }).fill("4000");
  await page.getByLabel("close_reason", { exact: true }).fill("one is enough");
  assert.match(await page.getByLabel("URL", { exact: true }).inputValue(), /\?close_after=1&close_code=4000&close_reason=one\+is\+enough$/);
  await lab.connect();
  await lab.send("only one");
  await lab.message("received", "text", "only one").waitFor();
  await page.locator("[data-testid=connection-status].closed").waitFor({ timeout: 10_000 });
  assert.match((await page.getByTestId("connection-detail").textContent()) ?? "", /code 4000 .*one is enough/);
});

test("a knob the server will not take is flagged in the form and refused by the server", async () => {
  const lab = await newLab();
  const { page } = lab;
  await page.getByLabel("delay_ms", { exact: true }).fill("soon");
  await page.getByRole("alert").filter({ hasText: "delay_ms: 'soon' is not a whole number" }).waitFor();
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  // The browser reports a refused upgrade as a failed connection (code 1006).
  await page.locator("[data-testid=connection-status].closed").waitFor({ timeout: 10_000 });
  assert.match((await page.getByTestId("connection-detail").textContent()) ?? "", /1006/);
});

test("/ws/inspect shows the handshake hash and the frames the server saw", async () => {
  const lab = await newLab();
  const { page } = lab;
  await page.getByLabel("Endpoint").selectOption("/ws/inspect");
  // Without compression, frame sizes are the messages' own (Chromium compresses when it can).
  await page.getByLabel("compress", { exact: true }).fill("off");
  assert.match(await page.getByLabel("URL", { exact: true }).inputValue(), /\/ws\/inspect\?compress=off$/);
  await lab.connect();
  await page.getByText(/Handshake: Sec-WebSocket-Key .* ✓ matches/).waitFor();
  await lab.send("hello");
  const frames = page.locator(".log-message[data-direction=sent] .log-frames").first();
  await frames.waitFor();
  assert.match((await frames.textContent()) ?? "", /^1 frame · masked ([0-9a-f]{2} ){3}[0-9a-f]{2} · 5 B \(7-bit length\)/);
  await lab.send("x".repeat(300));
  await page.locator(".log-frames", { hasText: "300 B (16-bit length)" }).waitFor();
  await page.locator(".log-message[data-direction=sent]").first().getByRole("button").click();
  await page.getByLabel("Frames the server saw").waitFor();
  await page.screenshot({ path: screenshotPath("ws-inspect") });
});
