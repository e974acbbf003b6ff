// Journeys through the WebSocket lab in real Chromium against wirelab-server.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath, WsLabPage } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newPage(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme });
  return context.newPage();
}

test("from the overview to an echoed text and an echoed hex message", async () => {
  const page = await newPage();
  await page.goto(baseUrl);
  await page.getByRole("heading", { name: "See what goes over the wire." }).waitFor();
  await page.getByRole("link", { name: "WebSocket", exact: true }).click();
  const lab = new WsLabPage(page);
  const url = await page.getByLabel("URL", { exact: true }).inputValue();
  assert.equal(url, new URL("/ws/echo", baseUrl).href.replace("http:", "ws:"));
  await lab.connect();

  await lab.send("hello");
  await lab.message("received", "text", "hello").waitFor();

  await lab.send("de ad be ef", { as: "hex", keyboard: true });
  await lab.message("received", "binary", "de ad be ef").waitFor();
  await lab.message("received", "binary", "de ad be ef").click();
  const dump = await page.getByTestId("hex-view").innerText();
  assert.match(dump, /00000000  de ad be ef {39}\|\.\.\.\.\|/);
  assert.match(await lab.stats(), /↑ 2 sent \(9 B\).*↓ 2 received \(9 B\)/);
  await page.screenshot({ path: screenshotPath("ws-lab") });
});

test("the lab in dark mode, with a JSON message and a close code", async () => {
  const page = await newPage("dark");
  const lab = new WsLabPage(page);
  await lab.open();
  await lab.connect();
  await lab.send('{"sensor":"t1","celsius":21.5,"ok":true}');
  await lab.message("received", "text", "sensor").click();
  const pretty = await page.getByTestId("payload-text").textContent();
  assert.match(pretty, /^\{\n {2}"sensor": "t1",\n {2}"celsius": 21.5,\n {2}"ok": true\n\}$/, "pretty JSON keeps the key order");
  await page.getByText("Close options").click();
  await page.getByLabel("Close code").fill("4001");
  await page.getByLabel("Reason").fill("done for today");
  await page.getByRole("button", { name: "Disconnect" }).click();
  await page.locator("[data-testid=connection-status].closed").waitFor();
  assert.match(await page.getByTestId("connection-detail").textContent(), /code 4001 .*done for today/);
  await page.screenshot({ path: screenshotPath("ws-lab-dark") });
});

test("bad hex is refused in place and the text is kept", async () => {
  const page = await newPage();
  const lab = new WsLabPage(page);
  await lab.open();
  await lab.connect();
  await lab.send("de ad be eg", { as: "hex" });
  const error = page.getByTestId("composer-error");
  await error.waitFor();
  assert.equal(await error.textContent(), "Nothing was sent: 'g' is not a hex digit at line 1, column 11");
  assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), "de ad be eg");
  assert.equal(await page.locator(".log-message").count(), 0);
});

test("a burst of 5,000 echoes: all logged, the page stays responsive", async () => {
  const page = await newPage();
  const lab = new WsLabPage(page);
  await lab.open();
  await lab.connect();
  // Record main-thread stalls while the burst arrives.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: "longtask", buffered: false });
  });
  await page.getByLabel("Repeat").fill("5000");
  const started = Date.now();
  await lab.send("tick");
  await page.getByTestId("log-stats").filter({ hasText: "↓ 5000 received" }).waitFor({ timeout: 60_000 });
  const elapsed = Date.now() - started;
  const longTasks = await page.evaluate(() => window.__longTasks);
  const rows = await page.locator(".log-message").count();
  assert.ok(rows > 0 && rows < 150, `only visible rows are rendered (got ${rows})`);
  // The page still answers: the filter narrows 10,000 entries at once.
  await page.getByLabel("Filter").fill("nothing-matches-this");
  await page.getByText("Nothing matches the filter.").waitFor({ timeout: 5_000 });
  console.log(
    `burst: 5000 sent + 5000 echoed in ${elapsed} ms (${Math.round(10_000 / (elapsed / 1000))} log entries/s); ` +
      `long tasks: ${longTasks.length}, longest ${Math.round(Math.max(0, ...longTasks))} ms`,
  );
});

test("a lab route loads directly (the server falls back to index.html)", async () => {
  const page = await newPage();
  const response = await page.goto(new URL("/ws", baseUrl).href);
  assert.equal(response.status(), 200);
  await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
});

test("the overview shows what the server says about itself", async () => {
  const page = await newPage();
  await page.goto(baseUrl);
  await page.getByRole("cell", { name: "/ws/echo" }).waitFor();
  assert.match(await page.locator(".server-info").textContent(), /wirelab-server/);
  await page.screenshot({ path: screenshotPath("overview") });
});

test("leaving the lab and coming back keeps the connection and the log", async () => {
  const page = await newPage();
  const lab = new WsLabPage(page);
  await lab.open();
  await lab.connect();
  await lab.send("still here?");
  await lab.message("received", "text", "still here?").waitFor();
  await page.getByRole("link", { name: "HTTP", exact: true }).click();
  await page.getByRole("button", { name: "Send", exact: true }).waitFor();
  await page.getByRole("link", { name: "WebSocket", exact: true }).click();
  await lab.message("received", "text", "still here?").waitFor();
  assert.match(await lab.status().textContent(), /open/);
});

test("a saved message survives a reload and fills the composer in one click", async () => {
  const page = await newPage();
  const lab = new WsLabPage(page);
  await lab.open();
  await page.getByLabel("Send as").selectOption("hex");
  await page.getByLabel("Message", { exact: true }).fill("ca fe ba be");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.reload();
  await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
  await page.getByRole("list", { name: "Saved messages" }).getByRole("button", { name: "hex: ca fe ba be" }).click();
  assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), "ca fe ba be");
  assert.equal(await page.getByLabel("Send as").inputValue(), "hex");
  await page.screenshot({ path: screenshotPath("ws-lab-saved") });
});
