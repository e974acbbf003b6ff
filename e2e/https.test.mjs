// The whole app over the server's TLS port, in real Chromium trusting the self-signed certificate
// the server made (as a person does by accepting it once): the page arrives over HTTP/2, the
// Security lab reads its own connection's handshake from the same origin, the WebSocket lab's echo
// runs over wss://, and the HTTP lab's requests go over HTTP/2.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WsLabPage, launch, screenshotPath, tlsInfo } from "./support.mjs";

let browser;
let httpsBase;
before(async () => {
  browser = await launch();
  const tls = await tlsInfo();
  httpsBase = tls ? `https://127.0.0.1:${tls.port}/` : null;
});
after(async () => {
  await browser?.close();
});

async function newPage(t) {
  if (!httpsBase) {
    t.skip("the server runs without --tls-port");
    return null;
  }
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  return context.newPage();
}

test("the app loads over HTTPS with HTTP/2, and the Security lab reads this very connection", async (t) => {
  const page = await newPage(t);
  if (!page) return;
  const response = await page.goto(new URL("/security", httpsBase).href);
  assert.equal(response.status(), 200);
  const protocol = await page.evaluate(() => performance.getEntriesByType("navigation")[0].nextHopProtocol);
  assert.equal(protocol, "h2", "the page itself came over HTTP/2");
  await page.getByRole("heading", { name: /^Your ClientHello \(\d+ bytes\)$/ }).waitFor({ timeout: 15_000 });
  const fact = (label) => page.locator(`[data-fact="${label}"]`).textContent();
  assert.equal(await fact("HTTP version"), "HTTP/2.0");
  assert.equal(await fact("ALPN"), "h2");
  assert.match(await fact("TLS version"), /^TLS 1\.3$/);
  await page.screenshot({ path: screenshotPath("https-security-lab"), fullPage: false });
  await page.context().close();
});

test("the WebSocket lab's echo defaults to wss:// on an https page, and echoes", async (t) => {
  const page = await newPage(t);
  if (!page) return;
  await page.goto(new URL("/ws", httpsBase).href);
  await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
  const url = await page.getByLabel("URL", { exact: true }).inputValue();
  assert.equal(url, new URL("/ws/echo", httpsBase).href.replace("https:", "wss:"));
  const lab = new WsLabPage(page);
  await lab.connect();
  await lab.send("over TLS");
  await lab.message("received", "text", "over TLS").waitFor();
  await page.screenshot({ path: screenshotPath("https-ws-lab"), fullPage: false });
  await page.context().close();
});

test("the HTTP lab's request to the same origin goes over HTTP/2", async (t) => {
  const page = await newPage(t);
  if (!page) return;
  await page.goto(new URL("/http", httpsBase).href);
  const urlField = page.getByLabel("URL", { exact: true });
  await urlField.waitFor();
  await urlField.fill(new URL("/get?over=tls", httpsBase).href);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByTestId("response-status").filter({ hasText: "200" }).waitFor();
  await page.getByRole("tab", { name: "Timing" }).click();
  assert.equal(await page.getByTestId("response-protocol").textContent(), "HTTP/2");
  await page.context().close();
});
