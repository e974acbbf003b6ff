// The server's capture of a WebSocket session, in real Chromium against wirelab-server: an
// /ws/inspect session from the WebSocket lab, "Download .pcap" read by tshark (the frames both
// ways, with the payloads sent), then "Open in Decode": the Formats lab's Decode tab shows the
// same packets. Then a Sockets-lab SMTP session's capture read by tshark as SMTP commands.
// Screenshots in light and dark.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath, SocketsLabPage, WsLabPage } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newPage(colorScheme) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme, acceptDownloads: true });
  return context.newPage();
}

/** tshark's fields for the packets `filter` keeps: one array of values per packet (a field's
 * values within one packet joined by `^`). Checksums are checked. */
function tshark(file, filter, fields) {
  const args = ["-n", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-E", "separator=|", "-E", "aggregator=^"];
  args.push("-r", file, "-Y", filter, "-T", "fields", ...fields.flatMap((field) => ["-e", field]));
  const out = execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return out.split("\n").filter((line) => line !== "").map((line) => line.split("|"));
}

/** What no capture the server writes may hold. */
const PROBLEMS = "_ws.malformed || _ws.expert.severity >= warning || tcp.analysis.flags || tcp.checksum.status == 0 || ip.checksum.status == 0";

for (const colorScheme of ["light", "dark"]) {
  test(`an /ws/inspect session saved as .pcap reads in tshark and in the Decode tab (${colorScheme})`, async () => {
    const page = await newPage(colorScheme);
    const lab = new WsLabPage(page);
    await lab.open();
    await page.getByText("Server knobs").click();
    await page.getByLabel("Endpoint").selectOption("/ws/inspect");
    await lab.connect();
    const text = `hello capture ${colorScheme}`;
    await lab.send(text);
    await lab.message("received", "text", text).waitFor();
    await lab.send("de ad be ef", { as: "hex" });
    await lab.message("received", "binary", "de ad be ef").waitFor();

    const download = page.getByRole("link", { name: "Download .pcap of the WebSocket session" });
    const open = page.getByRole("button", { name: "Open in Decode: the WebSocket session" });
    await download.waitFor();
    assert.equal(await download.textContent(), "Download .pcap", "the label is visible");
    assert.equal(await open.textContent(), "Open in Decode");
    await page.screenshot({ path: screenshotPath(`packets-server-capture-ws-${colorScheme}`) });

    // Download .pcap, by keyboard: the link takes focus and Enter.
    await download.focus();
    const [saved] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    assert.match(saved.suggestedFilename(), /^wirelab-ws-inspect-[0-9a-f]{8}\.pcap$/);
    const file = await saved.path();
    assert.deepEqual(tshark(file, PROBLEMS, ["frame.number", "_ws.col.Info"]), [], "no malformed packet, bad checksum or TCP warning");
    const upgrade = tshark(file, "http", ["tcp.port", "http.request.method", "http.response.code", "http.upgrade"]);
    assert.deepEqual(upgrade.map((row) => row.slice(1)), [["GET", "", "websocket"], ["", "101", "websocket"]]);
    // Chromium offers permessage-deflate and the server accepts it: tshark inflates the payloads.
    const frames = tshark(file, "websocket", ["websocket.mask", "websocket.opcode", "websocket.payload.text", "data.data"]);
    const sent = { texts: [], binaries: [] };
    const echoed = { texts: [], binaries: [] };
    for (const [mask, , texts, binaries] of frames) {
      const way = mask.startsWith("1") ? sent : echoed;
      way.texts.push(...texts.split("^").filter(Boolean));
      way.binaries.push(...binaries.split("^").filter(Boolean));
    }
    assert.deepEqual(sent, { texts: [text], binaries: ["deadbeef"] }, "the client's frames");
    assert.ok(echoed.texts.includes(text), `the echo: ${JSON.stringify(echoed)}`);
    assert.deepEqual(echoed.binaries, ["deadbeef"]);
    assert.ok(echoed.texts.some((line) => line.startsWith('{"inspect":"handshake"')), "the handshake report");
    const protocols = tshark(file, "frame", ["_ws.col.Protocol"]).map(([protocol]) => protocol);

    // Open in Decode: the same file in the Formats lab's Decode tab.
    await open.click();
    await page.waitForURL(/\/formats$/);
    const shown = page.getByTestId("capture-shown");
    await shown.waitFor({ timeout: 15_000 });
    assert.equal(await shown.textContent(), `${protocols.length} packets`, "as many packets as tshark read");
    const rows = page.getByRole("region", { name: "Packet list: arrow keys choose a packet" }).locator(".capture-row");
    await rows.first().waitFor();
    // The same packets, in the same order, each called what tshark calls it.
    const listed = await rows.evaluateAll((all) => all.map((row) => row.dataset.protocol));
    assert.deepEqual(listed, protocols.slice(0, listed.length));
    assert.ok(listed.length >= Math.min(protocols.length, 12), `the rows on screen: ${listed.length}`);
    assert.match(await rows.first().textContent(), /SYN/);
    await page.screenshot({ path: screenshotPath(`packets-server-capture-decode-${colorScheme}`) });
  });
}

test("a Sockets-lab SMTP session's capture reads as SMTP on port 25", async () => {
  const page = await newPage("light");
  const lab = new SocketsLabPage(page);
  await lab.open();
  await lab.connect("smtp");
  await lab.reply("220").waitFor();
  await lab.send("EHLO capture.example");
  await lab.reply("250").first().waitFor();
  await lab.send("QUIT");
  await lab.reply("221").waitFor();
  const download = lab.transcript().getByRole("link", { name: "Download .pcap of the connection" });
  await download.waitFor();
  await lab.transcript().getByRole("button", { name: "Open in Decode: the connection" }).waitFor();
  await page.screenshot({ path: screenshotPath("packets-server-capture-sockets") });
  const [saved] = await Promise.all([page.waitForEvent("download"), download.click()]);
  assert.match(saved.suggestedFilename(), /^wirelab-smtp-[0-9a-f]{8}\.pcap$/);
  const file = await saved.path();
  assert.deepEqual(tshark(file, PROBLEMS, ["frame.number", "_ws.col.Info"]), []);
  assert.deepEqual(tshark(file, "smtp.req.command", ["tcp.dstport", "smtp.req.command"]), [["25", "EHLO"], ["25", "QUIT"]]);
});

test("an FTP session's control and data connections each save as .pcap (dark)", async () => {
  const page = await newPage("dark");
  const lab = new SocketsLabPage(page);
  await lab.open();
  await lab.startWalkthrough("List a folder and fetch a file (FTP)");
  await lab.runStepByStep(6);
  const data = lab.transcript("FTP data connection");
  await data.getByTestId("chunk-text").filter({ hasText: "readme.txt" }).first().waitFor();
  const port = Number(/port \d+ × 256 \+ \d+ = (\d+)/.exec(await lab.reply("227").textContent())[1]);

  const controlDownload = lab.transcript().getByRole("link", { name: "Download .pcap of the connection" });
  const dataDownload = data.getByRole("link", { name: "Download .pcap of the FTP data connection" });
  await dataDownload.waitFor();
  await data.getByRole("button", { name: "Open in Decode: the FTP data connection" }).waitFor();
  await page.screenshot({ path: screenshotPath("packets-server-capture-ftp-dark") });

  const [control] = await Promise.all([page.waitForEvent("download"), controlDownload.click()]);
  assert.match(control.suggestedFilename(), /^wirelab-ftp-[0-9a-f]{8}\.pcap$/);
  const controlFile = await control.path();
  assert.deepEqual(tshark(controlFile, PROBLEMS, ["frame.number", "_ws.col.Info"]), []);
  const commands = tshark(controlFile, "ftp.request.command", ["tcp.dstport", "ftp.request.command"]);
  assert.ok(commands.length >= 4 && commands.every(([dstport]) => dstport === "21"), JSON.stringify(commands));
  assert.deepEqual(tshark(controlFile, "ftp.passive.port", ["ftp.passive.port"]), [[String(port)]], "the 227 names the data port");
  assert.ok(commands.some(([, command]) => command === "LIST"), JSON.stringify(commands));

  const [listing] = await Promise.all([page.waitForEvent("download"), dataDownload.click()]);
  assert.match(listing.suggestedFilename(), /^wirelab-ftp-data-[0-9a-f]{8}\.pcap$/);
  const dataFile = await listing.path();
  assert.deepEqual(tshark(dataFile, PROBLEMS, ["frame.number", "_ws.col.Info"]), []);
  const payload = tshark(dataFile, "tcp.len > 0", ["tcp.srcport", "tcp.payload"]);
  assert.ok(payload.length > 0 && payload.every(([srcport]) => srcport === String(port)), "the listing, from the negotiated port");
  const listed = Buffer.from(payload.map(([, bytes]) => bytes).join(""), "hex").toString("utf8");
  assert.match(listed, /readme\.txt/);
});
