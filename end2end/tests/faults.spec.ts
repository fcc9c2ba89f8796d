// Faults found when the panel was tried as a new user would (issue 10),
// checked in a real browser.
import { expect, test } from "@playwright/test";
import { continueWithCard, newOrganization, openMenu, saveCompany, screenshots, signUp, uniqueEmail, watchErrors } from "./helpers";

test("after log-out, Back shows no signed-in page from the cache", async ({ page }) => {
  const email = await newOrganization(page, "Cache Test AB", "back");
  await openMenu(page, "Billing");
  await expect(page.getByRole("heading", { name: "Billing" })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await page.goBack();
  // The browser asks again and the server sends it to log in.
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await expect(page.getByText(email)).toHaveCount(0);
  await expect(page.getByText("Cache Test AB")).toHaveCount(0);
});

test("a long unbroken organization name wraps on a phone and the menu button keeps its size", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  const name = "Grundstücksverwaltungsgesellschaft Nord GmbH";
  await newOrganization(page, name, "longname");
  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await screenshots(page, testInfo, "long-name");
  await page.setViewportSize({ width: 375, height: 812 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
  // On a phone the organization menu is in the navigation drawer.
  const open = await page.getByRole("button", { name: "Open navigation" }).boundingBox();
  expect(open?.width ?? 0).toBeGreaterThanOrEqual(32);
  await page.getByRole("button", { name: "Open navigation" }).click();
  const button = await page.getByRole("button", { name: "Organization menu" }).boundingBox();
  expect(button?.width ?? 0).toBeGreaterThanOrEqual(32);
  expect(errors).toEqual([]);
});

test("an expiry typed on a French keyboard is refused on the card page, nothing is lost", async ({ page }) => {
  await newOrganization(page, "Example", "azerty");
  await saveCompany(page);
  await openMenu(page, "Billing");
  await continueWithCard(page);
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry date").fill('&é"');
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByRole("button", { name: "Accept 1 EUR" }).click();
  await expect(page.getByText("Enter the expiry date as MM/YY, like 12/30.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Card details" })).toBeVisible();
});

test("a zero-width organization name is refused with a reason", async ({ page }) => {
  await signUp(page, "Anna Berg", uniqueEmail("zwsp"));
  await page.getByRole("link", { name: "Create organization" }).first().click();
  await page.getByLabel("Organization name").fill("\u200B");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText("cannot contain invisible formatting characters")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Create organization" })).toBeVisible();
});

test("two clicks on a slow connection send a form once; a form the browser refused can be sent after the fix", async ({ page }) => {
  await signUp(page, "Anna Berg", uniqueEmail("twice"));
  await page.getByRole("link", { name: "Create organization" }).first().click();
  const create = page.getByRole("button", { name: "Create" });
  // Refused in the browser (no name): the form must stay sendable.
  await create.click();
  await expect(page.getByText("Enter the organization's name.")).toBeVisible();
  let posts = 0;
  await page.route("**/organizations/new", async (route) => {
    if (route.request().method() === "POST") {
      posts += 1;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    await route.continue();
  });
  await page.getByLabel("Organization name").fill("Slow Twice AB");
  // The mouse, not the locator: a locator waits for the first navigation.
  const box = await create.boundingBox();
  const [x, y] = [(box?.x ?? 0) + 5, (box?.y ?? 0) + 5];
  await page.mouse.click(x, y);
  await page.waitForTimeout(300);
  await page.mouse.click(x, y);
  await expect(page.getByRole("heading", { name: "Company information" })).toBeVisible();
  expect(posts).toBe(1);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Slow Twice AB" })).toHaveCount(1);
});
