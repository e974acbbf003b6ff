// Shared set-up for the journeys: Debian's Chromium through playwright-core (which never
// downloads a browser), the server's URL from `cargo xtask test`, and the screenshot folder.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const baseUrl = process.env.WIRELAB_URL ?? "http://127.0.0.1:8080/";
export const screenshotDir = process.env.WIRELAB_SCREENSHOTS ?? join(import.meta.dirname, "..", "target", "e2e");
mkdirSync(screenshotDir, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ...(await trustServerCertificate()),
    ],
  });
}

/** The server's TLS port, from /api/info (`null` when it runs without --tls-port). */
export async function tlsInfo() {
  try {
    const response = await fetch(new URL("/api/info", baseUrl));
    return (await response.json()).tls ?? null;
  } catch {
    return null;
  }
}

/**
 * Chromium trusts the server's self-signed certificate, and only it: its public key's hash, as
 * /api/info gives it, goes to --ignore-certificate-errors-spki-list (what a person does by
 * accepting the certificate once).
 */
async function trustServerCertificate() {
  const tls = await tlsInfo();
  return tls ? [`--ignore-certificate-errors-spki-list=${tls.spki_sha256_base64}`] : [];
}

export function screenshotPath(name) {
  return join(screenshotDir, `${name}.png`);
}

/** Page object for the WebSocket lab: actions and readings by visible label and role. */
export class WsLabPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/ws", baseUrl).href);
    await this.page.getByRole("button", { name: "Connect", exact: true }).waitFor();
  }
  status() {
    return this.page.getByTestId("connection-status");
  }
  async connect() {
    await this.page.getByRole("button", { name: "Connect", exact: true }).click();
    await this.page.locator("[data-testid=connection-status].open").waitFor({ timeout: 10_000 });
  }
  async send(text, { as = "text", keyboard = false } = {}) {
    await this.page.getByLabel("Send as").selectOption(as);
    await this.page.getByLabel("Message", { exact: true }).fill(text);
    if (keyboard) {
      await this.page.getByLabel("Message", { exact: true }).press("Control+Enter");
    } else {
      await this.page.getByRole("button", { name: "Send", exact: true }).click();
    }
  }
  message(direction, kind, text) {
    return this.page.locator(`.log-message[data-direction=${direction}][data-kind=${kind}]`, { hasText: text });
  }
  async stats() {
    return (await this.page.getByTestId("log-stats").textContent()) ?? "";
  }
}

/** Page object for the Sockets lab: actions and readings by visible label and role. */
export class SocketsLabPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/sockets", baseUrl).href);
    await this.ready();
  }
  /** Waits for the lab and its peer list. */
  async ready() {
    await this.page.getByRole("button", { name: "Connect", exact: true }).waitFor();
    await this.page.locator("option[value=smtp]").waitFor({ state: "attached" });
  }
  status() {
    return this.page.getByTestId("connection-status");
  }
  async connect(peer, transport = "TCP") {
    await this.page.getByLabel("Peer").selectOption(peer);
    await this.page.getByRole("radio", { name: transport, exact: true }).check();
    await this.page.getByRole("button", { name: "Connect", exact: true }).click();
    await this.status().filter({ hasText: "connected" }).waitFor({ timeout: 10_000 });
  }
  async send(text, { lineEnding = "crlf", keyboard = false } = {}) {
    await this.page.locator(`input[name=sockets-line-ending][value=${lineEnding}]`).check();
    const message = this.page.getByLabel("Message", { exact: true });
    await message.fill(text);
    if (keyboard) await message.press("Control+Enter");
    else await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }
  /** The transcript (`Transcript` or `FTP data connection`). */
  transcript(name = "Transcript") {
    return this.page.getByRole("region", { name, exact: true });
  }
  chunks(direction, name = "Transcript") {
    return this.transcript(name).locator(`[data-testid=transcript-chunk][data-direction=${direction}]`);
  }
  reply(status) {
    return this.transcript().locator(`[data-testid=reply][data-status="${status}"]`);
  }
  /** Starts a walkthrough by its title (or starts it over when it is the one on screen). */
  async startWalkthrough(title) {
    await this.page.getByRole("tab", { name: "Walkthroughs" }).click();
    const running = this.page.getByTestId("walkthrough-title");
    if ((await running.count()) > 0 && (await running.textContent()) === title) {
      await this.page.getByRole("button", { name: "Start over" }).click();
      return;
    }
    const list = this.page.getByRole("button", { name: "All walkthroughs" });
    if (await list.isVisible()) await list.click();
    await this.page.getByRole("button", { name: `Start: ${title}` }).click();
    await running.filter({ hasText: title }).waitFor();
  }
  step(number) {
    return this.page.getByTestId("walkthrough-step").nth(number - 1);
  }
  /** Waits until step `number` is done. */
  async stepDone(number, timeout = 10_000) {
    // Attached, not visible: the Mailbox tab may be in front while the walkthrough runs.
    await this.step(number).and(this.page.locator("[data-state=done]")).waitFor({ state: "attached", timeout });
  }
  /** Runs the walkthrough's steps 1..`count` one at a time: Run step, then Ctrl+Shift+Enter. */
  async runStepByStep(count) {
    await this.page.getByRole("button", { name: "Run step", exact: true }).click();
    await this.stepDone(1);
    for (let step = 2; step <= count; step += 1) {
      await this.page.keyboard.press("Control+Shift+Enter");
      await this.stepDone(step);
    }
  }
  async runAll() {
    await this.page.getByRole("button", { name: "Run all", exact: true }).click();
    await this.page
      .getByTestId("walkthrough-progress")
      .filter({ hasText: "All steps done" })
      .waitFor({ state: "attached", timeout: 20_000 });
  }
}
