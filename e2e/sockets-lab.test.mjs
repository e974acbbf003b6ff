// Journeys through the Sockets lab in real Chromium against wirelab-server and its built-in
// peers: an email sent by hand that lands in the mailbox, FTP's passive listing over a second,
// linked connection, UDP keeping datagram boundaries, and a refused target explained in place.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SocketsLabPage, baseUrl, launch, screenshotPath } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function newPage(colorScheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl).origin });
  return context.newPage();
}

test("the SMTP walkthrough, run all at once, ends with the mail in the mailbox view", async () => {
  const page = await newPage();
  await page.goto(baseUrl);
  await page.getByRole("link", { name: "Sockets", exact: true }).click();
  const lab = new SocketsLabPage(page);
  await lab.ready();

  await lab.startWalkthrough("Send an email by hand (SMTP)");
  await lab.runAll();
  // Every reply explained where it arrived, paired with its command.
  for (const status of ["220", "250", "354", "221"]) await lab.reply(status).first().waitFor();
  assert.match(await lab.reply("354").textContent(), /answers DATA/);
  await lab.stepDone(9);
  // The dot that ends the message, with its line ending visible.
  const sent = await lab.chunks("sent").allTextContents();
  assert.ok(sent.some((text) => text.includes(".␍␊")), `the lone dot was sent: ${sent.join(" | ")}`);

  // The last step brought the mailbox forward: the mail is there, marked as this lab's.
  const mailbox = page.getByRole("tabpanel");
  await mailbox.getByTestId("mail").first().waitFor();
  const mail = mailbox.getByTestId("mail").first();
  assert.match(await mail.textContent(), /Hello by hand.*sent from this lab/s);
  assert.match(await mail.textContent(), /RCPT TO<friend@wirelab\.test>/);
  assert.match(await mail.textContent(), /I typed every line of this mail myself\./);
  await page.screenshot({ path: screenshotPath("sockets-lab-smtp") });

  // The same session as Python, written with smtplib, copied.
  await page.getByRole("tab", { name: "As Python" }).click();
  await page.getByRole("radio", { name: "smtplib" }).check();
  const program = await page.getByTestId("python-program").textContent();
  assert.match(program, /import smtplib/);
  assert.match(program, /learner@wirelab\.test/);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Copied to the clipboard" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), program);
});

test("FTP passive mode: the listing arrives on a second, linked transcript (dark)", async () => {
  const page = await newPage("dark");
  const lab = new SocketsLabPage(page);
  await lab.open();
  await lab.startWalkthrough("List a folder and fetch a file (FTP)");
  // Steps one at a time: Run step, then Ctrl+Shift+Enter for the rest.
  await lab.runStepByStep(6);
  // The 227 reply decoded to host and port, and linked to the data connection it opened.
  const pasv = lab.reply("227");
  assert.match(await pasv.textContent(), /\(127,0,0,1,\d+,\d+\) → host 127\.0\.0\.1, port \d+ × 256 \+ \d+ = \d+/);
  await pasv.getByRole("link", { name: /The data connection/ }).waitFor();
  // The listing came over the data connection, not the control connection.
  const data = lab.transcript("FTP data connection");
  await data.getByTestId("chunk-text").filter({ hasText: "readme.txt" }).first().waitFor();
  assert.match(await data.textContent(), /This connection carries the data for LIST/);
  assert.match(await data.textContent(), /The peer closed its side \(FIN\)/);
  const controlText = (await lab.chunks("received").allTextContents()).join("\n");
  assert.doesNotMatch(controlText, /readme\.txt/, "the listing is not on the control connection");
  assert.match(await lab.reply("226").textContent(), /answers LIST/);
  await data.getByRole("link", { name: "opened from this passive reply" }).waitFor();
  await page.screenshot({ path: screenshotPath("sockets-lab-ftp-dark") });
});

test("over UDP three quick sends come back as three datagrams", async () => {
  const page = await newPage();
  const lab = new SocketsLabPage(page);
  await lab.open();
  await lab.connect("echo", "UDP");
  for (const word of ["one", "two", "three"]) await lab.send(word, { lineEnding: "none", keyboard: true });
  await lab.chunks("received").nth(2).waitFor();
  assert.deepEqual(await lab.chunks("received").getByTestId("chunk-text").allTextContents(), ["one", "two", "three"]);
  assert.match(await lab.chunks("received").first().textContent(), /datagram · 3 B/);
  assert.match(await page.getByTestId("transcript-totals").textContent(), /3 datagrams sent \(11 B\).*3 received \(11 B\)/);

  // The walkthrough says the same in words, TCP beside UDP.
  await lab.startWalkthrough("TCP is a stream, UDP is datagrams");
  await lab.runAll();
  assert.match(await lab.step(5).textContent(), /11 bytes came back in 3 datagrams/);
  assert.match(await lab.step(2).textContent(), /11 bytes came back in \d chunks?/);
  await page.screenshot({ path: screenshotPath("sockets-lab-udp") });
});

test("a refused target shows the server's reason in place and keeps the typed text", async () => {
  const page = await newPage("dark");
  const lab = new SocketsLabPage(page);
  await lab.open();
  await page.getByLabel("Peer").selectOption("other");
  await page.getByLabel("Address", { exact: true }).fill("10.1.2.3:25");
  await page.getByLabel("Message", { exact: true }).fill("EHLO learner");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  const problem = page.getByTestId("connection-problem");
  await problem.waitFor({ timeout: 10_000 });
  await problem.filter({ hasText: "--allow-connect" }).waitFor();
  assert.match(await problem.textContent(), /^The server refused the connection \(403\): .*--allow-connect 10\.1\.2\.3:25/);
  assert.match(await lab.transcript().textContent(), /The server refused the connection \(403\)/);
  assert.equal(await page.getByLabel("Message", { exact: true }).inputValue(), "EHLO learner");
  assert.equal(await lab.status().textContent(), "closed");
  await page.screenshot({ path: screenshotPath("sockets-lab-refused-dark") });

  // A peer that exists but not over UDP is refused by name.
  await page.getByLabel("Peer").selectOption("smtp");
  assert.equal(await page.getByRole("radio", { name: "UDP", exact: true }).isDisabled(), true, "smtp has no UDP");
});
