// Moves the server's clock, so it runs alone after every other test (see
// the "clock" project in playwright.config.ts).
import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { continueWithCard, emailTo, invite, logIn, newOrganization, openMenu, saveCompany, screenshots, serverNow, signUp, typeCard, uniqueEmail, watchErrors } from "./helpers";

const DAY = 86_400;

test("a card warns before it expires, then stops services until it is replaced", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const email = await newOrganization(page, "Example", "expiry");
  await saveCompany(page);
  await openMenu(page, "Billing");
  const billing = page.url();
  // The server's clock starts at 2026-11-28 12:00 UTC (scripts/serve-e2e):
  // a card that ends with next month.
  const expiry = "12/26";
  await continueWithCard(page);
  await typeCard(page, "5555 5555 5555 4444", expiry);
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText(`Expires ${expiry}`)).toBeVisible();

  const advance = async (secs: number) => {
    const response = await page.request.post("/test-clock/advance", { form: { secs: String(secs) } });
    expect(response.status()).toBe(204);
  };
  // Four days on, 2026-12-02: within 30 days of the end of December.
  await advance(4 * DAY);
  await page.goto(billing);
  if (page.url().includes("/login")) await logIn(page, email);
  await expect(page.getByText(`Your credit card expires at the end of ${expiry}.`)).toBeVisible();

  // Past the end of it: expired.
  await advance(40 * DAY);
  await page.goto(billing);
  if (page.url().includes("/login")) await logIn(page, email);
  await expect(page.getByRole("alert")).toContainText("Your credit card has expired");
  await expect(page.getByRole("link", { name: "Replace the expired credit card" })).toBeVisible();
  await screenshots(page, testInfo, "card-expired");
  await page.getByRole("link", { name: "Services", exact: true }).click();
  await expect(page.getByRole("button", { name: "Create service" })).toBeDisabled();

  await openMenu(page, "Billing");
  await page.getByRole("button", { name: "Select payment method" }).click();
  await continueWithCard(page);
  await typeCard(page, "4242 4242 4242 4242", "12/35");
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText("Card ending in 4242")).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();
  expect(errors).toEqual([]);
});

test("an invitation is no longer valid after 7 days", async ({ page, browser }) => {
  await newOrganization(page, "Expiring AB", "inviter");
  await openMenu(page, "Collaborators");
  const email = uniqueEmail("late");
  const path = await invite(page, email, "member");
  const response = await page.request.post("/test-clock/advance", { form: { secs: String(7 * DAY + 1) } });
  expect(response.status()).toBe(204);
  const late = await (await browser.newContext()).newPage();
  await signUp(late, "Lena Late", email);
  await late.goto(path);
  await expect(late.getByRole("heading", { name: "This invitation is no longer valid" })).toBeVisible();
  await expect(late.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);
});

/** Moves the server's clock to 30 seconds past the next 1st (UTC); the month
 * that ended, as Billing names it ("January 2027"). */
async function toTheFirst(page: Page): Promise<string> {
  const now = await serverNow(page);
  const date = new Date(now * 1000);
  const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1000;
  const response = await page.request.post("/test-clock/advance", { form: { secs: String(first - now + 30) } });
  expect(response.status()).toBe(204);
  return date.toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** A Small service named `name` made on Services. */
async function createService(page: Page, name: string) {
  await page.getByRole("link", { name: "Services", exact: true }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByRole("group", { name: "Plan" }).getByRole("radio", { name: /^Small,/ }).check();
  await page.getByLabel("Data center").selectOption("sto1");
  await page.getByRole("button", { name: "Create service" }).click();
  await expect(page.getByRole("status")).toHaveText(`Service ${name} created`);
}

/** Reloads Billing (logging in again after the clock jumped) until the
 * invoice row for `month` shows `status`. */
async function invoiceRow(page: Page, billing: string, email: string, month: string, status: string) {
  const row = page.getByRole("row", { name: new RegExp(month) });
  await expect(async () => {
    await page.goto(billing);
    if (page.url().includes("/login")) {
      await logIn(page, email);
      await page.goto(billing);
    }
    await expect(row).toContainText(status, { timeout: 500 });
  }).toPass({ timeout: 30_000 });
  return row;
}

test("on the 1st the month's invoice is on Billing, paid by card, and its PDF downloads", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const email = await newOrganization(page, "Invoiced", "invoiced");
  await saveCompany(page);
  await openMenu(page, "Billing");
  const billing = page.url();
  await continueWithCard(page);
  await typeCard(page, "4242 4242 4242 4242", "12/35");
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await createService(page, "web-1");
  await page.goto(billing);
  const month = new Date((await serverNow(page)) * 1000).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
  await expect(page.getByRole("heading", { name: `Next invoice: ${month} (estimate)` })).toBeVisible();
  await expect(page.getByText("No invoices yet.")).toBeVisible();

  expect(await toTheFirst(page)).toBe(month);
  const row = await invoiceRow(page, billing, email, month, "Paid");
  await screenshots(page, testInfo, "invoices-paid");
  const number = (await row.getByRole("cell").first().textContent())?.trim();
  expect(number).toMatch(/^\d+$/);
  await emailTo(email, `Invoice ${number} paid by card`);

  const download = page.waitForEvent("download");
  await row.getByRole("link", { name: /^PDF/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`invoice-${number}.pdf`);
  const pdf = readFileSync(await file.path());
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  expect(pdf.length).toBeGreaterThan(5_000);
  expect(errors).toEqual([]);
});

test("a card declined on the 1st shows the invoice unpaid; Pay now with another card pays it", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const email = await newOrganization(page, "Declined", "declined");
  await saveCompany(page);
  await openMenu(page, "Billing");
  const billing = page.url();
  // Accepted on the card page; its later charges are declined.
  await continueWithCard(page);
  await typeCard(page, "4000 0000 0000 0341", "12/35");
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await createService(page, "db-1");

  const month = await toTheFirst(page);
  await invoiceRow(page, billing, email, month, "Unpaid");
  await expect(page.getByRole("alert")).toContainText("is unpaid: the card payment failed (the bank declined it).");
  await screenshots(page, testInfo, "invoices-unpaid");
  await emailTo(email, /^Invoice \d+: the card payment failed$/);
  await page.goto(billing.replace(/\/billing$/, ""));
  await expect(page.getByRole("alert")).toContainText("is unpaid: pay it on Billing.");
  await screenshots(page, testInfo, "overview-unpaid");

  await page.goto(billing);
  await page.getByRole("button", { name: "Pay now" }).click();
  await typeCard(page, "4242 4242 4242 4242", "12/35");
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await invoiceRow(page, billing, email, month, "Paid");
  await expect(page.getByRole("button", { name: "Pay now" })).toHaveCount(0);
  expect(errors).toEqual([]);
});
