// Benchmark: how long after a large JSON response ends does the HTTP lab paint its tree, and
// does the page stay responsive? Run by `cargo xtask bench-tree` (which starts wirelab-server
// and sets WIRELAB_URL). The peer, measured in the same page and run, is the browser's own
// JSON.parse of the same text: our figure is reported as a ratio to it.

import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { launch } from "../support.mjs";

const baseUrl = process.env.WIRELAB_URL ?? "http://127.0.0.1:8080/";
const sizesMb = (process.env.SIZES_MB ?? "1,5,20").split(",").map(Number);
const runs = Number(process.env.RUNS ?? 3);

/** A JSON document of about `mb` megabytes: an array of sensor readings. */
function document(mb) {
  const target = mb * 1024 * 1024;
  const parts = [];
  let size = 2;
  for (let i = 0; size < target; i++) {
    const item = JSON.stringify({
      id: i, sensor: `s-${i % 97}`, celsius: Math.round(Math.sin(i) * 2000) / 100, ok: i % 7 !== 0,
      tags: ["lab", "wire"], location: { room: `r${i % 13}`, floor: i % 5 },
    });
    parts.push(item);
    size += item.length + 1;
  }
  return `[${parts.join(",")}]`;
}

const bodies = new Map(sizesMb.map((mb) => [mb, document(mb)]));
const server = createServer((request, response) => {
  const mb = Number(request.url.split("/").pop());
  const body = bodies.get(mb);
  response.writeHead(body ? 200 : 404, {
    "content-type": "application/json",
    "access-control-allow-origin": "*",
    "timing-allow-origin": "*",
    "cache-control": "no-store",
  });
  response.end(body ?? "{}");
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const docUrl = (mb) => `http://127.0.0.1:${server.address().port}/doc/${mb}`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const browser = await launch();
const results = [];
try {
  for (const mb of sizesMb) {
    const samples = [];
    for (let run = 0; run < runs; run++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(new URL("/http", baseUrl).href);
      await page.getByRole("button", { name: "Send", exact: true }).waitFor();
      await page.getByLabel("URL", { exact: true }).fill(docUrl(mb));
      await page.evaluate((url) => {
        window.__bench = { longTasks: [], responseEnd: null, paint: null };
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) window.__bench.longTasks.push([entry.startTime, entry.duration]);
        }).observe({ type: "longtask" });
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (entry.name === url) window.__bench.responseEnd = entry.responseEnd;
        }).observe({ type: "resource" });
        const observer = new MutationObserver(() => {
          if (window.__bench.paint === null && document.querySelector("[data-testid=tree-view] [role=treeitem]")) {
            window.__bench.seen = performance.now();
            // The frame after the rows are in the DOM is the one that paints them.
            requestAnimationFrame(() => setTimeout(() => (window.__bench.paint = performance.now()), 0));
            observer.disconnect();
          }
        });
        observer.observe(document.body, { childList: true, subtree: true });
      }, docUrl(mb));
      await page.getByRole("button", { name: "Send", exact: true }).click();
      await page.waitForFunction(() => window.__bench.paint !== null && window.__bench.responseEnd !== null, null, {
        timeout: 120_000,
      });
      // Let any trailing work show up as long tasks.
      await page.waitForTimeout(500);
      const sample = await page.evaluate(async (url) => {
        const bench = window.__bench;
        const after = bench.longTasks.filter(([start, duration]) => start + duration >= bench.responseEnd);
        const text = await (await fetch(url, { cache: "no-store" })).text();
        const t0 = performance.now();
        JSON.parse(text);
        const parse = performance.now() - t0;
        return {
          paintAfterEnd: bench.paint - bench.responseEnd,
          longestTask: Math.max(0, ...after.map(([, duration]) => duration)),
          longTasks: after.length,
          jsonParse: parse,
        };
      }, docUrl(mb));
      samples.push(sample);
      await page.close();
    }
    const row = {
      mb,
      bytes: bodies.get(mb).length,
      paint_after_response_end_ms: median(samples.map((s) => s.paintAfterEnd)),
      longest_task_ms: median(samples.map((s) => s.longestTask)),
      long_tasks: median(samples.map((s) => s.longTasks)),
      peer_json_parse_ms: median(samples.map((s) => s.jsonParse)),
    };
    row.ratio_to_json_parse = row.paint_after_response_end_ms / row.peer_json_parse_ms;
    results.push(row);
    console.log(
      `${String(mb).padStart(3)} MB: tree painted ${row.paint_after_response_end_ms.toFixed(0)} ms after the response ended ` +
        `(${row.ratio_to_json_parse.toFixed(2)}× the browser's JSON.parse of the same text: ${row.peer_json_parse_ms.toFixed(0)} ms); ` +
        `longest main-thread task ${row.longest_task_ms.toFixed(0)} ms, ${row.long_tasks} long tasks (median of ${runs})`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
const out = join(import.meta.dirname, "..", "..", "target", "bench");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "tree.json"), JSON.stringify(results, null, 2));
console.log(`written to ${join(out, "tree.json")}`);
