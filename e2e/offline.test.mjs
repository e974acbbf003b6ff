// The app offline, in real Chromium: after one visit the service worker (www/sw.js) holds every
// file of the build, so the app reloads with the network off, and with its server stopped, and
// the Formats lab and the Security lab's Hash and encode work there, while the shell says which
// labs need the server and the HTTP lab fails in place. Then a new build on the same address is
// offered as "Reload", and once taken every file the page gets is the new build's.
//
// The journey runs its own wirelab-server (WIRELAB_SERVER_BIN, by default the debug build
// `cargo xtask test` makes) on a free port, from copies of the built app (WIRELAB_DIST, by default
// dist/), because it stops that server and starts it again on a second build.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { launch, screenshotPath } from "./support.mjs";

const ROOT = join(import.meta.dirname, "..");
const SERVER_BIN = process.env.WIRELAB_SERVER_BIN ?? join(ROOT, "target", "debug", "wirelab-server");
const BUILT_DIST = process.env.WIRELAB_DIST ?? join(ROOT, "dist");
const MISSING = [SERVER_BIN, join(BUILT_DIST, "index.html")].filter((path) => !existsSync(path));

/** What the second build changes: index.html and a lab module say which build they are. (Not a
 *  file index.html names: trunk gives those an `integrity`, which a changed file would fail.) */
const BUILD_MARKER = "wirelab-offline-journey-build-2";

let browser;
let scratch;
let port;
/** Every server the journey started, so none outlives it. */
const servers = new Set();
before(async () => {
  browser = await launch();
  scratch = mkdtempSync(join(tmpdir(), "wirelab-offline-"));
  port = await freePort();
});
after(async () => {
  await stopServer();
  await browser?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function baseUrl() {
  return `http://127.0.0.1:${port}/`;
}

async function freePort() {
  const listener = createServer();
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port: free } = listener.address();
  await new Promise((resolve) => listener.close(resolve));
  return free;
}

/** Starts wirelab-server on the journey's port, serving `dist`, and waits until it answers. */
async function startServer(dist) {
  const server = spawn(SERVER_BIN, ["--port", String(port), "--static-dir", dist, "--no-peers"], { stdio: "ignore" });
  servers.add(server);
  server.once("exit", () => servers.delete(server));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(new URL("/api/info", baseUrl()))).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`wirelab-server did not answer on ${baseUrl()} within 30 s`);
}

async function stopServer() {
  await Promise.all(
    [...servers].map((server) => {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      return exited;
    }),
  );
}

/** A copy of the built app: the journey changes its copies, never the build. */
function copyOfBuild(name) {
  const dist = join(scratch, name);
  cpSync(BUILT_DIST, dist, { recursive: true });
  return dist;
}

/**
 * The second build: index.html carries `<meta name="wirelab-build">`, and the Formats lab's
 * module ends with a comment naming the build. Their precompressed copies go, so the server
 * sends the new text.
 */
function secondBuild(name) {
  const dist = copyOfBuild(name);
  const changes = [
    ["index.html", (text) => text.replace("<head>", `<head><meta name="wirelab-build" content="${BUILD_MARKER}">`)],
    ["labs/lab_formats.js", (text) => `${text}\n// ${BUILD_MARKER}\n`],
  ];
  for (const [file, change] of changes) {
    const path = join(dist, file);
    writeFileSync(path, change(readFileSync(path, "utf8")));
    rmSync(`${path}.br`, { force: true });
    rmSync(`${path}.gz`, { force: true });
  }
  return dist;
}

/** Every file of a dist (not the precompressed copies) by URL path, with its SHA-256. */
function filesOf(dist) {
  const files = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) walk(path);
      else if (!/\.(br|gz)$/.test(entry.name) || !existsSync(path.replace(/\.(br|gz)$/, ""))) {
        files.set(`/${relative(dist, path)}`, createHash("sha256").update(readFileSync(path)).digest("hex"));
      }
    }
  };
  walk(dist);
  return files;
}

async function newPage(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme });
  return context.newPage();
}

/** Waits until the service worker has precached the build and is active. */
async function workerReady(page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active.scriptURL;
  });
}

/** What the page's caches hold: their names, and the files and bytes in them. */
async function cacheContents(page) {
  return page.evaluate(async () => {
    const names = await caches.keys();
    let files = 0;
    let bytes = 0;
    for (const name of names) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        files += 1;
        bytes += (await (await cache.match(request)).arrayBuffer()).byteLength;
      }
    }
    return { names, files, bytes };
  });
}

/** The SHA-256 of each file as the page gets it now (through its service worker). */
async function filesAsThePageGetsThem(page, paths) {
  return page.evaluate(async (paths) => {
    const hashes = {};
    for (const path of paths) {
      const bytes = await (await fetch(path)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      hashes[path] = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
    }
    return hashes;
  }, paths);
}

const overviewHeading = (page) => page.getByRole("heading", { name: "See what goes over the wire." });
const offlineNotice = (page) => page.getByTestId("offline-notice");

/** Encodes a document in the Formats lab and decodes bytes in its Decode tab. */
async function formatsLabWorks(page) {
  await page.getByRole("link", { name: "Formats", exact: true }).click();
  await page.getByLabel("Source (JSON)").fill('{"id": 7, "name": "offline"}');
  await page.getByLabel("Source (JSON)").press("Control+Enter");
  await page.locator(".compare-main[aria-busy=false]").waitFor();
  const cbor = page.getByRole("region", { name: "CBOR", exact: true }).getByTestId("wire-size");
  assert.match((await cbor.textContent()) ?? "", /^\s*\d+ B/, "the document is encoded as CBOR");
  await page.getByRole("tab", { name: "Decode", exact: true }).click();
  await page.getByLabel("Bytes (hex or base64)").fill("83 01 02 03");
  await page.getByText("Decoded 4 B as CBOR").waitFor();
}

/** Hashes "abc" in the Security lab's Hash and encode tab. */
async function hashingWorks(page) {
  await page.getByRole("link", { name: "Security", exact: true }).click();
  await page.getByRole("tab", { name: "Hash and encode" }).click();
  await page.getByLabel("Text", { exact: true }).fill("abc");
  const sha256 = page.locator('code[data-algorithm="SHA-256"]');
  await sha256.filter({ hasText: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" }).waitFor();
}

/** The HTTP lab, which needs the server, fails in place. */
async function httpLabSaysItNeedsTheServer(page) {
  await page.getByRole("link", { name: "HTTP", exact: true }).click();
  await page.getByLabel("URL", { exact: true }).fill(new URL("/get", baseUrl()).href);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const error = page.getByTestId("response-error");
  await error.waitFor();
  assert.match(await error.textContent(), /Network error/);
}

test("after one visit the app opens offline, and with its server stopped", { skip: MISSING.length > 0 && `missing ${MISSING.join(", ")}` }, async (t) => {
  t.after(stopServer);
  await startServer(copyOfBuild("build-1"));
  const page = await newPage();
  await page.goto(baseUrl());
  await overviewHeading(page).waitFor();
  assert.equal(await offlineNotice(page).count(), 0, "a page from the server says nothing about being offline");
  const badges = await page.locator(".offline-badge").allTextContents();
  assert.deepEqual(badges, ["Works offline", "Hash and encode works offline"]);
  assert.match(await workerReady(page), /\/sw\.js$/);
  // Chromium reads the manifest without error and finds nothing against installing the app but
  // the journey's own incognito context.
  const cdp = await page.context().newCDPSession(page);
  const manifest = await cdp.send("Page.getAppManifest");
  assert.deepEqual([manifest.url.endsWith("/manifest.webmanifest"), manifest.errors], [true, []]);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors.map((error) => error.errorId), ["in-incognito"]);
  const cached = await cacheContents(page);
  assert.equal(cached.names.length, 1, `one build cached: ${cached.names}`);
  assert.equal(cached.files, filesOf(BUILT_DIST).size, "every file of the build");
  t.diagnostic(`precached ${cached.files} files, ${cached.bytes} bytes as stored (decoded)`);

  // The network off: the page reloads from the worker's cache and the shell says what works.
  await page.context().setOffline(true);
  let started = Date.now();
  await page.reload();
  await overviewHeading(page).waitFor();
  t.diagnostic(`offline (network off): the Overview in ${Date.now() - started} ms`);
  await offlineNotice(page).waitFor();
  const notice = (await offlineNotice(page).textContent()) ?? "";
  for (const words of ["cannot be reached", "Formats lab", "Hash and encode", "HTTP, WebSocket, Sockets, IoT, Concurrency"]) {
    assert.ok(notice.includes(words), `the notice says "${words}": ${notice}`);
  }
  await page.screenshot({ path: screenshotPath("offline-overview-light") });
  started = Date.now();
  await formatsLabWorks(page);
  t.diagnostic(`offline (network off): the Formats lab encoded and decoded ${Date.now() - started} ms after the click`);
  await page.screenshot({ path: screenshotPath("offline-formats-light") });
  await hashingWorks(page);
  await httpLabSaysItNeedsTheServer(page);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: screenshotPath("offline-http-lab-dark") });

  // The network on, the server stopped: the same, and "Try again" finds the server back.
  await page.context().setOffline(false);
  await stopServer();
  started = Date.now();
  await page.goto(baseUrl());
  await overviewHeading(page).waitFor();
  t.diagnostic(`offline (server stopped): the Overview in ${Date.now() - started} ms`);
  await offlineNotice(page).waitFor();
  await page.screenshot({ path: screenshotPath("offline-overview-dark") });
  await formatsLabWorks(page);
  await hashingWorks(page);
  await startServer(copyOfBuild("build-1-again"));
  await page.getByRole("button", { name: "Try again", exact: true }).click();
  await offlineNotice(page).waitFor({ state: "detached" });
  assert.equal(await page.getByRole("button", { name: "Reload", exact: true }).count(), 0, "the same build is no update");
  await stopServer();
  await page.context().close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`a new build is offered as Reload and then replaces the old one whole (${colorScheme})`, { skip: MISSING.length > 0 && `missing ${MISSING.join(", ")}` }, async (t) => {
    t.after(stopServer);
    const firstBuild = copyOfBuild(`first-${colorScheme}`);
    await startServer(firstBuild);
    const page = await newPage(colorScheme);
    await page.goto(baseUrl());
    await workerReady(page);
    await page.reload();
    await overviewHeading(page).waitFor();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), "the worker controls the page");

    // The server comes back with another build: the page learns of it and offers to reload.
    await stopServer();
    await page.reload();
    await offlineNotice(page).waitFor();
    const newBuild = secondBuild(`second-${colorScheme}`);
    await startServer(newBuild);
    await page.getByRole("button", { name: "Try again", exact: true }).click();
    const prompt = page.getByRole("status").filter({ hasText: "A new version of Wirelab is ready." });
    await prompt.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: screenshotPath(`offline-update-ready-${colorScheme}`) });

    // Until Reload, the page runs on its own build, even for a lab it has not opened yet.
    const before = await filesAsThePageGetsThem(page, ["/labs/lab_formats.js"]);
    assert.equal(before["/labs/lab_formats.js"], filesOf(firstBuild).get("/labs/lab_formats.js"));
    await page.getByRole("link", { name: "Formats", exact: true }).click();
    await page.getByRole("tab", { name: "Decode", exact: true }).waitFor();
    const marker = () => page.evaluate(() => document.querySelector('meta[name="wirelab-build"]')?.content ?? "");
    assert.equal(await marker(), "", "the old index.html");

    // Reload: the page comes back on the new build, every file of it, and the old cache is gone.
    await Promise.all([page.waitForEvent("load"), prompt.getByRole("button", { name: "Reload" }).click()]);
    await page.getByRole("tab", { name: "Decode", exact: true }).waitFor();
    assert.equal(await marker(), BUILD_MARKER, "the new index.html");
    const expected = filesOf(newBuild);
    const got = await filesAsThePageGetsThem(page, [...expected.keys()]);
    for (const [path, hash] of expected) {
      assert.equal(got[path], hash, `${path} is the new build's`);
    }
    const cached = await cacheContents(page);
    assert.equal(cached.names.length, 1, `only the new build's cache is left: ${cached.names}`);
    assert.equal(await prompt.count(), 0, "no prompt after the switch");
    await stopServer();
    await page.context().close();
  });
}
