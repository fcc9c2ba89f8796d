import { expect, Page, TestInfo } from "@playwright/test";
import { createHmac } from "node:crypto";
import { appendFileSync } from "node:fs";

export const PASSWORD = "correct horse battery";

/** A fresh email for each test, so tests share one server without colliding. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Collects console errors and uncaught exceptions of a page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    // A refused form is re-rendered with a 4xx status (which tests assert);
    // Chromium reports that as a failed load of the page itself.
    const pageStatus = msg.text().startsWith("Failed to load resource") && !msg.location().url.includes("/pkg/");
    if (!pageStatus) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

/** Screenshots at a desktop and a phone width, kept with the test's results. */
export async function screenshots(page: Page, testInfo: TestInfo, name: string) {
  for (const [label, width, height] of [["desktop", 1440, 900], ["phone", 375, 812]] as const) {
    await page.setViewportSize({ width, height });
    const path = testInfo.outputPath(`${name}-${label}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${name}-${label}`, { path, contentType: "image/png" });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

export async function signUp(page: Page, name: string, email: string, password = PASSWORD) {
  await page.goto("/signup");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Signs up and creates an organization; lands on its Settings. Returns the email. */
export async function newOrganization(page: Page, name = "Example", prefix = "org"): Promise<string> {
  const email = uniqueEmail(prefix);
  await signUp(page, "Anna Berg", email);
  await page.getByRole("link", { name: "Create organization" }).first().click();
  await page.getByLabel("Organization name").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "Company information" })).toBeVisible();
  return email;
}

/** Fills the company information form with valid Swedish values. */
export async function fillCompany(page: Page) {
  await page.getByLabel("Country").selectOption("SE");
  await page.getByLabel("Company name").fill("Example AB");
  await page.getByLabel("Business identification number").fill("5560360793");
  await page.getByLabel("Address").fill("Storgatan 1");
  await page.getByLabel("Postal code").fill("11437");
  await page.getByLabel("City").fill("Stockholm");
  await page.getByLabel("Email").fill("billing@example.se");
  await page.getByLabel("Phone").fill("070-123 45 67");
}

/** On Settings: fills in and saves the company information. */
export async function saveCompany(page: Page) {
  await fillCompany(page);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Company information saved");
}

/** Opens a page of the current organization from the organization menu. */
export async function openMenu(page: Page, item: string) {
  await page.getByRole("button", { name: "Organization menu" }).click();
  await page.getByRole("navigation", { name: "Organization menu" }).getByRole("link", { name: item }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

/** Billing → Credit card → Continue: lands on the provider's card page. */
export async function continueWithCard(page: Page) {
  const method = page.getByRole("group", { name: "Method of payment" });
  await method.getByLabel("Credit card").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Card details" })).toBeVisible();
  await expect(page.getByText("Test mode", { exact: true })).toBeVisible();
  await expect(page.getByText("1.00 EUR", { exact: true })).toBeVisible();
}

export async function typeCard(page: Page, number: string, expiry = "12/30", cvc = "123") {
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry date").fill(expiry);
  await page.getByLabel("Security code (CVC)").fill(cvc);
  await page.getByRole("button", { name: "Accept 1 EUR" }).click();
}

/** Waits for the newest email to `to` at the test SMTP server (end2end/smtp-sink.mjs),
 * of the given subject if one is given. */
export async function emailTo(to: string, subject?: string | RegExp): Promise<{ subject: string; body: string }> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`http://127.0.0.1:3126/messages?to=${encodeURIComponent(to)}`);
    const messages = ((await response.json()) as { subject: string; body: string }[]).filter(
      (m) => subject === undefined || (typeof subject === "string" ? m.subject === subject : subject.test(m.subject)),
    );
    if (messages.length > 0) {
      const message = messages[messages.length - 1];
      // Every emailed token is a secret the server's log must not hold.
      for (const [, token] of message.body.matchAll(/\/(?:reset-password|verify-email|invitations)\/([A-Za-z0-9_-]{20,})/g)) {
        remember(token);
      }
      return message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no email to ${to}${subject ? ` about ${subject}` : ""}`);
}

/** The invitation link in an email, as a path of the panel. */
export function invitationPath(body: string): string {
  const url = /https?:\/\/\S+\/invitations\/\S+/.exec(body)?.[0];
  if (!url) throw new Error(`no invitation link in ${body}`);
  return new URL(url).pathname;
}

/** Invites `email` as `role` ("admin", "billing" …) from the Collaborators page; returns the link's path. */
export async function invite(page: Page, email: string, role: string): Promise<string> {
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Send invitation" }) });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toHaveText("Invitation sent");
  return invitationPath((await emailTo(email, /^Invitation to /)).body);
}

/** Notes a secret the panel handed out (a link's token, a two-factor key, a
 * recovery code), so that scripts/scan-secrets can check the server's log
 * never holds it. */
export function remember(secret: string) {
  const file = process.env.ORGPANEL_E2E_SECRETS;
  if (file) appendFileSync(file, `${secret}\n`);
}

/** The server's clock (the test clock), in Unix seconds. */
export async function serverNow(page: Page): Promise<number> {
  const response = await page.request.get("/test-clock");
  expect(response.status()).toBe(200);
  return Number(await response.text());
}

/** What an authenticator app shows for the base32 `secret` at `time` (Unix
 * seconds): RFC 6238 with HMAC-SHA-1, 30-second steps, 6 digits. */
export function totp(secret: string, time: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.replace(/\s/g, "").toUpperCase()]
    .map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0"))
    .join("");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}
