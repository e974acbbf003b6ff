// Benchmark: the app's first load and responsiveness in headless Chromium, today's build beside a
// baseline build measured in the same run. Run by `cargo xtask bench-app`, which builds both,
// serves each with a wirelab-server and sets WIRELAB_URL, BASELINE_URL, BASELINE_NAME and REPORT.
//
// Figures, each the median of RUNS fresh browser contexts with min–max beside it:
// - first-visit bytes to `/`, per file and in all, as the server sent them (headers + body);
// - time from navigation to the Overview's heading on screen (the first meaningful paint);
// - time from a click on a lab's link to its main control on screen: first open (module not
//   loaded), reopen in the same visit, and first open on a repeat visit (HTTP cache warm);
// - the longest main-thread task (Long Tasks API) while a ~20 MB `/json?records=N` response is
//   fetched, indexed and shown as a tree;
// - the longest main-thread task while the Formats lab decodes a ~6 MB JSON file (picked in the
//   Decode tab) and while it compares the "1,000 readings" sample in all five formats.
// Any failed run fails the command (exit 1) and shows as FAILED in its cell.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "../support.mjs";

const builds = [
  { name: "today", url: process.env.WIRELAB_URL ?? "http://127.0.0.1:8080/" },
  { name: process.env.BASELINE_NAME ?? "baseline", url: process.env.BASELINE_URL },
].filter((build) => build.url);
const runs = Number(process.env.RUNS ?? 3);
const records = Number(process.env.RECORDS ?? 70_000);
const formatsRecords = Number(process.env.FORMATS_RECORDS ?? 20_000);
const BUDGET = 350_000;
const LONG_TASK_TARGET_MS = 50;

/** What "usable" means for each lab: its main control is on screen. */
const labs = [
  { name: "HTTP", path: "/http", ready: () => [...document.querySelectorAll("button")].some((b) => b.textContent.trim() === "Send" && b.checkVisibility()) },
  { name: "WebSocket", path: "/ws", ready: () => [...document.querySelectorAll("button")].some((b) => b.textContent.trim() === "Connect" && b.checkVisibility()) },
  { name: "Formats", path: "/formats", ready: () => [...document.querySelectorAll("h1:not(.visually-hidden)")].some((h) => h.textContent.trim() === "Formats" && h.checkVisibility()) },
  { name: "Sockets", path: "/sockets", ready: () => [...document.querySelectorAll("button")].some((b) => b.textContent.trim() === "Connect" && b.checkVisibility()) },
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values) => `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
const fmt = (value) => (value >= 100 ? Math.round(value).toLocaleString("en") : value.toFixed(1));
const failures = [];

async function attempt(label, work) {
  try {
    return await work();
  } catch (error) {
    failures.push(`${label}: ${error.message.split("\n")[0]}`);
    return null;
  }
}

/** First visit to `/` in a fresh context: bytes per file and the heading's paint time. */
async function firstVisit(browser, build) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const files = [];
  page.on("requestfinished", async (request) => {
    try {
      const sizes = await request.sizes();
      files.push({ path: new URL(request.url()).pathname, bytes: sizes.responseBodySize + sizes.responseHeadersSize });
    } catch {}
  });
  await page.goto(new URL("/", build.url).href, { waitUntil: "networkidle" });
  const heading = await page.evaluate(async () => {
    const found = () => [...document.querySelectorAll("h1")].find((h) => h.checkVisibility());
    while (!found()) await new Promise((resolve) => requestAnimationFrame(resolve));
    return performance.now();
  });
  await page.waitForTimeout(200);
  await context.close();
  return { files, total: files.reduce((sum, file) => sum + file.bytes, 0), heading };
}

/** Milliseconds from a click on the lab's nav link to its control on screen. */
async function openLab(page, lab) {
  return page.evaluate(async ({ name, ready }) => {
    const isReady = new Function(`return (${ready})()`);
    const link = [...document.querySelectorAll("nav a")].find((a) => a.textContent.trim() === name);
    if (!link) throw new Error(`no nav link named ${name}`);
    const start = performance.now();
    link.click();
    const deadline = start + 20_000;
    while (!isReady()) {
      if (performance.now() > deadline) throw new Error(`${name} lab not usable after 20 s`);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return performance.now() - start;
  }, { name: lab.name, ready: lab.ready.toString() });
}

async function goOverview(page) {
  await page.evaluate(() => [...document.querySelectorAll("nav a")].find((a) => a.textContent.trim() === "Overview").click());
  await page.getByRole("heading", { name: "See what goes over the wire." }).waitFor();
}

/** First open, reopen, and first open on a repeat visit (same context: HTTP cache warm); `absent`
 * when the build has no such lab (a baseline from before it), which is not a failure. */
async function labTimes(browser, build, lab) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(new URL("/", build.url).href, { waitUntil: "networkidle" });
  const linked = await page.evaluate((name) => [...document.querySelectorAll("nav a")].some((a) => a.textContent.trim() === name), lab.name);
  if (!linked) {
    await context.close();
    return { absent: true };
  }
  const first = await openLab(page, lab);
  await goOverview(page);
  const reopen = await openLab(page, lab);
  const again = await context.newPage();
  await page.close();
  await again.goto(new URL("/", build.url).href, { waitUntil: "networkidle" });
  const repeatVisit = await openLab(again, lab);
  await context.close();
  return { first, reopen, repeatVisit };
}

/** Starts counting long tasks on the page. */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__bench = { longest: 0, tasks: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__bench.tasks += 1;
        window.__bench.longest = Math.max(window.__bench.longest, entry.duration);
      }
    }).observe({ type: "longtask" });
  });
}

/** The longest main-thread task from Send until the tree's rows are on screen (and 500 ms on). */
async function bigJson(browser, build) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(new URL("/http", build.url).href);
  await page.getByRole("button", { name: "Send", exact: true }).waitFor({ timeout: 20_000 });
  await page.getByLabel("URL", { exact: true }).fill(new URL(`/json?records=${records}`, build.url).href);
  await watchLongTasks(page);
  const started = Date.now();
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.locator("[data-testid=tree-view] [role=treeitem]").first().waitFor({ timeout: 120_000 });
  const shown = Date.now() - started;
  await page.waitForTimeout(500);
  const bench = await page.evaluate(() => window.__bench);
  const size = await page.getByTestId("response-status").textContent();
  await context.close();
  return { longest: bench.longest, tasks: bench.tasks, shown, size };
}

/** The longest main-thread task from picking a big JSON file in the Decode tab until it is
 * decoded and shown (and 500 ms on). The file is picked by path, so the browser reads it as it
 * would a person's file (a buffer would be built by script on the page and count as its task). */
async function formatsDecode(browser, build, file) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(new URL("/formats", build.url).href);
  await page.getByRole("tab", { name: "Decode" }).click();
  await page.locator(".ok-note").first().waitFor({ timeout: 20_000 });
  await watchLongTasks(page);
  const started = Date.now();
  await page.locator(".decode input[type=file]:not([accept])").setInputFiles(file);
  await page.locator(".ok-note", { hasText: "as JSON" }).waitFor({ timeout: 120_000 });
  const shown = Date.now() - started;
  await page.waitForTimeout(500);
  const bench = await page.evaluate(() => window.__bench);
  await context.close();
  return { longest: bench.longest, tasks: bench.tasks, shown };
}

/** The longest main-thread task from choosing the biggest sample until its five panels show it. */
async function formatsCompare(browser, build) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(new URL("/formats", build.url).href);
  await page.locator("[data-format=CBOR] [data-testid=wire-size]").waitFor({ timeout: 20_000 });
  const before = await page.locator("[data-format=CBOR] [data-testid=wire-size]").textContent();
  await watchLongTasks(page);
  const started = Date.now();
  await page.getByLabel("Sample").selectOption("1,000 readings");
  await page.waitForFunction((old) => {
    const size = document.querySelector("[data-format=CBOR] [data-testid=wire-size]");
    return size && size.textContent !== old && !document.querySelector(".compare .muted.small");
  }, before, { timeout: 60_000 });
  const shown = Date.now() - started;
  await page.waitForTimeout(500);
  const bench = await page.evaluate(() => window.__bench);
  await context.close();
  return { longest: bench.longest, tasks: bench.tasks, shown };
}

const browser = await launch();
const results = new Map();
const bigFile = join(mkdtempSync(join(tmpdir(), "wirelab-bench-")), "readings.json");
try {
  for (const build of builds) {
    const result = { visits: [], labs: new Map(labs.map((lab) => [lab.name, []])), absent: new Set(), json: [], decode: [], compare: [] };
    results.set(build.name, result);
    if (build === builds[0]) {
      const response = await fetch(new URL(`/json?records=${formatsRecords}`, build.url));
      if (!response.ok) throw new Error(`/json?records=${formatsRecords}: ${response.status}`);
      writeFileSync(bigFile, Buffer.from(await response.arrayBuffer()));
    }
    for (let run = 0; run < runs; run++) {
      const visit = await attempt(`${build.name} first visit`, () => firstVisit(browser, build));
      if (visit) result.visits.push(visit);
      for (const lab of labs) {
        const times = await attempt(`${build.name} ${lab.name} lab`, () => labTimes(browser, build, lab));
        if (times?.absent && build === builds[0]) failures.push(`${build.name}: no nav link named ${lab.name}`);
        if (times?.absent) result.absent.add(lab.name);
        else if (times) result.labs.get(lab.name).push(times);
      }
      const json = await attempt(`${build.name} big JSON`, () => bigJson(browser, build));
      if (json) result.json.push(json);
      const decode = await attempt(`${build.name} Formats decode`, () => formatsDecode(browser, build, bigFile));
      if (decode) result.decode.push(decode);
      const compare = await attempt(`${build.name} Formats compare`, () => formatsCompare(browser, build));
      if (compare) result.compare.push(compare);
    }
  }
} finally {
  await browser.close();
}

// The report: one column per build, today first; a cell with no successful run says FAILED.
const lines = [];
const cell = (values) => (values.length ? `${fmt(median(values))} (${spread(values)})` : "FAILED");
const row = (label, pick, lab) =>
  `| ${label} | ${builds.map((build) => (lab && results.get(build.name).absent.has(lab) ? "not in this build" : cell(pick(results.get(build.name))))).join(" | ")} |`;
lines.push(`App benchmark: ${runs} runs each, median (min–max); ${new Date().toISOString()}`);
lines.push("");
lines.push(`| figure | ${builds.map((build) => build.name).join(" | ")} |`);
lines.push(`|---|${builds.map(() => "---").join("|")}|`);
lines.push(row("first visit to /, bytes as sent", (r) => r.visits.map((v) => v.total)));
lines.push(row("first visit: requests", (r) => r.visits.map((v) => v.files.length)));
lines.push(row("Overview heading on screen, ms", (r) => r.visits.map((v) => v.heading)));
for (const lab of labs) {
  lines.push(row(`${lab.name} lab usable, first open, ms`, (r) => r.labs.get(lab.name).map((t) => t.first), lab.name));
  lines.push(row(`${lab.name} lab usable, reopen, ms`, (r) => r.labs.get(lab.name).map((t) => t.reopen), lab.name));
  lines.push(row(`${lab.name} lab usable, repeat visit, ms`, (r) => r.labs.get(lab.name).map((t) => t.repeatVisit), lab.name));
}
lines.push(row(`longest main-thread task, /json?records=${records}, ms`, (r) => r.json.map((j) => j.longest)));
lines.push(row("long tasks (> 50 ms) meanwhile", (r) => r.json.map((j) => j.tasks)));
lines.push(row("Send to tree on screen, ms", (r) => r.json.map((j) => j.shown)));
lines.push(row(`Formats: longest task decoding a ${formatsRecords}-record JSON file, ms`, (r) => r.decode.map((d) => d.longest)));
lines.push(row("Formats: file picked to decode on screen, ms", (r) => r.decode.map((d) => d.shown)));
lines.push(row("Formats: longest task comparing \"1,000 readings\", ms", (r) => r.compare.map((c) => c.longest)));
lines.push(row("Formats: sample chosen to five panels on screen, ms", (r) => r.compare.map((c) => c.shown)));
lines.push("");
for (const build of builds) {
  const visit = results.get(build.name).visits[0];
  if (!visit) continue;
  lines.push(`First visit files (${build.name}, one run):`);
  for (const file of visit.files) lines.push(`  ${String(file.bytes).padStart(9)}  ${file.path}`);
}
const today = results.get(builds[0].name);
const todayBytes = today.visits.map((v) => v.total);
const budgetMet = todayBytes.length > 0 && Math.max(...todayBytes) <= BUDGET;
const longest = today.json.map((j) => j.longest);
const longTaskMet = longest.length > 0 && Math.max(...longest) <= LONG_TASK_TARGET_MS;
const formatsLongest = [...today.decode, ...today.compare].map((f) => f.longest);
const formatsMet = formatsLongest.length > 0 && Math.max(...formatsLongest) <= LONG_TASK_TARGET_MS;
const firstOpens = labs.flatMap((lab) => today.labs.get(lab.name).map((t) => t.first));
const openMet = firstOpens.length > 0 && Math.max(...firstOpens) <= 500;
lines.push("");
lines.push(`budget: first visit ≤ ${BUDGET.toLocaleString("en")} bytes: ${budgetMet ? "met" : "NOT met"}`);
lines.push(`target: every lab usable within 500 ms of its first open: ${openMet ? "met" : "NOT met"}`);
lines.push(`target: no main-thread task over ${LONG_TASK_TARGET_MS} ms while the big body is indexed: ${longTaskMet ? "met" : "NOT met"} (longest ${longest.length ? fmt(Math.max(...longest)) : "?"} ms)`);
lines.push(`target: no main-thread task over ${LONG_TASK_TARGET_MS} ms while the Formats lab decodes and compares: ${formatsMet ? "met" : "NOT met"} (longest ${formatsLongest.length ? fmt(Math.max(...formatsLongest)) : "?"} ms)`);
if (failures.length) lines.push("", "FAILED runs:", ...failures.map((failure) => `  ${failure}`));
const report = lines.join("\n");
console.log(report);
if (process.env.REPORT) writeFileSync(process.env.REPORT, `${report}\n`);
process.exit(failures.length ? 1 : 0);
