// Benchmark: opening a big capture in the Formats lab's Decode tab, in headless Chromium. Run by
// `cargo xtask bench-pcap`, which builds the app, serves it, writes the capture and sets
// WIRELAB_URL, PCAP (the file's path), REPS and REPORT (where to write one line per run).
//
// Each run is a fresh browser context: open /formats, the Decode tab, pick the file through the
// tab's file input (as a person would), and measure
// - first rows: from picking the file to the first row of the packet list on screen;
// - all rows: until the status no longer says "reading";
// - the longest main-thread task meanwhile (Long Tasks API), and how many tasks passed 50 ms.
// A failed run is written as FAILED and makes the script exit 1.

import { writeFileSync } from "node:fs";
import { launch } from "../support.mjs";

const url = process.env.WIRELAB_URL ?? "http://127.0.0.1:8080/";
const file = process.env.PCAP;
const reps = Number(process.env.REPS ?? 3);
const report = process.env.REPORT;
if (!file) throw new Error("set PCAP to the capture's path");

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(new URL("/formats", url).href);
    await page.getByRole("tab", { name: "Decode" }).click();
    await page.locator(".ok-note").first().waitFor({ timeout: 30_000 });
    await page.evaluate(() => {
      window.__bench = { longest: 0, tasks: 0, over50: 0 };
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          window.__bench.tasks += 1;
          window.__bench.longest = Math.max(window.__bench.longest, entry.duration);
          if (entry.duration > 50) window.__bench.over50 += 1;
        }
      }).observe({ type: "longtask" });
    });
    const started = Date.now();
    await page.locator(".decode input[type=file]").first().setInputFiles(file);
    await page.locator(".capture-row").first().waitFor({ timeout: 120_000 });
    const firstRows = Date.now() - started;
    await page.waitForFunction(() => {
      const status = document.querySelector("[data-testid=capture-status]");
      return status && !status.textContent.includes("reading");
    }, null, { timeout: 300_000, polling: 50 });
    const allRows = Date.now() - started;
    await page.waitForTimeout(300);
    const bench = await page.evaluate(() => window.__bench);
    const status = await page.getByTestId("capture-status").textContent();
    const packets = Number((status.match(/(\d+) packets/) ?? [])[1] ?? 0);
    if (!packets) throw new Error(`no packets counted: ${status}`);
    return { firstRows, allRows, longest: bench.longest, over50: bench.over50, packets };
  } finally {
    await context.close();
  }
}

const browser = await launch();
const lines = [];
let failed = false;
try {
  for (let rep = 1; rep <= reps; rep++) {
    try {
      const result = await run(browser);
      lines.push(`${rep}\t${result.firstRows}\t${result.allRows}\t${result.longest.toFixed(0)}\t${result.over50}\t${result.packets}`);
      console.log(`run ${rep}: first rows ${result.firstRows} ms, all ${result.allRows} ms, longest task ${result.longest.toFixed(0)} ms, ${result.packets} packets`);
    } catch (error) {
      failed = true;
      lines.push(`${rep}\tFAILED\t${error.message.split("\n")[0]}`);
      console.error(`run ${rep} FAILED: ${error.message}`);
    }
  }
} finally {
  await browser.close();
}
if (report) writeFileSync(report, lines.join("\n") + "\n");
process.exit(failed ? 1 : 0);
