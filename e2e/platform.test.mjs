// The lab platform in real Chromium: a first visit loads only the shell, each lab's module arrives
// when the lab is first opened (with a loading state, and a Retry when it fails), labs keep their
// state across pages, and a big JSON body is indexed by the worker, not the page.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WsLabPage, baseUrl, launch, screenshotPath } from "./support.mjs";

/** The first-visit budget from ARCHITECTURE.md: bytes as the server sends them. */
const FIRST_VISIT_BUDGET = 350_000;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newPage(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme });
  return context.newPage();
}

/** Every response the page receives, with the bytes it took on the wire (headers and body). */
function recordResponses(page) {
  const responses = [];
  page.on("requestfinished", async (request) => {
    try {
      const sizes = await request.sizes();
      const response = await request.response();
      responses.push({
        url: new URL(request.url()).pathname,
        status: response?.status(),
        encoding: (await response?.headerValue("content-encoding")) ?? "identity",
        bytes: sizes.responseBodySize + sizes.responseHeadersSize,
      });
    } catch {
      // The page closed while the sizes were read: the test is over.
    }
  });
  return responses;
}

test("a first visit to / loads the shell only, within the byte budget", async () => {
  const page = await newPage();
  const responses = recordResponses(page);
  await page.goto(new URL("/", baseUrl).href, { waitUntil: "networkidle" });
  await page.getByRole("heading", { name: "See what goes over the wire." }).waitFor();
  const total = responses.reduce((sum, response) => sum + response.bytes, 0);
  const listing = responses.map((r) => `${r.url} ${r.status} ${r.encoding} ${r.bytes}`).join("\n");
  assert.ok(total <= FIRST_VISIT_BUDGET, `first visit took ${total} bytes:\n${listing}`);
  assert.ok(!responses.some((r) => r.url.startsWith("/labs/")), `no lab module on the Overview:\n${listing}`);
  const wasm = responses.find((r) => r.url.endsWith(".wasm"));
  assert.equal(wasm?.encoding, "br", `the shell's wasm is sent compressed:\n${listing}`);
  await page.close();
});

test("opening a lab loads its module once, with a loading state, and only that lab's", async () => {
  const page = await newPage();
  const responses = recordResponses(page);
  // Hold the HTTP lab's wasm back long enough to see (and photograph) the loading state.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/labs/lab_http_bg.wasm*", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(new URL("/", baseUrl).href);
  await page.getByRole("link", { name: "HTTP", exact: true }).click();
  const loading = page.getByRole("status").filter({ hasText: "Loading the HTTP lab…" });
  await loading.waitFor();
  await page.screenshot({ path: screenshotPath("platform-lab-loading") });
  release();
  await page.getByRole("button", { name: "Send", exact: true }).waitFor();
  await loading.waitFor({ state: "detached" });
  const modules = responses.filter((r) => r.url.startsWith("/labs/")).map((r) => r.url);
  assert.deepEqual(modules.sort(), ["/labs/lab_http.js", "/labs/lab_http_bg.wasm"]);

  // The request typed in the lab survives a trip to another page and back, without a reload.
  await page.getByLabel("URL", { exact: true }).fill(new URL("/anything/kept", baseUrl).href);
  await page.getByRole("link", { name: "Overview", exact: true }).click();
  await page.getByRole("heading", { name: "See what goes over the wire." }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Send", exact: true }).isVisible(), false, "the lab is hidden");
  await page.getByRole("link", { name: "HTTP", exact: true }).click();
  assert.equal(await page.getByLabel("URL", { exact: true }).inputValue(), new URL("/anything/kept", baseUrl).href);
  const loads = responses.filter((r) => r.url === "/labs/lab_http_bg.wasm").length;
  assert.equal(loads, 1, "the module is loaded once");
  await page.close();
});

test("a lab whose module fails to load says so and loads on Retry", async () => {
  const page = await newPage("dark");
  await page.route("**/labs/lab_formats_bg.wasm*", (route) => route.abort("connectionrefused"));
  await page.goto(new URL("/formats", baseUrl).href);
  const failure = page.getByRole("alert").filter({ hasText: "The Formats lab could not be loaded" });
  await failure.waitFor();
  assert.match(await failure.textContent(), /lab_formats_bg\.wasm|Failed to fetch/);
  await page.screenshot({ path: screenshotPath("platform-lab-load-failed-dark") });
  await page.unroute("**/labs/lab_formats_bg.wasm*");
  await page.getByRole("button", { name: "Retry", exact: true }).click();
  await page.getByRole("heading", { name: "Formats", level: 1 }).waitFor();
  await failure.waitFor({ state: "detached" });
  await page.close();
});

test("Decode as… reaches a Formats lab that is already loaded, across modules", async () => {
  const page = await newPage();
  await page.goto(new URL("/formats", baseUrl).href);
  await page.getByRole("heading", { name: "Formats", level: 1 }).waitFor();
  const ws = new WsLabPage(page);
  await page.getByRole("link", { name: "WebSocket", exact: true }).click();
  await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
  await ws.connect();
  // CBOR: the array [1, 2, 3].
  await ws.send("83 01 02 03", { as: "hex" });
  await ws.message("received", "binary", "83").waitFor();
  await page.locator(".log-message[data-direction=received]").first().getByRole("button").click();
  await page.getByRole("button", { name: "Decode as…" }).click();
  await page.waitForURL(/\/formats$/);
  await page.getByText("Decoded 4 B as CBOR").waitFor();
  assert.equal(await page.getByLabel("Bytes (hex or base64)").inputValue(), "83 01 02 03");
  // Back goes to the WebSocket lab, still connected.
  await page.goBack();
  await page.locator("[data-testid=connection-status].open").waitFor();
  await page.close();
});

test("an unknown page is a not-found page in the shell, with no lab loaded", async () => {
  const page = await newPage();
  const responses = recordResponses(page);
  await page.goto(new URL("/no-such-lab", baseUrl).href, { waitUntil: "networkidle" });
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.ok(!responses.some((r) => r.url.startsWith("/labs/")));
  await page.close();
});

test("a 20 MB JSON body is indexed by the worker and shown as a tree", async () => {
  const page = await newPage();
  const workers = [];
  page.on("worker", (worker) => workers.push(worker.url()));
  await page.goto(new URL("/http", baseUrl).href);
  await page.getByRole("button", { name: "Send", exact: true }).waitFor();
  await page.getByLabel("URL", { exact: true }).fill(new URL("/json?records=70000", baseUrl).href);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByTestId("response-status").filter({ hasText: "200" }).waitFor({ timeout: 60_000 });
  await page.getByTestId("tree-view").getByRole("treeitem").first().waitFor({ timeout: 60_000 });
  assert.ok(workers.some((url) => url.endsWith("/indexer_loader.js")), `the indexer worker ran: ${workers}`);
  assert.equal(await page.getByText("Indexed on the page").count(), 0, "not indexed on the page");
  await page.screenshot({ path: screenshotPath("platform-big-json-tree") });
  await page.close();
});
