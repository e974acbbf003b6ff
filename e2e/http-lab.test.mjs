// Journeys through the HTTP lab in real Chromium against wirelab-server's httpbin-style routes.

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

/** Page object for the HTTP lab: actions and readings by visible label and role. */
class HttpLabPage {
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
  async request(method, path) {
    await this.page.getByLabel("Method", { exact: true }).fill(method);
    await this.page.getByLabel("URL", { exact: true }).fill(this.url(path));
  }
  async tab(name) {
    await this.page.getByRole("tab", { name, exact: true }).click();
  }
  async send() {
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }
  status() {
    return this.page.getByTestId("response-status");
  }
}

async function newLab(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme });
  const page = await context.newPage();
  const lab = new HttpLabPage(page);
  await lab.open();
  return lab;
}

test("GET /json shows the body as a tree", async () => {
  const lab = await newLab();
  await lab.request("GET", "/json");
  await lab.send();
  await lab.status().filter({ hasText: "200" }).waitFor();
  const tree = lab.page.getByTestId("tree-view");
  await tree.waitFor();
  assert.ok((await lab.page.getByRole("treeitem").count()) > 3, "the tree has rows");
  await lab.page.screenshot({ path: screenshotPath("http-lab-json") });
});

test("POST a JSON body to /anything and see it echoed", async () => {
  const lab = await newLab("dark");
  await lab.request("POST", "/anything/orders");
  await lab.tab("Body");
  await lab.page.getByLabel("Body type").selectOption("json");
  await lab.page.getByLabel("Body", { exact: true }).fill('{"order": 42, "items": ["tea", "cake"]}');
  await lab.send();
  await lab.status().filter({ hasText: "200" }).waitFor();
  await lab.tab("Raw");
  const raw = await lab.page.getByTestId("response-raw").textContent();
  const echoed = JSON.parse(raw);
  assert.equal(echoed.method, "POST");
  assert.deepEqual(echoed.json, { order: 42, items: ["tea", "cake"] });
  assert.match(echoed.headers["Content-Type"] ?? echoed.headers["content-type"], /application\/json/);
  await lab.page.screenshot({ path: screenshotPath("http-lab-post-dark") });
});

test("/status/418 shows 418 and its reason", async () => {
  const lab = await newLab();
  await lab.request("GET", "/status/418");
  await lab.send();
  await lab.status().filter({ hasText: "418" }).waitFor();
  assert.match(await lab.status().textContent(), /^418 I'm a Teapot$/i);
});

test("Basic auth: refused without credentials, accepted with them", async () => {
  const lab = await newLab();
  await lab.request("GET", "/basic-auth/ada/lovelace");
  await lab.send();
  await lab.status().filter({ hasText: "401" }).waitFor();
  await lab.tab("Auth");
  await lab.page.getByLabel("Auth type").selectOption("basic");
  await lab.page.getByLabel("Username").fill("ada");
  await lab.page.getByLabel("Password").fill("lovelace");
  await lab.send();
  await lab.status().filter({ hasText: "200" }).waitFor();
  await lab.tab("Raw");
  assert.match(await lab.page.getByTestId("response-raw").textContent(), /"authenticated":\s*true/);
});

test("a bad JSON body shows its line and column and nothing is sent", async () => {
  const lab = await newLab();
  await lab.request("POST", "/post");
  await lab.tab("Body");
  await lab.page.getByLabel("Body type").selectOption("json");
  await lab.page.getByLabel("Body", { exact: true }).fill('{\n  "a": 1,\n  "b": \n}');
  const historyBefore = await lab.page.locator(".history-item").count();
  await lab.send();
  const alert = lab.page.getByRole("alert").filter({ hasText: "Nothing was sent" });
  await alert.waitFor();
  assert.match(await alert.textContent(), /line 4, column 1/);
  assert.equal(await lab.page.locator(".history-item").count(), historyBefore, "nothing was sent");
  assert.equal(await lab.page.getByLabel("Body", { exact: true }).inputValue(), '{\n  "a": 1,\n  "b": \n}');
});

test("history survives a reload and restores a request in one click", async () => {
  const lab = await newLab();
  await lab.request("GET", "/uuid");
  await lab.send();
  await lab.status().filter({ hasText: "200" }).waitFor();
  await lab.page.reload();
  await lab.page.getByRole("button", { name: "Send", exact: true }).waitFor();
  await lab.page.locator(".history-item", { hasText: "/uuid" }).first().click();
  assert.equal(await lab.page.getByLabel("URL", { exact: true }).inputValue(), lab.url("/uuid"));
});

test("an unreachable server is a clear network error and the request is kept", async () => {
  const lab = await newLab();
  await lab.page.getByLabel("URL", { exact: true }).fill("http://127.0.0.1:9/nothing-listens-here");
  await lab.send();
  const error = lab.page.getByTestId("response-error");
  await error.waitFor();
  assert.match(await error.textContent(), /Network error/);
  assert.equal(await lab.page.getByLabel("URL", { exact: true }).inputValue(), "http://127.0.0.1:9/nothing-listens-here");
});

test("a server without CORS headers: the refusal is explained", async () => {
  // A second origin that answers but never sends Access-Control-Allow-Origin.
  const { createServer } = await import("node:http");
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("you cannot read me from another origin");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const lab = await newLab();
    await lab.page.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${server.address().port}/secret`);
    await lab.send();
    const error = lab.page.getByTestId("response-error");
    await error.waitFor();
    const text = await error.textContent();
    assert.match(text, /Blocked by CORS/);
    assert.match(text, /Access-Control-Allow-Origin/);
    await lab.page.screenshot({ path: screenshotPath("http-lab-cors") });
  } finally {
    server.close();
  }
});

test("Cancel stops a slow request, and a timeout says so", async () => {
  const lab = await newLab();
  await lab.request("GET", "/delay/5");
  await lab.send();
  await lab.page.getByRole("button", { name: "Cancel", exact: true }).click();
  await lab.page.getByTestId("response-error").filter({ hasText: "Cancelled" }).waitFor();
  await lab.tab("Options");
  await lab.page.getByLabel("Timeout (ms)").fill("300");
  await lab.send();
  await lab.page.getByTestId("response-error").filter({ hasText: "Timed out" }).waitFor();
});

test("import a pasted cURL command, then see it as Python", async () => {
  const lab = await newLab();
  await lab.page.getByRole("button", { name: "Import cURL" }).click();
  const command = `curl -X PUT '${lab.url("/put")}' -H 'X-Lab: yes' --json '{"a":1}'`;
  await lab.page.getByLabel("Paste a curl command").fill(command);
  await lab.page.getByRole("button", { name: "Import", exact: true }).click();
  assert.equal(await lab.page.getByLabel("Method", { exact: true }).inputValue(), "PUT");
  await lab.page.getByRole("tab", { name: "Python requests" }).click();
  const python = await lab.page.getByTestId("generated-code").textContent();
  assert.match(python, /import requests/);
  assert.match(python, /"X-Lab": "yes"/);
  await lab.send();
  await lab.status().filter({ hasText: "200" }).waitFor();
  await lab.tab("Sent vs received");
  await lab.page.getByTestId("server-got").waitFor();
  const got = await lab.page.getByTestId("server-got").textContent();
  assert.match(got, /^PUT \/dump\/request HTTP\/1\.1/);
  assert.match(got, /x-lab: yes/i);
  await lab.page.screenshot({ path: screenshotPath("http-lab-sent-vs-received") });
});
