// Accessibility in both themes: axe-core audits every page of the app (the Overview, a not-found
// page, each lab with real content on screen, a lab loading and a lab that failed to load) in the
// system's light and dark modes and in the theme the app's own switch picks. A serious or critical
// violation fails the journey; moderate and minor ones are reported in the test output.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { SocketsLabPage, WsLabPage, baseUrl, launch, screenshotPath } from "./support.mjs";

const AXE_SCRIPT = (() => {
  try {
    return createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  } catch {
    throw new Error("axe-core is missing from e2e/node_modules: run `npm ci` in e2e/");
  }
})();
const PCAP_FIXTURE = fileURLToPath(new URL("./fixtures/packets-sample.pcap", import.meta.url));
const HAR_FIXTURE = fileURLToPath(new URL("../crates/wire/tests/fixtures/har/chrome-devtools.har", import.meta.url));
const FAILING_IMPACTS = new Set(["serious", "critical"]);

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Brings the HTTP lab to the response of GET `path` (idempotent: sends only when needed). */
async function showResponse(page, path, status) {
  const url = new URL(path, baseUrl).href;
  const urlField = page.getByLabel("URL", { exact: true });
  await urlField.fill(url);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.getByTestId("response-status").filter({ hasText: status }).waitFor();
}

/** Shows a tab of the response (`name` as a string matches exactly). */
function responseView(name) {
  return (page) => page.getByRole("tablist", { name: "Response views" }).getByRole("tab", { name, exact: true }).click();
}

function requestPart(name) {
  return (page) => page.getByRole("tablist", { name: "Request parts" }).getByRole("tab", { name, exact: true }).click();
}

/** Opens a `<details>` disclosure (clicking its summary would close an open one). */
async function openDetails(page, summary) {
  await page.locator("details", { has: page.locator("summary", { hasText: summary }) }).evaluate((details) => {
    details.open = true;
  });
}

/**
 * Each page as a person sees it once it has settled: `setUp` runs before the page is opened
 * (to hold back or refuse a lab's module), `ready` waits for the page's content, and each of
 * `views` brings one state of the page on screen to be audited (each can be shown again after
 * the others, as the audit runs them once per theme).
 */
const PAGES = [
  {
    name: "overview",
    path: "/",
    ready: (page) => page.getByRole("heading", { name: "See what goes over the wire." }).waitFor(),
    views: [
      ["", null],
      ["server-unreachable", async (page) => {
        await page.evaluate(() => window.dispatchEvent(new Event("offline")));
        await page.getByTestId("offline-notice").waitFor();
      }],
      ["update-ready", async (page) => {
        await page.evaluate(() => {
          window.wirelabOffline = { ...(window.wirelabOffline ?? {}), updateReady: true };
          window.dispatchEvent(new Event("wirelab:update-ready"));
        });
        await page.getByRole("button", { name: "Reload", exact: true }).waitFor();
      }],
    ],
  },
  {
    name: "not-found",
    path: "/no-such-page",
    ready: (page) => page.getByRole("heading", { name: "Page not found" }).waitFor(),
  },
  {
    name: "http",
    path: "/http",
    ready: (page) => page.getByRole("button", { name: "Send", exact: true }).waitFor(),
    views: [
      ["json-tree", async (page) => {
        await showResponse(page, "/json", "200");
        await responseView("Pretty")(page);
        await page.getByTestId("tree-view").getByRole("treeitem").first().waitFor();
      }],
      ["raw", responseView("Raw")],
      ["hex", responseView("Hex")],
      ["headers", responseView(/^Headers/)],
      ["timing", responseView("Timing")],
      ["sent-vs-received", responseView("Sent vs received")],
      ["request-body", requestPart("Body")],
      ["request-auth", async (page) => {
        await requestPart("Auth")(page);
        await page.getByLabel("Auth type").selectOption("basic");
      }],
      ["request-options", requestPart("Options")],
      ["client-error", (page) => showResponse(page, "/status/418", "418")],
      ["request-failed", async (page) => {
        // Nothing listens on the discard port: the request fails before any response.
        await page.getByLabel("URL", { exact: true }).fill("http://127.0.0.1:9/");
        await page.getByRole("button", { name: "Send", exact: true }).click();
        await page.locator(".response .failure").waitFor();
      }],
      ["har-imported", async (page) => {
        await page.getByLabel("Import HAR").setInputFiles(HAR_FIXTURE);
        await page.getByTestId("har-notice").filter({ hasText: "chrome-devtools.har" }).waitFor();
      }],
      ["har-refused", async (page) => {
        await page.getByLabel("Import HAR").setInputFiles({
          name: "broken.har",
          mimeType: "application/json",
          buffer: Buffer.from('{"log": {"entries": [\n  {"request": }\n]}}'),
        });
        await page.getByRole("alert").filter({ hasText: "broken.har could not be imported" }).waitFor();
      }],
      ["copy-link", async (page) => {
        const panel = page.getByRole("group", { name: "Link to this lab's state" });
        if (!(await panel.isVisible())) await page.getByRole("button", { name: "Copy link", exact: true }).click();
        await page.getByLabel("The link", { exact: true }).waitFor();
      }],
      ["opened-from-a-link", async (page) => {
        const link = await page.getByLabel("The link", { exact: true }).inputValue();
        await page.goto(link);
        await page.getByText("Opened from a link.").first().waitFor();
      }],
      ["broken-link", async (page) => {
        await page.goto(new URL("/http#link=1.not-a-link", baseUrl).href);
        await page.getByRole("alert").filter({ hasText: "The link could not be opened." }).waitFor();
      }],
    ],
  },
  {
    name: "ws",
    path: "/ws",
    ready: async (page) => {
      const ws = new WsLabPage(page);
      await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
      await ws.connect();
      await ws.send("hello, axe");
      await ws.message("received", "text", "hello, axe").waitFor();
      await ws.send("01 02 03 ff", { as: "hex" });
      await ws.message("received", "binary", "01").waitFor();
    },
    views: [
      ["binary-message", async (page) => {
        await new WsLabPage(page).message("received", "binary", "01").getByRole("button").click();
        await page.getByRole("button", { name: "Decode as…" }).waitFor();
      }],
      ["text-message-options-open", async (page) => {
        await new WsLabPage(page).message("received", "text", "hello, axe").getByRole("button").click();
        await openDetails(page, "Close options");
        const knobs = page.getByRole("button", { name: /server knobs/i });
        if ((await knobs.getAttribute("aria-expanded")) === "false") await knobs.click();
      }],
      ["disconnected", async (page) => {
        const disconnect = page.getByRole("button", { name: "Disconnect", exact: true });
        if (await disconnect.isVisible()) await disconnect.click();
        await page.locator("[data-testid=connection-status].closed").waitFor();
      }],
      ["export-har", async (page) => {
        const ws = new WsLabPage(page);
        if (await page.getByRole("button", { name: "Connect", exact: true }).isVisible()) await ws.connect();
        await page.getByRole("button", { name: "Export HAR", exact: true }).and(page.locator(":enabled")).waitFor();
      }],
      ["inspect-capture", async (page) => {
        const ws = new WsLabPage(page);
        const endpoint = page.getByLabel("Endpoint");
        if (!(await endpoint.isVisible())) await page.getByText("Server knobs").click();
        await endpoint.selectOption("/ws/inspect");
        const disconnect = page.getByRole("button", { name: "Disconnect", exact: true });
        if (await disconnect.isVisible()) await disconnect.click();
        await ws.connect();
        await page.getByRole("link", { name: "Download .pcap of the WebSocket session" }).waitFor();
      }],
    ],
  },
  {
    name: "formats-compare",
    path: "/formats",
    ready: (page) => page.getByRole("region", { name: "CBOR", exact: true }).getByTestId("wire-size").waitFor(),
    views: [
      ["sample-with-field", async (page) => {
        await page.getByLabel("Sample").selectOption("Sensor reading");
        await page.getByRole("img", { name: /^Sizes:/ }).waitFor();
        // A chosen field lights up its bytes in every panel.
        await page.getByRole("list", { name: "Fields" }).getByRole("button", { name: /^location/ }).click();
        await page.getByRole("region", { name: "CBOR bytes", exact: true }).locator(".sel").first().waitFor();
      }],
      ["source-does-not-parse", async (page) => {
        await page.getByLabel("Source (JSON)").fill('{"broken": ');
        await page.getByLabel("Source (JSON)").press("Control+Enter");
        await page.getByText("The source does not parse").waitFor();
      }],
    ],
  },
  {
    name: "formats-decode",
    path: "/formats",
    ready: (page) => page.getByRole("tab", { name: "Decode", exact: true }).click(),
    views: [
      ["decoded-cbor", async (page) => {
        // CBOR: {"a": 1, "b": [true, null]}.
        await page.getByLabel("Bytes (hex or base64)").fill("a2 61 61 01 61 62 82 f5 f6");
        await page.getByLabel("Decode as").selectOption({ value: "" });
        await page.getByText("Decoded 9 B as CBOR").waitFor();
      }],
      ["truncated-protobuf", async (page) => {
        await page.getByLabel("Bytes (hex or base64)").fill("08 96 01 12 05 61 62");
        await page.getByLabel("Decode as").selectOption("protobuf-raw");
        await page.getByRole("alert").filter({ hasText: "byte 4" }).waitFor();
      }],
    ],
  },
  {
    // The Craft packet tab: the first preset, a computed field set by hand, a field's problem and
    // the scapy program.
    name: "formats-craft",
    path: "/formats",
    ready: (page) => page.getByRole("tab", { name: "Craft packet", exact: true }).click(),
    views: [
      ["preset", async (page) => {
        await page.getByLabel("TTL", { exact: true }).fill("64");
        await page.getByRole("button", { name: "Save .pcap" }).and(page.locator(":enabled")).waitFor();
      }],
      ["checksum-set-by-hand", async (page) => {
        await page.getByRole("button", { name: "HTTP GET (TCP)" }).click();
        await page.getByLabel("set by hand: TCP checksum").check();
        await page.getByLabel("TCP checksum", { exact: true }).fill("1");
        await page.locator("[data-field=tcp-checksum].differs").waitFor();
      }],
      ["field-problem", async (page) => {
        await page.getByLabel("TTL", { exact: true }).fill("300");
        await page.getByText("TTL: 300 is out of range: 0 to 255 (0xff)").waitFor();
      }],
      ["scapy-program", async (page) => {
        await page.getByLabel("TTL", { exact: true }).fill("64");
        await openDetails(page, "As Python (scapy)");
        await page.locator(".craft-scapy pre, .craft-scapy code").first().waitFor();
      }],
    ],
  },
  {
    // A capture file in the Decode tab: the packet list with a packet chosen (its layers and
    // mapped bytes), Follow TCP stream as text and hex, and a file cut short.
    name: "formats-decode-pcap",
    path: "/formats",
    ready: async (page) => {
      await page.getByRole("tab", { name: "Decode", exact: true }).click();
      await page.locator(".ok-note").first().waitFor();
    },
    views: [
      ["packet-chosen", async (page) => {
        await page.locator(".decode input[type=file]").first().setInputFiles(PCAP_FIXTURE);
        await page.locator(".capture-row").nth(9).click();
        await page.getByTestId("packet-layers").getByText("Packet 10:").waitFor();
      }],
      ["follow-text", async (page) => {
        const follow = page.getByTestId("follow-stream");
        if (!(await follow.isVisible())) await page.getByRole("button", { name: "Follow TCP stream" }).click();
        await follow.getByRole("button", { name: "Text" }).click();
        await follow.locator(".follow-client").first().waitFor();
      }],
      ["follow-hex", (page) => page.getByTestId("follow-stream").getByRole("button", { name: "Hex" }).click()],
      ["cut-short", async (page) => {
        await page.locator(".decode input[type=file]").first().setInputFiles({
          name: "cut.pcap",
          mimeType: "application/vnd.tcpdump.pcap",
          buffer: readFileSync(PCAP_FIXTURE).subarray(0, 200),
        });
        await page.getByRole("alert").filter({ hasText: "cut short" }).waitFor();
      }],
    ],
  },
  {
    // A capture in the Decode tab: the server's .pcap of an /ws/inspect session, opened from the
    // WebSocket lab.
    name: "formats-decode-capture",
    path: "/ws",
    ready: async (page) => {
      const ws = new WsLabPage(page);
      await page.getByText("Server knobs").click();
      await page.getByLabel("Endpoint").selectOption("/ws/inspect");
      await ws.connect();
      await ws.send("hello, axe");
      await ws.message("received", "text", "hello, axe").waitFor();
      await page.getByRole("button", { name: "Open in Decode: the WebSocket session" }).click();
      await page.getByTestId("capture-shown").waitFor({ timeout: 15_000 });
    },
  },
  {
    // Opens on its empty state; the views run the plan (a waterfall with its sentences), open
    // WebSockets (the handshake rows) and show a field's error.
    name: "concurrency",
    path: "/concurrency",
    ready: (page) => page.getByTestId("conc-empty").waitFor(),
    views: [
      ["", null],
      ["waterfall", async (page) => {
        await page.getByRole("radio", { name: "HTTP requests", exact: true }).check();
        await page.getByLabel("Seconds").fill("0.3");
        await page.getByRole("button", { name: /^Run \d+/ }).click();
        await page.getByTestId("conc-sentences").waitFor();
        await page.getByTestId("conc-progress").waitFor({ state: "detached" });
        await page.getByTestId("conc-row").nth(7).focus();
      }],
      ["websockets", async (page) => {
        await page.getByRole("radio", { name: "WebSockets to /ws/echo", exact: true }).check();
        await page.getByLabel("How many").fill("8");
        await page.getByRole("button", { name: /^Run \d+/ }).click();
        await page.getByTestId("conc-chart").filter({ hasText: "Handshakes" }).getByTestId("conc-sentences").waitFor();
      }],
      ["field-error", async (page) => {
        await page.getByLabel("How many").fill("many");
        await page.getByRole("button", { name: /^Run / }).click();
        await page.getByRole("alert").filter({ hasText: "a whole number from 1 to 200" }).waitFor();
        await page.getByLabel("How many").fill("12");
      }],
    ],
  },
  {
    name: "sockets",
    path: "/sockets",
    ready: async (page) => {
      const lab = new SocketsLabPage(page);
      await lab.ready();
      await lab.connect("echo");
      await lab.send("hello, axe");
      await lab.chunks("received").first().waitFor();
    },
    views: [
      ["hex-open", async (page) => {
        const lab = new SocketsLabPage(page);
        if ((await lab.chunks("received").count()) === 0) {
          await lab.connect("echo");
          await lab.send("hello, axe");
          await lab.chunks("received").first().waitFor();
        }
        const hex = page.getByRole("button", { name: /^Hex dump of entry/ }).last();
        if ((await hex.getAttribute("aria-expanded")) === "false") await hex.click();
        await page.getByTestId("hex-view").first().waitFor();
      }],
      ["smtp-walkthrough-and-mailbox", async (page) => {
        const lab = new SocketsLabPage(page);
        await lab.startWalkthrough("Send an email by hand (SMTP)");
        await lab.runAll();
        await page.getByRole("tabpanel").getByTestId("mail").first().waitFor();
      }],
      ["walkthrough-step-editing", async (page) => {
        await page.getByRole("tab", { name: "Walkthroughs" }).click();
        const edit = page.getByRole("button", { name: "Edit step 2" });
        if ((await edit.getAttribute("aria-expanded")) === "false") await edit.click();
        await page.getByLabel("Step 2 text").waitFor();
      }],
      ["as-python", (page) => page.getByRole("tab", { name: "As Python" }).click()],
      ["ftp-data-connection", async (page) => {
        const lab = new SocketsLabPage(page);
        await lab.startWalkthrough("List a folder and fetch a file (FTP)");
        await lab.runAll();
        await lab.transcript("FTP data connection").waitFor();
      }],
      ["refused-with-text-kept", async (page) => {
        const disconnect = page.getByRole("button", { name: "Disconnect", exact: true });
        if (await disconnect.isVisible()) await disconnect.click();
        await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
        await page.getByLabel("Peer").selectOption("other");
        await page.getByLabel("Address", { exact: true }).fill("10.1.2.3:25");
        await page.getByLabel("Message", { exact: true }).fill("EHLO axe");
        await page.getByRole("button", { name: "Connect", exact: true }).click();
        await page.getByTestId("connection-problem").filter({ hasText: "--allow-connect" }).waitFor();
      }],
    ],
  },
  {
    // The handshake view shows the ClientHello (launch() trusts the server's certificate) or,
    // without --tls-port, the port being off; the other views need no TLS.
    name: "security",
    path: "/security",
    ready: (page) => page.locator(".sec-problem, .sec-handshake").first().waitFor({ timeout: 15_000 }),
    views: [
      ["handshake", () => {}],
      ["hashing", async (page) => {
        await page.getByRole("tab", { name: "Hash and encode" }).click();
        await page.getByLabel("HMAC key", { exact: true }).fill("key");
        await page.getByLabel("Text to decode").fill("SGV$bG8=");
        await page.getByRole("button", { name: "Sign", exact: true }).click();
        await page.getByText("signature valid (HS256)").waitFor();
      }],
      ["auth", async (page) => {
        await page.getByRole("tab", { name: "Authentication" }).click();
        await page.getByRole("button", { name: /^Send to \/basic-auth\// }).click();
        await page.getByRole("button", { name: /^1\. Ask / }).click();
        await page.getByRole("button", { name: "Send the answer" }).click();
        await page.getByRole("button", { name: "Open a WebSocket to /ws/inspect" }).click();
        await page.getByText("the steps above give the server's accept value").waitFor();
      }],
    ],
  },
  {
    name: "iot",
    path: "/iot",
    ready: (page) => page.locator("#iot-panel-telemetry").getByRole("button", { name: "Connect", exact: true }).waitFor(),
    // Each view shows its tab first: the views run again after the theme switch, MQTT's last.
    views: [
      ["telemetry", (page) => page.getByRole("tab", { name: "Telemetry" }).click()],
      ["telemetry-streaming", async (page) => {
        await page.getByRole("tab", { name: "Telemetry" }).click();
        const panel = page.locator("#iot-panel-telemetry");
        const connect = panel.getByRole("button", { name: "Connect", exact: true });
        if (await connect.isVisible()) {
          await panel.getByLabel("Devices", { exact: true }).fill("3");
          await panel.getByLabel("Rate (readings/s per device)").fill("20");
          await connect.click();
        }
        const resume = panel.getByRole("button", { name: "Resume", exact: true });
        if (await resume.isVisible()) await resume.click();
        await panel.getByTestId("telemetry-status").filter({ hasText: "streaming" }).waitFor();
        await panel.locator("[data-device=sensor-03]").waitFor();
        await panel.locator("[data-stat=latency-p50] dd").filter({ hasText: "ms" }).waitFor();
      }],
      ["telemetry-paused", async (page) => {
        const panel = page.locator("#iot-panel-telemetry");
        await panel.getByRole("button", { name: "Pause", exact: true }).click();
        await panel.getByTestId("telemetry-status").filter({ hasText: "paused" }).waitFor();
      }],
      ["telemetry-form-error", async (page) => {
        const panel = page.locator("#iot-panel-telemetry");
        await panel.getByRole("button", { name: "Disconnect", exact: true }).click();
        await panel.getByTestId("telemetry-status").filter({ hasText: "not connected" }).waitFor();
        await panel.getByLabel("Devices", { exact: true }).fill("0");
        await panel.getByRole("button", { name: "Connect", exact: true }).click();
        await panel.getByRole("alert").filter({ hasText: "Devices must be a whole number" }).waitFor();
      }],
      ["mqtt", (page) => page.getByRole("tab", { name: "MQTT" }).click()],
    ],
  },
  {
    name: "lab-loading",
    path: "/http",
    // The module never arrives while the page is audited.
    setUp: (page) => page.route("**/labs/lab_http_bg.wasm*", () => new Promise(() => {})),
    ready: (page) => page.getByRole("status").filter({ hasText: "Loading the HTTP lab…" }).waitFor(),
  },
  {
    name: "lab-load-failed",
    path: "/formats",
    setUp: (page) => page.route("**/labs/lab_formats_bg.wasm*", (route) => route.abort("connectionrefused")),
    ready: (page) => page.getByRole("alert").filter({ hasText: "The Formats lab could not be loaded" }).waitFor(),
  },
];

/** The system's colour scheme, and the theme the app's switch then pins (`<html data-theme>`). */
const THEMES = [
  { system: "light", switchedTo: "dark" },
  { system: "dark", switchedTo: "light" },
];

/** Clicks the theme switch (System → Light → Dark → System) until it shows `theme`. */
async function switchTheme(page, theme) {
  for (let click = 0; click < 3; click += 1) {
    if ((await page.locator("html").getAttribute("data-theme")) === theme) return;
    await page.getByRole("button", { name: /^(System|Light|Dark) theme$/ }).click();
  }
  assert.equal(await page.locator("html").getAttribute("data-theme"), theme, "the theme switch pins the theme");
}

/** Runs axe-core on the whole document and returns its violations. */
async function audit(page) {
  if (!(await page.evaluate(() => "axe" in window))) {
    await page.addScriptTag({ path: AXE_SCRIPT });
  }
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return results.violations;
  });
}

/** One line per offending element: its selector and, for contrast, the colours and ratio. */
function describeNode(node) {
  const target = node.target.map((part) => (Array.isArray(part) ? part.join(" >>> ") : part)).join(" ");
  const contrast = [...node.any, ...node.all, ...node.none].find((check) => check.data?.contrastRatio !== undefined);
  if (!contrast) return `    ${target}`;
  const { fgColor, bgColor, contrastRatio, expectedContrastRatio, fontSize, fontWeight } = contrast.data;
  return `    ${target}: ${fgColor} on ${bgColor}, ${contrastRatio}:1 (needs ${expectedContrastRatio}, ${fontSize} ${fontWeight})`;
}

function describe(violations) {
  return violations
    .map((violation) => [
      `  ${violation.id} (${violation.impact}, ${violation.nodes.length} nodes): ${violation.help}`,
      ...violation.nodes.map(describeNode),
    ].join("\n"))
    .join("\n");
}

/** The number of offending elements by impact, e.g. "serious 3, moderate 1" or "none". */
function tally(violations) {
  const counts = new Map();
  for (const violation of violations) {
    counts.set(violation.impact, (counts.get(violation.impact) ?? 0) + violation.nodes.length);
  }
  return [...counts].map(([impact, count]) => `${impact} ${count}`).join(", ") || "none";
}

for (const pageCase of PAGES) {
  for (const theme of THEMES) {
    test(`${pageCase.name} has no serious or critical violation in ${theme.system} mode, nor switched to ${theme.switchedTo}`, async (t) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme: theme.system });
      const page = await context.newPage();
      await pageCase.setUp?.(page);
      await page.goto(new URL(pageCase.path, baseUrl).href);
      await pageCase.ready(page);

      const failures = [];
      for (const switchTo of [null, theme.switchedTo]) {
        if (switchTo) await switchTheme(page, switchTo);
        const mode = switchTo ? `${switchTo} by the switch` : theme.system;
        for (const [view, show] of pageCase.views ?? [["", null]]) {
          await show?.(page);
          const where = [pageCase.name, view].filter(Boolean).join(" ");
          const violations = await audit(page);
          const serious = violations.filter((violation) => FAILING_IMPACTS.has(violation.impact));
          const lesser = violations.filter((violation) => !FAILING_IMPACTS.has(violation.impact));
          t.diagnostic(`${where}, ${mode}: ${tally(violations)}`);
          for (const line of describe(lesser).split("\n").filter(Boolean)) t.diagnostic(line);
          if (serious.length > 0) failures.push(`${where}, ${mode}:\n${describe(serious)}`);
          const shot = ["a11y", pageCase.name, view, switchTo ? `${switchTo}-switched` : theme.system].filter(Boolean).join("-");
          await page.screenshot({ path: screenshotPath(shot), fullPage: true });
        }
      }
      await context.close();
      if (failures.length > 0) assert.fail(`serious or critical violations:\n${failures.join("\n")}`);
    });
  }
}
