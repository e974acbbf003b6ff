// Links that reopen the work: "Copy link" in the HTTP and Formats labs puts the lab's state in
// the URL fragment and on the clipboard; the link opened in a fresh browser context (no storage,
// no history) restores it, without the secrets, and says so. A broken link says why and the lab
// starts as usual; a link opened over work in progress can give that work back.

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

/** A context of its own (nothing shared with the others), allowed to use the clipboard. */
async function freshPage(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl).origin });
  return context.newPage();
}

async function openHttp(page, fragment = "") {
  await page.goto(new URL(`/http${fragment}`, baseUrl).href);
  await page.getByRole("button", { name: "Send", exact: true }).waitFor();
}

async function openFormats(page, fragment = "") {
  await page.goto(new URL(`/formats${fragment}`, baseUrl).href);
  await page.getByRole("button", { name: "Copy link", exact: true }).waitFor();
}

/** Presses Copy link and returns the link from the clipboard (checked against the one shown). */
async function copyLink(page) {
  await page.getByRole("button", { name: "Copy link", exact: true }).click();
  await page.getByRole("status").filter({ hasText: /^Link copied: \d+ characters\.$/ }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.getByLabel("The link", { exact: true }).inputValue(), "the link shown is the one copied");
  assert.match(copied, /#link=1\.[A-Za-z0-9_-]+$/);
  return copied;
}

const noticeOf = (page) => page.locator(".link-notice");

test("an HTTP request comes back from its link without its Authorization header, and says so", async () => {
  const page = await freshPage();
  await openHttp(page);
  const url = new URL("/anything/links?colour=teal&access_token=abc123", baseUrl).href;
  await page.getByLabel("Method", { exact: true }).fill("PUT");
  await page.getByLabel("URL", { exact: true }).fill(url);
  await page.getByRole("tab", { name: "Headers" }).click();
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Headers name 1").fill("Authorization");
  await page.getByLabel("Headers value 1").fill("Bearer s3cret-value");
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Headers name 2").fill("X-Note");
  await page.getByLabel("Headers value 2").fill("kept");
  await page.getByRole("tab", { name: "Options" }).click();
  await page.getByLabel("Timeout (ms)").fill("4321");
  const link = await copyLink(page);
  const panel = page.getByRole("group", { name: "Link to this lab's state" });
  await panel
    .getByText(
      "Left out: the value of the Authorization header and the value of the query parameter access_token.",
    )
    .waitFor();
  await page.screenshot({ path: screenshotPath("links-http-copied") });

  // With secrets the link is another one, and longer.
  await panel.getByLabel("Include secrets").check();
  await page.getByRole("status").filter({ hasText: /^Link copied/ }).waitFor();
  const withSecrets = await page.evaluate(() => navigator.clipboard.readText());
  assert.notEqual(withSecrets, link);
  await page.context().close();

  for (const colorScheme of ["dark", "light"]) {
    const reader = await freshPage(colorScheme);
    await openHttp(reader, new URL(link).hash);
    const notice = noticeOf(reader);
    await notice.filter({ hasText: "Opened from a link." }).waitFor();
    assert.match(await notice.textContent(), /the value of the Authorization header/);
    assert.equal(await reader.getByLabel("Method", { exact: true }).inputValue(), "PUT");
    assert.equal(
      await reader.getByLabel("URL", { exact: true }).inputValue(),
      new URL("/anything/links?colour=teal", baseUrl).href,
      "the secret parameter is out of the URL",
    );
    await reader.getByRole("tab", { name: "Headers" }).click();
    assert.equal(await reader.getByLabel("Headers name 1").inputValue(), "Authorization");
    assert.equal(await reader.getByLabel("Headers value 1").inputValue(), "", "no secret in the restored request");
    assert.equal(await reader.getByLabel("Send Authorization").isChecked(), false);
    assert.equal(await reader.getByLabel("Headers value 2").inputValue(), "kept");
    await reader.getByRole("tab", { name: "Options" }).click();
    assert.equal(await reader.getByLabel("Timeout (ms)").inputValue(), "4321");
    await reader.screenshot({ path: screenshotPath(`links-http-opened-${colorScheme}`) });

    // What is sent is what was shared: X-Note, and no Authorization.
    await reader.getByRole("button", { name: "Send", exact: true }).click();
    await reader.getByTestId("response-status").filter({ hasText: "200" }).waitFor();
    await reader.getByRole("tab", { name: "Raw" }).click();
    const echoed = JSON.parse(await reader.getByTestId("response-raw").textContent());
    assert.equal(echoed.method, "PUT");
    const headerNames = Object.keys(echoed.headers).map((name) => name.toLowerCase());
    assert.ok(headerNames.includes("x-note") && !headerNames.includes("authorization"), headerNames.join(", "));
    await reader.context().close();
  }

  // The link with secrets brings the header's value back.
  const trusted = await freshPage();
  await openHttp(trusted, new URL(withSecrets).hash);
  await noticeOf(trusted).filter({ hasText: "It held everything the lab had." }).waitFor();
  await trusted.getByRole("tab", { name: "Headers" }).click();
  assert.equal(await trusted.getByLabel("Headers value 1").inputValue(), "Bearer s3cret-value");
  await trusted.context().close();
});

test("a link pasted over work in progress restores the lab and can give the work back", async () => {
  const author = await freshPage();
  await openHttp(author);
  await author.getByLabel("URL", { exact: true }).fill(new URL("/get?from=link", baseUrl).href);
  const link = await copyLink(author);
  await author.context().close();

  const page = await freshPage();
  await openHttp(page);
  const mine = new URL("/anything/my-draft", baseUrl).href;
  await page.getByLabel("URL", { exact: true }).fill(mine);
  // Pasted into the address bar of the same page: only the fragment changes.
  await page.evaluate((hash) => {
    location.hash = hash;
  }, new URL(link).hash);
  await noticeOf(page).filter({ hasText: "Opened from a link." }).waitFor();
  assert.equal(await page.getByLabel("URL", { exact: true }).inputValue(), new URL("/get?from=link", baseUrl).href);
  await page.getByRole("button", { name: "Bring back what you had" }).click();
  await noticeOf(page).filter({ hasText: "What you had before the link is back." }).waitFor();
  assert.equal(await page.getByLabel("URL", { exact: true }).inputValue(), mine, "nothing typed was lost");
  await page.context().close();
});

test("the Formats lab's document, schema and Decode bytes come back from a link", async () => {
  const page = await freshPage();
  await openFormats(page);
  const schema = 'syntax = "proto3";\npackage links;\nmessage Point {\n  int32 x = 1;\n  int32 y = 2;\n}\n';
  const document = '{\n  "x": 3,\n  "y": -4\n}';
  await page.getByLabel(".proto schema").first().fill(schema);
  await page.getByLabel("Message type").first().selectOption("links.Point");
  await page.getByLabel("Source (JSON)").fill(document);
  await page.getByLabel("Source (JSON)").press("Control+Enter");
  await page.getByRole("tab", { name: "Decode", exact: true }).click();
  const bytes = pointBytes();
  await page.getByLabel("Bytes (hex or base64)").fill(bytes);
  await page.getByLabel("Decode as").selectOption("protobuf");
  const link = await copyLink(page);
  await page.screenshot({ path: screenshotPath("links-formats-copied") });
  await page.context().close();

  for (const colorScheme of ["light", "dark"]) {
    const reader = await freshPage(colorScheme);
    await openFormats(reader, new URL(link).hash);
    await noticeOf(reader).filter({ hasText: "Opened from a link." }).waitFor();
    // The tab it was copied from, with its bytes and reading.
    assert.equal(
      await reader.getByRole("tab", { name: "Decode", exact: true }).getAttribute("aria-selected"),
      "true",
    );
    assert.equal(await reader.getByLabel("Bytes (hex or base64)").inputValue(), bytes);
    assert.equal(await reader.getByLabel("Decode as").inputValue(), "protobuf");
    await reader.screenshot({ path: screenshotPath(`links-formats-decode-opened-${colorScheme}`) });
    await reader.getByRole("tab", { name: "Compare", exact: true }).click();
    assert.equal(await reader.getByLabel("Source (JSON)").inputValue(), document);
    assert.equal(await reader.getByLabel(".proto schema").first().inputValue(), schema);
    assert.equal(await reader.getByLabel("Message type").first().inputValue(), "links.Point");
    await reader.screenshot({ path: screenshotPath(`links-formats-compare-opened-${colorScheme}`) });
    await reader.context().close();
  }
});

/** links.Point { x: 3, y: -4 } in Protobuf, typed with the spacing a person might use. */
function pointBytes() {
  return "08 03 10 fc ff ff ff ff ff ff ff ff 01";
}

test("the WebSocket lab's URL with its knobs, subprotocols and message come back from a link", async () => {
  const page = await freshPage("dark");
  await page.goto(new URL("/ws", baseUrl).href);
  await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
  const url = new URL("/ws/echo?delay_ms=250&token=abc", baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  await page.getByLabel("URL", { exact: true }).fill(url.href);
  await page.getByLabel("Subprotocols").fill("chat, superchat");
  await page.getByLabel("Send as").selectOption("hex");
  await page.getByLabel("Message", { exact: true }).fill("de ad be ef");
  const link = await copyLink(page);
  await page.getByText("Left out: the value of the query parameter token.").waitFor();
  await page.screenshot({ path: screenshotPath("links-ws-copied-dark") });
  await page.context().close();

  const reader = await freshPage("light");
  await reader.goto(link);
  await noticeOf(reader).filter({ hasText: "Opened from a link." }).waitFor();
  url.searchParams.delete("token");
  assert.equal(await reader.getByLabel("URL", { exact: true }).inputValue(), url.href);
  assert.equal(await reader.getByLabel("Subprotocols").inputValue(), "chat, superchat");
  assert.equal(await reader.getByLabel("Send as").inputValue(), "hex");
  assert.equal(await reader.getByLabel("Message", { exact: true }).inputValue(), "de ad be ef");
  await reader.screenshot({ path: screenshotPath("links-ws-opened-light") });
  await reader.context().close();
});

test("a broken link says why, and the lab starts as usual", async () => {
  const author = await freshPage();
  await openHttp(author);
  const link = await copyLink(author);
  await author.context().close();

  const cases = [
    [new URL(link).hash.slice(0, -10), "cut short or damaged"],
    ["#link=7.eJwDAAAAAAE", "made by a newer Wirelab (link version 7"],
    ["#link=1.not*base64", "cannot be in a link"],
  ];
  for (const [index, [fragment, said]] of cases.entries()) {
    const colorScheme = index === 1 ? "dark" : "light";
    const page = await freshPage(colorScheme);
    await openHttp(page, fragment);
    const alert = page.getByRole("alert").filter({ hasText: "The link could not be opened." });
    await alert.waitFor();
    assert.match(await alert.textContent(), new RegExp(said.replace(/[()]/g, "\\$&")));
    // The lab started with its first request.
    assert.equal(await page.getByLabel("URL", { exact: true }).inputValue(), new URL("/get?greeting=hello", baseUrl).href);
    if (index < 2) await page.screenshot({ path: screenshotPath(`links-broken-${colorScheme}`) });
    await page.context().close();
  }
});
