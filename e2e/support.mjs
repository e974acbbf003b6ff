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
    ],
  });
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
