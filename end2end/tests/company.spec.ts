import { expect, test } from "@playwright/test";
import { fillCompany as fillValid, newOrganization, screenshots, watchErrors } from "./helpers";

test("a wrong check digit is flagged before saving, then the form saves and reloads", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await newOrganization(page);
  await page.getByLabel("Country").selectOption("SE");
  const id = page.getByLabel("Business identification number");
  await id.fill("556036-0794");
  // Hydration happens when the browser is idle: blur until the island answers.
  await expect(async () => {
    await id.focus();
    await page.getByLabel("Company name").focus();
    await expect(page.locator("#field-business_id-error")).toContainText("check digit is wrong", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(id).toHaveAttribute("aria-invalid", "true");
  await expect(id).toHaveAttribute("aria-describedby", "field-business_id-error");

  let posted = false;
  page.on("request", (r) => { if (r.method() === "POST") posted = true; });
  await page.getByRole("button", { name: "Save" }).click();
  expect(posted).toBe(false);
  await screenshots(page, testInfo, "company-invalid");

  await fillValid(page);
  await id.blur();
  await expect(page.locator("#field-business_id-error")).toHaveCount(0);
  // The VAT number follows from the organisationsnummer.
  await page.getByRole("button", { name: "Use SE556036079301" }).click();
  await expect(page.getByLabel("VAT number")).toHaveValue("SE556036079301");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Company information saved");
  await page.reload();
  await expect(id).toHaveValue("556036-0793");
  await expect(page.getByLabel("Postal code")).toHaveValue("114 37");
  await expect(page.getByLabel("Phone")).toHaveValue("+46701234567");
  await expect(page.getByLabel("Country")).toHaveValue("SE");
  await screenshots(page, testInfo, "company-saved");

  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "Company information" })).toContainText("Done");
  expect(errors).toEqual([]);
});

test("a bad phone and email are refused in the browser", async ({ page }) => {
  await newOrganization(page);
  await fillValid(page);
  const phone = page.getByLabel("Phone");
  await phone.fill("12");
  await expect(async () => {
    await phone.focus();
    await page.getByLabel("City").focus();
    await expect(page.locator("#field-phone-error")).toHaveText("Enter a phone number like 070-123 45 67.", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await page.getByLabel("Email").fill("billing@");
  let posted = false;
  page.on("request", (r) => { if (r.method() === "POST") posted = true; });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#field-email-error")).toHaveText("Enter an email address like name@example.com.");
  expect(posted).toBe(false);
  await expect(page.getByLabel("Email")).toBeFocused();
});

test.describe("JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the server says the same and keeps what was typed, then saves", async ({ page }) => {
    await newOrganization(page);
    await fillValid(page);
    await page.getByLabel("Business identification number").fill("556036-0794");
    await page.getByLabel("Phone").fill("12");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#field-business_id-error")).toContainText("check digit is wrong");
    await expect(page.locator("#field-phone-error")).toHaveText("Enter a phone number like 070-123 45 67.");
    await expect(page.getByLabel("Company name")).toHaveValue("Example AB");
    await expect(page.getByLabel("Country")).toHaveValue("SE");

    await page.getByLabel("Business identification number").fill("556036-0793");
    await page.getByLabel("Phone").fill("08-123 456");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Company information saved");
    await expect(page.getByLabel("Phone")).toHaveValue("+468123456");
  });
});
