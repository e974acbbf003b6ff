// The HTTP lab's "Send cookies (credentials: include)" option: a cookie set through /cookies/set
// is kept only when the option is on, /cookies shows it with the option on and not with it off,
// and a request with cookies to another origin is readable because the server answers with the
// page's exact origin and Access-Control-Allow-Credentials: true.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

class HttpLabPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto(new URL("/http", baseUrl).href);
    await this.page.getByRole("button", { name: "Send", exact: true }).waitFor();
  }
  async get(url) {
    await this.page.getByLabel("Method", { exact: true }).fill("GET");
    await this.page.getByLabel("URL", { exact: true }).fill(url);
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }
  async sendCookies(on) {
    await this.page.getByRole("tab", { name: "Options", exact: true }).click();
    await this.page.getByLabel("Send cookies (credentials: include)").setChecked(on);
  }
  /** The JSON body of a 200 answer. */
  async json() {
    await this.page.getByTestId("response-status").filter({ hasText: "200" }).waitFor();
    await this.page.getByRole("tab", { name: "Raw", exact: true }).click();
    return JSON.parse(await this.page.getByTestId("response-raw").textContent());
  }
}

async function newLab(colorScheme) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme });
  const lab = new HttpLabPage(await context.newPage());
  await lab.open();
  return lab;
}

const here = (path) => new URL(path, baseUrl).href;

test("cookies go with the request only when Send cookies is on", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const lab = await newLab(colorScheme);
    // Off (the default): the browser neither keeps the cookie the answer sets nor sends one.
    await lab.get(here("/cookies/set?ignored=1"));
    assert.deepEqual(await lab.json(), { cookies: {} });

    await lab.sendCookies(true);
    await lab.page.screenshot({ path: screenshotPath(`cookies-option-${colorScheme}`) });
    // /cookies/set answers 302 to /cookies: the cookie is kept and sent on the redirected request.
    await lab.get(here("/cookies/set?flavour=oatmeal"));
    assert.deepEqual(await lab.json(), { cookies: { flavour: "oatmeal" } });
    await lab.get(here("/cookies"));
    assert.deepEqual(await lab.json(), { cookies: { flavour: "oatmeal" } });
    const jar = await lab.page.context().cookies(here("/"));
    assert.deepEqual(
      jar.map((cookie) => cookie.name),
      ["flavour"],
      "the browser kept only the cookie set with the option on",
    );

    await lab.sendCookies(false);
    await lab.get(here("/cookies"));
    assert.deepEqual(await lab.json(), { cookies: {} }, "off, the cookie stays in the browser");
    await lab.page.screenshot({ path: screenshotPath(`cookies-off-${colorScheme}`) });
    await lab.page.context().close();
  }
});

test("with cookies, another origin's answer is readable: the server names the page's origin", async () => {
  const lab = await newLab("light");
  // The same server under its other name is another origin (and another site).
  const page = new URL(baseUrl);
  const other = new URL(baseUrl);
  other.hostname = page.hostname === "localhost" ? "127.0.0.1" : "localhost";
  await lab.sendCookies(true);
  await lab.get(new URL("/get?cross=origin", other).href);
  const echoed = await lab.json();
  assert.equal(echoed.args.cross, "origin");
  // The CORS headers themselves are never shown to the page; that the answer is (not "Blocked by
  // CORS") is the proof. Every header the server named is readable, not only the safelisted ones.
  await lab.page.getByRole("tablist", { name: "Response views" }).getByRole("tab", { name: "Headers" }).click();
  const headers = (await lab.page.getByRole("table", { name: "Response headers" }).textContent()) ?? "";
  assert.match(headers.toLowerCase(), /vary/);
  await lab.page.screenshot({ path: screenshotPath("cookies-cross-origin") });
  await lab.page.context().close();
});
