// The service worker: it keeps every file of one build of the app in a cache of that build's own
// and serves the app from it, so after one visit Wirelab opens without the server, and a page
// runs on one build from its first file to the last lab it loads.
//
// wirelab-server sends this file as /sw.js with `self.WIRELAB_BUILD = {version, assets}` written
// above it (crates/server/src/static_files/service_worker.rs): every file of its static directory
// with its SHA-256. A new build changes that line, so the browser installs the new worker beside
// the running one; it fills a new cache and waits. The page then offers "Reload" (index.html's
// registration, src/offline.rs); the page's "skip-waiting" message lets it take over, every page
// it controls reloads, and the old build's cache is deleted.
//
// Only GET requests for the build's own files and navigations to the app's routes are answered
// here. The API, /ws/, the httpbin routes and everything else go to the network untouched.

"use strict";

const BUILD = self.WIRELAB_BUILD;
const CACHE_PREFIX = "wirelab-build-";
const CACHE = CACHE_PREFIX + BUILD.version;
/** The build's files by URL path, with their `integrity`. */
const ASSETS = new Map(BUILD.assets.map((asset) => [asset.url, asset.integrity]));
/** The page every navigation to an app route gets. */
const SHELL = "/index.html";
/** The shell's routes (src/route.rs; crates/server/tests/service_worker.rs checks the two agree).
 *  Other paths without an extension are the server's. */
const APP_ROUTES = new Set(["/", "/ws", "/http", "/formats", "/sockets", "/security", "/concurrency", "/iot"]);

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(deleteOtherBuilds());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (APP_ROUTES.has(url.pathname)) event.respondWith(fromBuild(SHELL, request));
    return;
  }
  if (ASSETS.has(url.pathname)) event.respondWith(fromBuild(url.pathname, request));
});

/**
 * Fetches every file of the build into its cache. `integrity` makes a file of any other build
 * (the server restarted on a new one meanwhile) fail the install, so the cache holds one build or
 * none; `no-cache` revalidates (ETag, 304) rather than trusting the HTTP cache blindly. Files a
 * failed install already stored are verified copies and are kept.
 */
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    BUILD.assets.map(async ({ url, integrity }) => {
      if (await cache.match(url)) return;
      const response = await fetch(url, { cache: "no-cache", integrity });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      await cache.put(url, response);
    }),
  );
}

async function deleteOtherBuilds() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
}

/** The build's copy of a file; the network only if the cache lost it (storage cleared). */
async function fromBuild(path, request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(path);
  return cached ?? fetch(request);
}
