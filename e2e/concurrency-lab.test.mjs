// Journeys through the Concurrency lab in real Chromium against wirelab-server: 12 × /delay/1
// all at once over HTTP/1.1 queues requests 7–12 behind the browser's six connections, the same
// over HTTP/2 (the server's TLS port, its self-signed certificate trusted by `launch`) shares one
// connection and queues nothing, the wall times side by side, 50 WebSockets open at once, the
// plan as Python copied, and an untrusting browser told how to trust the certificate.
// Screenshots in light and dark.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newPage(colorScheme = "light") {
  // The TLS port's certificate is self-signed: `launch` trusts exactly it, as a person would once.
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, colorScheme });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl).origin });
  return context.newPage();
}

/** The server's TLS port from /api/info, or null when it has none. */
async function tlsPort() {
  const info = await (await fetch(new URL("/api/info", baseUrl))).json();
  return info.tls?.port ?? null;
}

/** Page object for the Concurrency lab: actions and readings by visible label and role. */
class ConcurrencyLabPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/concurrency", baseUrl).href);
    await this.page.getByRole("button", { name: /^Run \d+/ }).waitFor();
  }
  async plan({ count, open = "HTTP requests", strategy, delay, over, limit }) {
    const page = this.page;
    await page.getByRole("radio", { name: open, exact: true }).check();
    if (count !== undefined) await page.getByLabel("How many").fill(String(count));
    if (delay !== undefined) {
      await page.getByLabel("Endpoint").selectOption("delay");
      await page.getByLabel("Seconds").fill(String(delay));
    }
    if (strategy) await page.getByRole("radio", { name: strategy, exact: true }).check();
    if (limit !== undefined) await page.getByLabel("k", { exact: true }).fill(String(limit));
    if (over) await page.getByRole("radio", { name: new RegExp(`^${over.replace("/", "\\/")}`) }).check();
  }
  /** Presses Run and waits for the run's sentences. */
  async run(timeout = 20_000) {
    const runs = await this.page.getByTestId("conc-run").count();
    await this.page.getByRole("button", { name: /^Run \d+/ }).click();
    await this.page.getByTestId("conc-run").nth(runs).waitFor({ timeout });
    await this.page.getByTestId("conc-progress").waitFor({ state: "detached", timeout });
    return (await this.page.getByTestId("conc-sentences").textContent()) ?? "";
  }
  /** Each row's queued milliseconds, in order. */
  async queued() {
    return this.page.getByTestId("conc-row").evaluateAll((rows) => rows.map((row) => Number(row.dataset.queuedMs)));
  }
}

test("12 × /delay/1 all at once: six connections and a queue on HTTP/1.1, one connection on HTTP/2", async () => {
  const page = await newPage();
  await page.goto(baseUrl);
  await page.getByRole("link", { name: "Concurrency", exact: true }).click();
  const lab = new ConcurrencyLabPage(page);
  await page.getByTestId("conc-empty").waitFor();
  await page.screenshot({ path: screenshotPath("concurrency-lab-empty") });

  await lab.plan({ count: 12, delay: 1, strategy: "All at once", over: "HTTP/1.1" });
  const http1 = await lab.run();
  assert.match(http1, /On HTTP\/1\.1 the browser opened/, http1);
  // About one second: rows 7–12 wait for rows 1–6, less the few ms they started after them.
  const aboutOneSecond = String.raw`(?:9\d\d(?:\.\d)? ms|1\.\d\d s)`;
  assert.match(http1, new RegExp(`requests 7–12 waited a median ${aboutOneSecond} in the queue`), http1);
  const queued = await lab.queued();
  assert.equal(queued.length, 12);
  assert.ok(queued.slice(0, 6).every((ms) => ms < 500), `rows 1–6 barely queued: ${queued}`);
  assert.ok(queued.slice(6).every((ms) => ms > 700 && ms < 1500), `rows 7–12 queued about 1 s: ${queued}`);
  // A row's figures on focus (the pointer moved out of the way, as hovering shows a row too).
  await page.mouse.move(0, 0);
  await page.getByTestId("conc-row").nth(7).focus();
  assert.match(
    await page.locator(".conc-detail").textContent(),
    new RegExp(`#8: 200 HTTP/1\\.1.*Queued / stalled: ${aboutOneSecond}`, "s"),
  );
  await page.screenshot({ path: screenshotPath("concurrency-lab-http1") });

  const port = await tlsPort();
  if (port === null) {
    // Without a TLS port the lab says how to get one.
    await page.getByRole("radio", { name: /^HTTP\/2/ }).check();
    await page.getByText("this server has no TLS port").waitFor();
    return;
  }
  await lab.plan({ over: "HTTP/2" });
  const http2 = await lab.run();
  assert.match(http2, /On HTTP\/2 all 12 shared one connection( already open)?; none queued\./, http2);
  assert.ok((await lab.queued()).every((ms) => ms < 300), `nothing queued on HTTP/2: ${await lab.queued()}`);
  // Both runs side by side, the HTTP/2 one about half the wall time of the HTTP/1.1 one.
  const walls = await page.getByTestId("conc-run-wall").allTextContents();
  assert.equal(walls.length, 2, walls.join(" | "));
  const seconds = walls.map((text) => parseFloat(text));
  assert.ok(seconds[0] < 1.6 && seconds[1] > 1.8, `HTTP/2 ≈ 1 s, HTTP/1.1 ≈ 2 s: ${walls}`);
  await page.screenshot({ path: screenshotPath("concurrency-lab-http2"), fullPage: true });
});

test("50 WebSockets at once, and the plan as Python with a semaphore (dark)", async () => {
  const page = await newPage("dark");
  const lab = new ConcurrencyLabPage(page);
  await lab.open();
  await lab.plan({ open: "WebSockets to /ws/echo", count: 50, over: "HTTP/1.1" });
  const sockets = await lab.run();
  assert.match(sockets, /50 of 50 WebSockets opened; at most 50 open at once\./, sockets);
  assert.match(await page.getByTestId("python-program").textContent(), /ws_connect\(URL\)/);
  await page.screenshot({ path: screenshotPath("concurrency-lab-websockets-dark"), fullPage: true });

  await lab.plan({ count: 6, delay: 0.5, strategy: "At most k at a time", limit: 2 });
  const limited = await lab.run();
  assert.match(limited, /Wall time 1\.\d\d s/, limited);
  const program = await page.getByTestId("python-program").textContent();
  assert.match(program, /asyncio\.Semaphore\(2\)/);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Copied to the clipboard" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), program);
  await page.screenshot({ path: screenshotPath("concurrency-lab-python-dark"), fullPage: true });
});

test("HTTP/2 with the certificate not yet trusted says how to trust it", async (t) => {
  const port = await tlsPort();
  if (port === null) return t.skip("the server has no TLS port (--tls-port)");
  // A browser of its own that does not trust the self-signed certificate (no SPKI exception).
  const untrusting = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  });
  t.after(() => untrusting.close());
  const context = await untrusting.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const lab = new ConcurrencyLabPage(page);
  await lab.open();
  await lab.plan({ count: 2, delay: 0, over: "HTTP/2" });
  const sentences = await lab.run();
  assert.match(sentences, /2 requests failed/, sentences);
  assert.match(sentences, new RegExp(`open https://127\\.0\\.0\\.1:${port}/ once in this browser and accept it`), sentences);
  await page.screenshot({ path: screenshotPath("concurrency-lab-untrusted") });
});
