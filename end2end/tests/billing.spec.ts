import { expect, Page, test } from "@playwright/test";
import { newOrganization, openMenu, saveCompany, screenshots, watchErrors } from "./helpers";

const NOT_READY =
  "You cannot create services until you have selected a payment method and provided all the necessary information.";

/** Chooses Invoice as the method of payment and saves it. */
async function chooseInvoice(page: Page) {
  const method = page.getByRole("group", { name: "Method of payment" });
  await method.getByLabel("Invoice").check();
  // Invoice is saved here; a card would continue to the card page.
  await expect(page.getByRole("button", { name: "Continue" })).toBeHidden();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Method of payment saved");
}

test("services are refused before billing is ready, with links to what is missing", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await newOrganization(page, "Example", "notready");
  await page.getByRole("link", { name: "Services", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Services" })).toBeVisible();
  await expect(page.getByText(NOT_READY)).toBeVisible();
  await expect(page.getByRole("button", { name: "Create service" })).toBeDisabled();
  await screenshots(page, testInfo, "services-not-ready");

  // Each missing item links to where it is fixed.
  await page.getByRole("link", { name: "Fill in the company information" }).click();
  await expect(page.getByRole("heading", { name: "Company information" })).toBeVisible();
  await saveCompany(page);
  await page.getByRole("link", { name: "Services", exact: true }).click();
  await expect(page.getByRole("link", { name: "Fill in the company information" })).toHaveCount(0);
  await page.getByRole("link", { name: "Choose a method of payment" }).click();
  await expect(page.getByRole("heading", { name: "Billing" })).toBeVisible();
  await expect(page.getByRole("group", { name: "Method of payment" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("invoice by email: the invoice email is checked as typed, then billing is ready", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await newOrganization(page, "Example", "invoice");
  await saveCompany(page);
  await openMenu(page, "Billing");
  await expect(page.getByRole("heading", { name: "Billing" })).toBeVisible();
  await expect(page.getByText(NOT_READY)).toBeVisible();
  const method = page.getByRole("group", { name: "Method of payment" });
  await method.getByLabel("Credit card").check();
  await expect(page.getByRole("button", { name: "Continue" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toBeHidden();
  await screenshots(page, testInfo, "billing-choose");
  await chooseInvoice(page);

  const delivery = page.getByRole("group", { name: "Invoice delivery" });
  await delivery.getByLabel("Email").check();
  const email = page.getByLabel("Invoice email");
  await expect(email).toHaveValue("billing@example.se");
  await email.fill("invoices@");
  await expect(async () => {
    await email.focus();
    await delivery.getByLabel("Email").focus();
    await expect(page.locator("#field-invoice_email-error")).toHaveText("Enter an email address like name@example.com.", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  let posted = false;
  page.on("request", (r) => { if (r.method() === "POST") posted = true; });
  await page.getByRole("button", { name: "Save" }).click();
  expect(posted).toBe(false);
  await expect(email).toBeFocused();

  await email.fill("invoices@example.se");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Invoice delivery saved");
  await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();
  await expect(page.getByText(NOT_READY)).toHaveCount(0);
  await expect(delivery.getByLabel("Email")).toBeChecked();
  await expect(email).toHaveValue("invoices@example.se");
  await screenshots(page, testInfo, "billing-invoice-email");

  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "Payment method" })).toContainText("Done");
  expect(errors).toEqual([]);
});

test("snail mail shows the company address invoices go to", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await newOrganization(page, "Example", "mail");
  await saveCompany(page);
  await openMenu(page, "Billing");
  await chooseInvoice(page);
  const delivery = page.getByRole("group", { name: "Invoice delivery" });
  await delivery.getByLabel("Snail mail").check();
  await expect(page.getByLabel("Invoice email")).toBeHidden();
  const address = page.locator("address");
  await expect(address).toContainText("Example AB");
  await expect(address).toContainText("Storgatan 1");
  await expect(address).toContainText("114 37 Stockholm");
  await expect(address).toContainText("Sweden");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Invoice delivery saved");
  await expect(delivery.getByLabel("Snail mail")).toBeChecked();
  await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();
  await screenshots(page, testInfo, "billing-snail-mail");

  // "Select payment method" reopens the choice, with Invoice chosen.
  await page.getByRole("button", { name: "Select payment method" }).click();
  await expect(page.getByRole("group", { name: "Method of payment" }).getByLabel("Invoice")).toBeChecked();
  expect(errors).toEqual([]);
});

test("once billing is ready a service is created, listed and deleted after a confirmation", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await newOrganization(page, "Example", "service");
  await saveCompany(page);
  await openMenu(page, "Billing");
  await chooseInvoice(page);
  await page.getByRole("group", { name: "Invoice delivery" }).getByLabel("Email").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Invoice delivery saved");

  await page.getByRole("link", { name: "Services", exact: true }).click();
  await expect(page.getByText(NOT_READY)).toHaveCount(0);
  const name = page.getByLabel("Name");
  await name.fill("Web_1");
  await expect(async () => {
    await name.focus();
    await page.getByLabel("Data center").focus();
    await expect(page.locator("#field-name-error")).toHaveText("Use only lower-case letters a–z, digits and hyphens.", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await name.fill("web-1");
  await page.getByRole("group", { name: "Plan" }).getByRole("radio", { name: /^Medium,/ }).check();
  await page.getByLabel("Data center").selectOption("hel1");
  await page.getByRole("button", { name: "Create service" }).click();
  await expect(page.getByRole("status")).toHaveText("Service web-1 created");
  const row = page.getByRole("row", { name: /web-1/ });
  await expect(row).toContainText("Medium");
  await expect(row).toContainText("Helsinki, Finland (hel1)");
  await expect(row).toContainText("18.00 EUR");
  await screenshots(page, testInfo, "services-created");

  // The same name again is refused by the server, what was typed is kept.
  await name.fill("web-1");
  await page.getByRole("button", { name: "Create service" }).click();
  await expect(page.locator("#field-name-error")).toHaveText("There is already a service named web-1 in this organization.");
  await expect(name).toHaveValue("web-1");

  await row.getByRole("button", { name: "Delete web-1" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete web-1?" });
  await expect(dialog).toBeVisible();
  await screenshots(page, testInfo, "services-delete-confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await row.getByRole("button", { name: "Delete web-1" }).click();
  await dialog.getByRole("button", { name: "Delete service" }).click();
  await expect(page.getByRole("status")).toHaveText("Service web-1 deleted");
  await expect(page.getByRole("row", { name: /web-1/ })).toHaveCount(0);
  await expect(page.getByText("No services yet.")).toBeVisible();

  await openMenu(page, "Activity");
  await expect(page.getByRole("row", { name: /Service created: web-1 \(Medium in Helsinki, 18\.00 EUR a month\)/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Service deleted: web-1/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /Invoice delivery changed: Email, to billing@example\.se/ })).toBeVisible();
  expect(errors).toEqual([]);
});

test.describe("JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the invoice path works with plain forms, refusals included", async ({ page }) => {
    await newOrganization(page, "Example", "nojs");
    await saveCompany(page);
    await openMenu(page, "Billing");
    // Nothing chosen: the server says so beside the group.
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#method-error")).toHaveText("Choose a method of payment.");
    await chooseInvoice(page);

    const delivery = page.getByRole("group", { name: "Invoice delivery" });
    await delivery.getByLabel("Email").check();
    await page.getByLabel("Invoice email").fill("invoices@");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#field-invoice_email-error")).toHaveText("Enter an email address like name@example.com.");
    await expect(page.getByLabel("Invoice email")).toHaveValue("invoices@");
    await expect(page.getByLabel("Invoice email")).toHaveAttribute("aria-invalid", "true");
    await page.getByLabel("Invoice email").fill("invoices@example.se");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Invoice delivery saved");
    await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();

    await page.getByRole("link", { name: "Services", exact: true }).click();
    await page.getByLabel("Name").fill("db-1");
    await page.getByRole("button", { name: "Create service" }).click();
    await expect(page.getByRole("status")).toHaveText("Service db-1 created");
    await page.getByRole("button", { name: "Delete db-1" }).click();
    await page.getByRole("dialog", { name: "Delete db-1?" }).getByRole("button", { name: "Delete service" }).click();
    await expect(page.getByRole("status")).toHaveText("Service db-1 deleted");
  });
});
