// Journeys through the Security lab in real Chromium against wirelab-server started with
// --tls-port: the handshake view maps this browser's own ClientHello (the self-signed certificate
// accepted, as a person does once), and says what to do when it is not; "abc" hashes to the
// FIPS 180 values; Basic and Digest authentication computed step by step get a 200 from the
// server; the WebSocket handshake's accept value matches /ws/inspect's; "Hash this…" from the
// HTTP and WebSocket labs. Screenshots in light and dark.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { WsLabPage, baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A page in a fresh context (launch() trusts the server's self-signed certificate). */
async function newPage({ colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl).origin });
  return context.newPage();
}

async function openLab(page) {
  await page.goto(baseUrl);
  await page.getByRole("link", { name: "Security", exact: true }).click();
  await page.getByRole("tab", { name: "Your TLS handshake" }).waitFor();
}

const FIPS_ABC = {
  "SHA-1": "a9993e364706816aba3e25717850c26c9cd0d89d",
  "SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  "SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
  "SHA-512":
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  MD5: "900150983cd24fb0d6963f7d28e17f72",
};

for (const colorScheme of ["light", "dark"]) {
  test(`the handshake view maps this browser's ClientHello (${colorScheme})`, async () => {
    const page = await newPage({ colorScheme });
    await openLab(page);
    const hello = page.getByRole("heading", { name: /^Your ClientHello \(\d+ bytes\)$/ });
    await hello.waitFor({ timeout: 15_000 });
    const fact = (label) => page.locator(`[data-fact="${label}"]`).textContent();
    assert.match(await fact("TLS version"), /^TLS 1\.[23]$/);
    assert.match(await fact("Cipher suite"), /^TLS_/);
    assert.match(await fact("HTTP version"), /HTTP/);
    assert.match(await fact("JA4"), /^t1[23]/);
    assert.match(await fact("JA3"), /^[0-9a-f]{32}$/);

    // Every byte of the record has a field: the hex grid has no unexplained byte at its start,
    // and choosing a field lights its bytes.
    const bytes = page.getByRole("region", { name: "ClientHello bytes" });
    await bytes.locator(".cell").first().waitFor();
    assert.equal(await bytes.locator(".cell.role-none").count(), 0, "every byte shown belongs to a field");
    const fields = page.locator(".sec-hello-fields .doc-row");
    assert.ok((await fields.count()) > 10, "the ClientHello's fields are listed");
    const cipherSuites = fields.filter({ hasText: /cipher/i }).first();
    await cipherSuites.click();
    assert.ok((await bytes.locator(".cell.sel").count()) > 2, "the chosen field's bytes are lit");
    // Pointing at a byte names its field.
    await bytes.locator(".cell").nth(0).hover();
    assert.match(await page.locator(".sec-pointed").textContent(), /^byte 0 \(0x16\)/);
    await page.screenshot({ path: screenshotPath(`security-lab-handshake-${colorScheme}`), fullPage: true });
    await page.context().close();
  });
}

test("an untrusted certificate is explained with the page to open, and Retry", async () => {
  // A browser of its own, without launch()'s trust of the server's certificate.
  const untrusting = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const page = await (await untrusting.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  await openLab(page);
  const problem = page.getByRole("alert").filter({ hasText: "could not open the TLS connection" });
  await problem.waitFor({ timeout: 15_000 });
  assert.match(await problem.textContent(), /accept the certificate/);
  const link = problem.getByRole("link", { name: /^Open https:\/\/.*\/tls\/info to accept the certificate$/ });
  assert.match(await link.getAttribute("href"), /^https:\/\/127\.0\.0\.1:\d+\/tls\/info$/);
  await problem.getByRole("button", { name: "Retry" }).click();
  await problem.waitFor();
  await page.screenshot({ path: screenshotPath("security-lab-untrusted") });
  await untrusting.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`"abc" hashes to the FIPS 180 values, MD5 and SHA-1 marked broken (${colorScheme})`, async () => {
    const page = await newPage({ colorScheme });
    await openLab(page);
    await page.keyboard.press("Alt+Shift+2");
    await page.getByRole("tab", { name: "Hash and encode", selected: true }).waitFor();
    await page.getByLabel("Text", { exact: true }).fill("abc");
    for (const [algorithm, hex] of Object.entries(FIPS_ABC)) {
      assert.equal(await page.locator(`code[data-algorithm="${algorithm}"]`).textContent(), hex, algorithm);
    }
    const broken = page.locator("tr.broken");
    assert.equal(await broken.count(), 2);
    assert.match(await broken.first().textContent(), /broken.*collision/i);

    // HMAC with a key (RFC 4231 test case 2).
    await page.getByLabel("Text", { exact: true }).fill("what do ya want for nothing?");
    await page.getByLabel("HMAC key", { exact: true }).fill("Jefe");
    await page.getByRole("cell", { name: /5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843/ }).waitFor();
    await page.getByRole("button", { name: "Copy SHA-256" }).click();
    await page.getByRole("status").filter({ hasText: "Copied to the clipboard" }).waitFor();

    // A decode error points at its character.
    await page.getByLabel("Text to decode").fill("SGV$bG8=");
    await page.locator(".sec-error mark", { hasText: "$" }).waitFor();

    // A JWT signed here verifies with its key and not with another.
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.getByText("signature valid (HS256)").waitFor();
    await page.getByLabel(/^HS256 key/).fill("not the key");
    await page.getByText("signature does not match this key").waitFor();
    await page.screenshot({ path: screenshotPath(`security-lab-hashing-${colorScheme}`), fullPage: true });
    await page.context().close();
  });
}

for (const colorScheme of ["light", "dark"]) {
  test(`Basic, Digest, Bearer and the WebSocket handshake against the server (${colorScheme})`, async () => {
    const page = await newPage({ colorScheme });
    await openLab(page);
    await page.getByRole("tab", { name: "Authentication" }).click();

    await page.getByRole("button", { name: /^Send to \/basic-auth\// }).click();
    await page.locator(".sec-pill.ok", { hasText: "200" }).first().waitFor();

    const digest = page.getByRole("region", { name: "Digest" });
    await digest.getByRole("button", { name: /^1\. Ask .* for a challenge$/ }).click();
    await digest.getByRole("heading", { name: "The answer, step by step" }).waitFor();
    assert.match(await digest.getByRole("list", { name: "Digest steps" }).textContent(), /HA1.*HA2/s);
    await digest.getByRole("button", { name: "Send the answer" }).click();
    await digest.locator(".sec-pill.ok", { hasText: "200" }).waitFor();

    // SHA-256 too.
    await digest.getByLabel("Algorithm").selectOption("SHA-256");
    await digest.getByRole("button", { name: /^1\. Ask .*SHA-256 for a challenge$/ }).click();
    await digest.getByRole("button", { name: "Send the answer" }).click();
    await digest.locator(".sec-pill.ok", { hasText: "200" }).waitFor();

    const bearer = page.getByRole("region", { name: "Bearer and JWT" });
    await bearer.getByRole("button", { name: "Make an HS256 token" }).click();
    await bearer.getByRole("button", { name: "Send to /bearer" }).click();
    await bearer.locator(".sec-pill.ok", { hasText: "200" }).waitFor();

    const ws = page.getByRole("region", { name: "The WebSocket handshake" });
    await ws.getByRole("button", { name: "Open a WebSocket to /ws/inspect" }).click();
    await ws.getByText("the steps above give the server's accept value").waitFor();
    await page.screenshot({ path: screenshotPath(`security-lab-auth-${colorScheme}`), fullPage: true });
    await page.context().close();
  });
}

test("\"Hash this…\" on an HTTP body brings its bytes to Hash and encode", async () => {
  const page = await newPage();
  const url = new URL("/json", baseUrl).href;
  const body = Buffer.from(await (await fetch(url)).arrayBuffer());
  await page.goto(new URL("/http", baseUrl).href);
  await page.getByLabel("URL", { exact: true }).fill(url);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByTestId("response-status").waitFor();
  await page.getByRole("button", { name: "Hash this…" }).click();
  await page.getByRole("tab", { name: "Hash and encode", selected: true }).waitFor();
  await page.getByText(/^HTTP body of GET /).waitFor();
  assert.equal(
    await page.locator('code[data-algorithm="SHA-256"]').textContent(),
    createHash("sha256").update(body).digest("hex"),
  );
  await page.context().close();
});

test("\"Hash this…\" on a WebSocket message brings its bytes to Hash and encode", async () => {
  const page = await newPage();
  const ws = new WsLabPage(page);
  await ws.open();
  await ws.connect();
  await ws.send("hello");
  await ws.message("received", "text", "hello").getByRole("button").first().click();
  await page.getByRole("button", { name: "Hash this…" }).click();
  await page.getByRole("tab", { name: "Hash and encode", selected: true }).waitFor();
  await page.getByText(/WebSocket message #/).waitFor();
  assert.equal(
    await page.locator('code[data-algorithm="SHA-256"]').textContent(),
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
  );
  await page.context().close();
});
