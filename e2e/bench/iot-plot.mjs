// Benchmark: the IoT lab's live plot in headless Chromium at 1,000 and 5,000 readings per second
// in all (the Telemetry tab connected to the server's /ws/telemetry): frames per second (a
// requestAnimationFrame count over the measured seconds) and the longest main-thread task (the
// Long Tasks API), with what the page received, what the server dropped and how many points the
// plot drew, and the share of the measured time the main thread was busy (DevTools' TaskDuration,
// ScriptDuration: the wasm and JavaScript in it, and style and layout). Prints one JSON document on stdout. Run by `cargo xtask bench-iot`, which starts a
// server and sets WIRELAB_URL; SECONDS (default 8) is the measured time of each run, after a
// two-second warm-up. A run that cannot connect or plots nothing fails the command (exit 1); a
// missed target (55 frames/s and no task over 50 ms) is reported, not a failure.

import { launch } from "../support.mjs";

const url = process.env.WIRELAB_URL ?? "http://127.0.0.1:8080/";
const seconds = Number(process.env.SECONDS ?? 8);
const WARM_UP_MS = 2_000;
const TARGET_FPS = 55;
const TARGET_LONGEST_TASK_MS = 50;

/** Readings per second in all, as devices × readings per second each. */
const loads = [
  { total: 1_000, devices: 4, rateHz: 250 },
  { total: 5_000, devices: 10, rateHz: 500 },
];
const encoding = process.env.ENCODING ?? "json";

async function run(browser, load) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  try {
    await page.goto(new URL("/iot", url).href);
    const panel = page.locator("#iot-panel-telemetry");
    await panel.getByRole("button", { name: "Connect", exact: true }).waitFor({ timeout: 30_000 });
    await panel.getByLabel("Devices", { exact: true }).fill(String(load.devices));
    await panel.getByLabel("Rate (readings/s per device)").fill(String(load.rateHz));
    await panel.getByLabel("Encoding", { exact: true }).selectOption(encoding);
    await panel.getByRole("button", { name: "Connect", exact: true }).click();
    await panel.getByTestId("telemetry-status").filter({ hasText: "streaming" }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(WARM_UP_MS);
    // The main thread's busy time (script, style, layout, paint tasks) from the DevTools protocol.
    const devtools = await context.newCDPSession(page);
    await devtools.send("Performance.enable");
    const BUSY = { TaskDuration: "main_thread_busy", ScriptDuration: "script_busy", RecalcStyleDuration: "style_busy", LayoutDuration: "layout_busy" };
    const busySeconds = async () => {
      const { metrics } = await devtools.send("Performance.getMetrics");
      return Object.fromEntries(Object.keys(BUSY).map((name) => [name, metrics.find((metric) => metric.name === name)?.value ?? 0]));
    };
    const busyBefore = await busySeconds();
    const measured = await page.evaluate(async (seconds) => {
      let frames = 0;
      let longest = 0;
      let tasks = 0;
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          tasks += 1;
          longest = Math.max(longest, entry.duration);
        }
      });
      observer.observe({ type: "longtask" });
      const stat = (key) => Number.parseFloat((document.querySelector(`[data-stat=${key}] dd`)?.textContent ?? "").replace(/[^\d.]/g, ""));
      const receivedBefore = stat("received");
      const start = performance.now();
      await new Promise((resolve) => {
        const frame = (now) => {
          frames += 1;
          if (now - start < seconds * 1_000) requestAnimationFrame(frame);
          else resolve();
        };
        requestAnimationFrame(frame);
      });
      const elapsed = (performance.now() - start) / 1_000;
      // The last long tasks are reported after they end.
      await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
      const canvas = document.querySelector("#iot-panel-telemetry canvas");
      return {
        fps: frames / elapsed,
        longest_task_ms: longest,
        long_tasks: tasks,
        received_per_s: (stat("received") - receivedBefore) / elapsed,
        received: stat("received"),
        dropped: stat("dropped"),
        points_drawn: Number(canvas?.getAttribute("data-points") ?? 0),
        bytes_per_reading: stat("bytes-per-reading"),
        latency_p95_ms: stat("latency-p95"),
        plot_latency: document.querySelector("[data-testid=plot-latency]")?.textContent ?? "",
        problem: document.querySelector("[data-testid=telemetry-problem]")?.textContent ?? null,
      };
    }, seconds);
    const busyAfter = await busySeconds();
    for (const [name, key] of Object.entries(BUSY)) {
      measured[key] = Math.round(((busyAfter[name] - busyBefore[name]) / seconds) * 1_000) / 1_000;
    }
    if (measured.problem) throw new Error(measured.problem);
    if (!(measured.points_drawn > 0)) throw new Error("the plot drew no points");
    if (!(measured.fps > 0)) throw new Error("no animation frames");
    const target = measured.fps >= TARGET_FPS && measured.longest_task_ms <= TARGET_LONGEST_TASK_MS;
    return {
      readings_per_s: load.total,
      devices: load.devices,
      rate_hz: load.rateHz,
      encoding,
      seconds,
      ...measured,
      fps: Math.round(measured.fps * 10) / 10,
      received_per_s: Math.round(measured.received_per_s),
      target: target ? "PASS" : "MISSED",
    };
  } finally {
    await context.close();
  }
}

const browser = await launch();
const results = [];
const failures = [];
for (const load of loads) {
  try {
    results.push(await run(browser, load));
  } catch (error) {
    failures.push(`${load.total} readings/s: ${error.message.split("\n")[0]}`);
    results.push({ readings_per_s: load.total, failed: error.message.split("\n")[0] });
  }
}
await browser.close();
console.log(JSON.stringify({
  bench: "iot-plot",
  target: { fps: TARGET_FPS, longest_task_ms: TARGET_LONGEST_TASK_MS },
  runs: results,
  failures,
}, null, 2));
process.exit(failures.length > 0 ? 1 : 0);
