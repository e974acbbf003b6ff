// Journey: a capture file opened in the Formats lab's Decode tab. The packet list shows
// Wireshark's columns; a packet's layers and mapped bytes show when it is chosen (by click and by
// the arrow keys); the filter narrows the list; "Follow TCP stream" shows the WebSocket
// conversation both ways, as text and as hex; a broken file keeps the packets before the break
// and says where it broke. Screenshots light and dark.
//
// The file is e2e/fixtures/packets-sample.pcap, wire's sample capture (tests/cases/packets_support.rs
// writes the same bytes; a wire test checks they agree): ARP, DNS, an HTTP upgrade to WebSocket
// with a frame each way, HTTP, TLS, MQTT, ICMP, ICMPv6, IPv6/UDP and an 802.1Q-tagged datagram.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath } from "./support.mjs";

const fixture = join(import.meta.dirname, "fixtures", "packets-sample.pcap");

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function openDecode(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1200 }, colorScheme });
  const page = await context.newPage();
  await page.goto(new URL("/formats", baseUrl).href);
  await page.getByRole("tab", { name: "Decode", exact: true }).click();
  await page.locator(".ok-note").first().waitFor();
  return page;
}

async function pick(page, file) {
  await page.locator(".decode input[type=file]").first().setInputFiles(file);
  await page.locator(".capture-row").first().waitFor();
}

const rows = (page) => page.locator(".capture-row");

test("a pcap opens as a packet list; a packet's layers map to its bytes; the stream follows", async () => {
  const page = await openDecode();
  await pick(page, fixture);
  await assert.doesNotReject(page.getByTestId("capture-status").filter({ hasText: "20 packets" }).waitFor());
  assert.equal(await rows(page).count(), 20);
  const first = await rows(page).nth(0).locator("td").allTextContents();
  assert.deepEqual(first, ["1", "0.000000", "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff", "ARP", "60", "Who has 10.0.0.2? Tell 10.0.0.1"]);
  assert.equal(await rows(page).nth(7).getAttribute("data-protocol"), "HTTP");
  assert.equal(await rows(page).nth(9).getAttribute("data-protocol"), "WebSocket");

  // Choose the masked WebSocket frame: its layers, and a field that lights its bytes.
  await rows(page).nth(9).click();
  const layers = page.getByTestId("packet-layers");
  await layers.getByText("Packet 10: 65 bytes on the wire").waitFor();
  for (const layer of ["ethernet", "ipv4", "tcp", "websocket"]) {
    await layers.locator(`.doc-row[title="${layer}"]`).waitFor();
  }
  assert.match(await layers.locator('.doc-row[title="websocket[0].payload"]').textContent(), /"Hello"/);
  await layers.locator('.doc-row[title="tcp.checksum"]').click();
  assert.match(await layers.locator('.doc-row[title="tcp.checksum"]').textContent(), /\(correct\)/);
  // The checksum's two bytes (50 and 51) light up, and only they.
  assert.equal(await layers.locator(".mapped-hex .cell.sel").count(), 2);
  assert.deepEqual(await layers.locator(".mapped-hex .cell.sel").evaluateAll((cells) => cells.map((cell) => cell.dataset.o)), ["50", "51"]);

  // The arrow keys move the choice.
  await page.getByRole("region", { name: /Packet list/ }).focus();
  await page.keyboard.press("ArrowDown");
  await layers.getByText("Packet 11:").waitFor();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await layers.getByText("Packet 9:").waitFor();

  await page.screenshot({ path: screenshotPath("packets-capture-light") });

  // Follow the TCP stream: the upgrade and the frames both ways.
  await page.getByRole("button", { name: "Follow TCP stream" }).click();
  const follow = page.getByTestId("follow-stream");
  await follow.locator(".follow-client").filter({ hasText: "GET /ws/echo HTTP/1.1" }).waitFor();
  await follow.locator(".follow-server").filter({ hasText: "101 Switching Protocols" }).waitFor();
  assert.match(await follow.getByTestId("follow-summary").textContent(), /10\.0\.0\.1:51234 → 10\.0\.0\.2:80: 165 bytes sent, 136 received/);
  await follow.getByRole("button", { name: "Hex" }).click();
  await follow.locator(".follow-client").filter({ hasText: "47 45 54 20" }).first().waitFor();
  await page.screenshot({ path: screenshotPath("packets-capture-follow-light"), fullPage: true });

  // The filter narrows by protocol, address or port.
  await page.getByLabel("Filter packets").fill("dns");
  await page.getByTestId("capture-shown").filter({ hasText: "2 of 20 packets match" }).waitFor();
  await page.getByLabel("Filter packets").fill("8080");
  await page.getByTestId("capture-shown").filter({ hasText: "2 of 20 packets match" }).waitFor();
  await page.getByLabel("Filter packets").fill("2001:db8");
  await page.getByTestId("capture-shown").filter({ hasText: "2 of 20 packets match" }).waitFor();
  await page.context().close();
});

test("a cut-short capture keeps the packets before the break and says where", async () => {
  const page = await openDecode();
  const whole = readFileSync(fixture);
  await pick(page, { name: "cut.pcap", mimeType: "application/vnd.tcpdump.pcap", buffer: whole.subarray(0, 200) });
  await page.getByRole("alert").filter({ hasText: "cut short" }).waitFor();
  assert.match(await page.getByRole("alert").filter({ hasText: "cut short" }).textContent(), /byte 176/);
  assert.equal(await rows(page).count(), 2);
  await page.context().close();
});

test("the capture view in dark mode", async () => {
  const page = await openDecode("dark");
  await pick(page, fixture);
  await rows(page).nth(3).click();
  await page.getByTestId("packet-layers").getByText("Packet 4:").waitFor();
  await page.getByRole("button", { name: "Follow TCP stream" }).isDisabled();
  await rows(page).nth(13).click();
  await page.getByRole("button", { name: "Follow TCP stream" }).click();
  await page.getByTestId("follow-stream").locator(".follow-server").filter({ hasText: "200 OK" }).waitFor();
  await page.screenshot({ path: screenshotPath("packets-capture-dark"), fullPage: true });
  await page.context().close();
});
