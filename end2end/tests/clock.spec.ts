// Moves the server's clock, so it runs alone after every other test (see
// the "clock" project in playwright.config.ts).
import { expect, test } from "@playwright/test";
import { continueWithCard, invite, logIn, newOrganization, openMenu, saveCompany, screenshots, signUp, typeCard, uniqueEmail, watchErrors } from "./helpers";

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
