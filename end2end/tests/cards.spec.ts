import { expect, Page, test } from "@playwright/test";
import { continueWithCard, newOrganization, openMenu, saveCompany, screenshots, typeCard, watchErrors } from "./helpers";

async function toBilling(page: Page, prefix: string) {
  await newOrganization(page, "Example", prefix);
  await saveCompany(page);
  await openMenu(page, "Billing");
}

test("adding card 4242: confirmation, card on Billing, payment then its refund", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await toBilling(page, "card4242");
  await continueWithCard(page);
  await screenshots(page, testInfo, "card-page");
  await typeCard(page, "4242 4242 4242 4242");
  await expect(page.getByRole("heading", { name: "Credit card added" })).toBeVisible();
  await expect(page.getByText("Your credit card has been added")).toBeVisible();
  await expect(page.getByText("Future invoices are paid automatically by card")).toBeVisible();
  await screenshots(page, testInfo, "card-added");

  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText("Card ending in 4242")).toBeVisible();
  await expect(page.getByText("Expires 12/30")).toBeVisible();
  await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();
  const payments = page.getByRole("table", { name: "Payments" });
  await expect(payments.getByRole("row", { name: /Card verification 1\.00 EUR/ })).toBeVisible();
  // The refund comes after ORGPANEL_REFUND_DELAY_SECS (3 s in these tests).
  await expect(async () => {
    await page.reload();
    await expect(payments.getByRole("row", { name: /Card verification 1\.00 EUR Refunded/ })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(payments.getByRole("row", { name: /Refund 1\.00 EUR Completed/ })).toBeVisible();
  await screenshots(page, testInfo, "billing-card");
  expect(errors).toEqual([]);
});

test("identification: approved adds the card, cancelled says so and changes nothing", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await toBilling(page, "identify");
  await continueWithCard(page);
  await typeCard(page, "4000 0027 6000 3184");
  await expect(page.getByRole("heading", { name: "Identify yourself" })).toBeVisible();
  await screenshots(page, testInfo, "identify");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { name: "Credit card not added" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText("The identification was cancelled, so the card was not added.");
  await expect(page.getByText("your method of payment has not changed")).toBeVisible();

  await page.getByRole("button", { name: "Try another card" }).click();
  await typeCard(page, "4000 0027 6000 3184");
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("heading", { name: "Credit card added" })).toBeVisible();
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText("Card ending in 3184")).toBeVisible();
  expect(errors).toEqual([]);
});

test("declined and invalid cards say why; the previous method stays", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await toBilling(page, "declined");
  // Invoice by email first: it must survive the failed card.
  await page.getByRole("group", { name: "Method of payment" }).getByLabel("Invoice").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("group", { name: "Invoice delivery" }).getByLabel("Email").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Invoice delivery saved");

  await page.getByRole("button", { name: "Select payment method" }).click();
  await continueWithCard(page);
  // Refused on the card page: nothing charged, the reason beside the field.
  await typeCard(page, "4242 4242 4242 4241");
  await expect(page.getByText("This card number is not valid. Check it and try again.")).toBeVisible();
  await expect(page.getByLabel("Card number")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Card number")).toHaveValue("");
  await typeCard(page, "4242 4242 4242 4242", "01/20");
  await expect(page.getByText("This card has expired: the expiry date is in the past.")).toBeVisible();
  await typeCard(page, "4242 4242 4242 4242", "12/30", "12");
  await expect(page.getByText("Enter the 3 or 4 digit security code (CVC) from the card.")).toBeVisible();
  await screenshots(page, testInfo, "card-page-invalid");

  await typeCard(page, "4000 0000 0000 0002");
  await expect(page.getByRole("heading", { name: "Credit card not added" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("The card was declined by its bank.");
  await screenshots(page, testInfo, "card-declined");
  await page.getByRole("button", { name: "Try another card" }).click();
  await typeCard(page, "4000 0000 0000 9995");
  await expect(page.getByRole("alert")).toContainText("not enough money");

  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.locator(".panel .current")).toHaveText("Invoice");
  await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();
  await openMenu(page, "Activity");
  await expect(page.getByRole("row", { name: /Card setup failed: The card was declined by its bank/ })).toBeVisible();
  expect(errors).toEqual([]);
});

test("replacing a card: the old one stays until the new one is verified", async ({ page }) => {
  const errors = watchErrors(page);
  await toBilling(page, "replace");
  await continueWithCard(page);
  await typeCard(page, "5555 5555 5555 4444");
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText("Card ending in 4444")).toBeVisible();

  await page.getByRole("button", { name: "Select payment method" }).click();
  await continueWithCard(page);
  await page.getByRole("link", { name: /Cancel and return/ }).click();
  await expect(page.getByRole("heading", { name: "Credit card not added yet" })).toBeVisible();
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText("Card ending in 4444")).toBeVisible();

  await page.getByRole("button", { name: "Select payment method" }).click();
  await continueWithCard(page);
  await typeCard(page, "4242 4242 4242 4242", "11/31");
  await expect(page.getByText("It replaces the previous card.")).toBeVisible();
  await page.getByRole("link", { name: "Back to Billing" }).click();
  await expect(page.getByText("Card ending in 4242")).toBeVisible();
  await expect(page.getByText("Expires 11/31")).toBeVisible();
  await expect(page.getByText("Card ending in 4444")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test.describe("JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the whole card flow is plain pages and forms", async ({ page }) => {
    await toBilling(page, "cardnojs");
    await continueWithCard(page);
    await typeCard(page, "4242 4242 4242 4242");
    await expect(page.getByRole("heading", { name: "Credit card added" })).toBeVisible();
  });
});
