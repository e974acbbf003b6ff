// The Formats lab's Craft packet tab in real Chromium: a UDP packet filled in field by field,
// its bytes lit from the form and the form lit from its bytes, "Save .pcap" read by tshark with
// every field set and the checksums good, a checksum set wrong by hand read as bad, a wrong
// field's message, and "Copy as scapy" on the clipboard. Screenshots in light and dark.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newPage(colorScheme) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, colorScheme, acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl).origin });
  return context.newPage();
}

/** tshark's reading of the first packet of `file`, as {field: value}; checksums are checked. */
function tshark(file, fields) {
  const args = ["-r", file, "-T", "fields", "-E", "separator=|"];
  for (const preference of ["ip.check_checksum:TRUE", "udp.check_checksum:TRUE", "tcp.check_checksum:TRUE"]) {
    args.push("-o", preference);
  }
  args.push(...fields.flatMap((field) => ["-e", field]));
  const line = execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0];
  const values = line.split("|");
  return Object.fromEntries(fields.map((field, index) => [field, values[index]]));
}

/** Saves the packet through the button (by keyboard) and returns the downloaded file's path. */
async function savePcap(page) {
  const save = page.getByRole("button", { name: "Save .pcap" });
  await save.focus();
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.equal(download.suggestedFilename(), "crafted-udp.pcap");
  return download.path();
}

const PAYLOAD = "hello from the craft tab";

for (const colorScheme of ["light", "dark"]) {
  test(`a UDP packet crafted in the tab is read by tshark with the fields set (${colorScheme})`, async () => {
    const page = await newPage(colorScheme);
    await page.goto(new URL("/formats", baseUrl).href);
    await page.getByRole("tab", { name: "Craft packet" }).click();
    await page.getByRole("button", { name: "DNS query (UDP)" }).click();
    const bytes = page.getByTestId("craft-bytes");
    await bytes.waitFor();

    // Fill the packet layer by layer, each field by its label.
    const fill = async (label, value) => page.getByLabel(label, { exact: true }).fill(value);
    await fill("Destination MAC", "02:00:5e:00:53:99");
    await fill("DSCP", "10");
    await fill("Identification", "0x4242");
    await fill("TTL", "17");
    await fill("Source address", "192.0.2.77");
    await fill("Destination address", "198.51.100.9");
    await page.getByLabel("Don't fragment (DF)").uncheck();
    await fill("Source port", "40000");
    await fill("Destination port", "9999");
    await page.getByLabel("Payload typed as").selectOption("Text");
    await fill("Payload", PAYLOAD);
    const frameLength = 14 + 20 + 8 + PAYLOAD.length;
    await page.getByText(`Ethernet · IPv4 · UDP, ${frameLength} bytes`).waitFor();
    assert.equal(await page.getByLabel("Total length", { exact: true }).inputValue(), String(20 + 8 + PAYLOAD.length), "computed");
    assert.equal(await page.getByLabel("UDP length", { exact: true }).inputValue(), String(8 + PAYLOAD.length));

    // The TTL field lights its byte (offset 22); pointing at byte 22 lights the TTL field.
    const hex = page.getByRole("region", { name: "Crafted packet bytes" });
    await page.locator("[data-field=ip-ttl]").hover();
    await hex.locator(".cell.sel[data-o='22']").waitFor();
    assert.equal(await hex.locator(".cell.sel").count(), 1, "only the TTL byte");
    assert.equal(await hex.locator(".cell[data-o='22']").textContent(), "11", "TTL 17");
    await hex.locator(".cell[data-o='22']").hover();
    await page.locator("[data-field=ip-ttl].lit").waitFor();
    assert.match(await bytes.locator(".byte-status").textContent(), /ipv4\.ttl · time to live 17/);
    await page.screenshot({ path: screenshotPath(`packets-craft-udp-${colorScheme}`), fullPage: true });

    const read = tshark(await savePcap(page), [
      "eth.dst", "ip.dsfield.dscp", "ip.id", "ip.flags.df", "ip.ttl", "ip.proto", "ip.len", "ip.src", "ip.dst",
      "ip.checksum.status", "udp.srcport", "udp.dstport", "udp.length", "udp.checksum.status", "udp.payload",
    ]);
    assert.deepEqual(read, {
      "eth.dst": "02:00:5e:00:53:99",
      "ip.dsfield.dscp": "10",
      "ip.id": "0x4242",
      "ip.flags.df": "0",
      "ip.ttl": "17",
      "ip.proto": "17",
      "ip.len": String(20 + 8 + PAYLOAD.length),
      "ip.src": "192.0.2.77",
      "ip.dst": "198.51.100.9",
      "ip.checksum.status": "1",
      "udp.srcport": "40000",
      "udp.dstport": "9999",
      "udp.length": String(8 + PAYLOAD.length),
      "udp.checksum.status": "1",
      "udp.payload": Buffer.from(PAYLOAD).toString("hex"),
    });

    // "Copy as scapy": the same packet as a scapy program.
    await page.getByRole("button", { name: "Copy as scapy" }).click();
    await page.getByRole("status").filter({ hasText: "Copied the scapy program" }).waitFor();
    const program = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(program, /IP\(tos=0x28, id=0x4242, flags=0, frag=0, ttl=17, src="192\.0\.2\.77", dst="198\.51\.100\.9"\)/);
    assert.match(program, /UDP\(sport=40000, dport=9999\)/);
    assert.match(program, /Raw\(load=b"hello from the craft tab"\)/);

    // A UDP checksum set wrong by hand: marked in the form, read as bad by tshark.
    await page.getByLabel("set by hand: UDP checksum").check();
    await fill("UDP checksum", "0x1234");
    await page.locator("[data-field=udp-checksum].differs").waitFor();
    await page.getByText(/≠ computed 0x[0-9a-f]{4}/).waitFor();
    const wrong = tshark(await savePcap(page), ["udp.checksum", "udp.checksum.status", "ip.checksum.status"]);
    assert.deepEqual(wrong, { "udp.checksum": "0x1234", "udp.checksum.status": "0", "ip.checksum.status": "1" });

    // A wrong field says what is wrong with it, and the packet cannot be saved until fixed.
    await fill("TTL", "300");
    const ttl = page.getByLabel("TTL", { exact: true });
    await page.getByText("TTL: 300 is out of range: 0 to 255 (0xff)").waitFor();
    assert.equal(await ttl.getAttribute("aria-invalid"), "true");
    assert.ok(await page.getByRole("button", { name: "Save .pcap" }).isDisabled());
    await page.getByText("The form has a problem: showing the last packet that built.").waitFor();
    await page.screenshot({ path: screenshotPath(`packets-craft-error-${colorScheme}`), fullPage: true });
    await fill("TTL", "64");
    await page.getByRole("button", { name: "Save .pcap" }).waitFor({ state: "visible" });
    assert.ok(await page.getByRole("button", { name: "Save .pcap" }).isEnabled());

    // A preset over TCP: the HTTP GET segment, its payload read back as HTTP and lit from the form.
    await page.getByRole("button", { name: "HTTP GET (TCP)" }).click();
    await page.getByText("Ethernet · IPv4 · TCP, 104 bytes").waitFor();
    await page.locator("[data-field=payload]").hover();
    await hex.locator(".cell.sel[data-o='54']").waitFor();
    assert.equal(await page.getByLabel("Data offset", { exact: true }).inputValue(), "5");
    await page.screenshot({ path: screenshotPath(`packets-craft-tcp-${colorScheme}`) });
    await page.context().close();
  });
}
