// Phones, keyboards and the browser's own asks (issue 16): at 375 px every
// page starts with its heading and never scrolls sideways, the navigation
// opens from a top bar and closes again (JavaScript on and off), "Skip to
// main content" comes first, every page has an icon and a theme colour,
// and axe-core finds nothing serious in the light or the dark scheme.
import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { continueWithCard, newOrganization, saveCompany, screenshots, watchErrors } from "./helpers";

const PHONE = { width: 375, height: 812 };
const ORGANIZATION_PAGES = ["", "/services", "/collaborators", "/settings", "/billing", "/api-keys", "/activity"];

/** The organization in the current URL. */
function orgOf(page: Page): string {
  return new URL(page.url()).pathname.split("/")[2];
}

/** The page's icon and theme colour: present, and the icon is served. */
async function expectIconAndThemeColour(page: Page) {
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  expect(icon, page.url()).toBeTruthy();
  expect((await page.request.get(new URL(icon!, page.url()).href)).status(), `${icon} on ${page.url()}`).toBe(200);
  expect(await page.locator('meta[name="theme-color"]').count(), page.url()).toBeGreaterThan(0);
}

/** The page starts with its heading (right under the top bar, not below
 * the navigation) and nothing is wider than the window. */
async function expectPhoneFit(page: Page) {
  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toBeVisible();
  const box = (await heading.boundingBox())!;
  expect(box.y, `heading of ${page.url()}`).toBeLessThanOrEqual(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `sideways scroll on ${page.url()}`).toBe(0);
}

/** axe-core's WCAG 2.1 A and AA rules: no serious or critical violation. */
async function expectAccessible(page: Page, scheme: "light" | "dark") {
  await page.emulateMedia({ colorScheme: scheme });
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `${scheme} scheme on ${page.url()}`).toEqual([]);
}

for (const javaScriptEnabled of [true, false]) {
  test(`at 375 px every page starts with its heading and the navigation opens and closes (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }, testInfo) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const missing: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 404 && response.request().resourceType() !== "document") missing.push(response.url());
    });
    await page.setViewportSize(PHONE);
    for (const path of ["/login", "/signup"]) {
      await page.goto(path);
      await expectPhoneFit(page);
    }
    // Signed up at desktop width, where the helpers find "Log out" in view.
    await page.setViewportSize({ width: 1280, height: 800 });
    await newOrganization(page, "Phone Test AB", "phone");
    await saveCompany(page);
    const org = orgOf(page);
    await page.setViewportSize(PHONE);
    // A phone upright and turned, and a small tablet.
    for (const viewport of [PHONE, { width: 812, height: 375 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(viewport);
      for (const path of [...ORGANIZATION_PAGES, "/organizations/new"]) {
        await page.goto(path.startsWith("/organizations/") ? path : `/organizations/${org}${path}`);
        await expectPhoneFit(page);
      }
    }
    await page.setViewportSize(PHONE);

    await page.goto(`/organizations/${org}`);
    const navigation = page.getByRole("navigation", { name: "Main" });
    const open = page.getByRole("button", { name: "Open navigation" });
    await expect(page.locator(".topbar")).toContainText("Phone Test AB");
    await expect(navigation).toBeHidden();
    await open.click();
    await expect(navigation).toBeVisible();
    // The whole screen: no page beside it for a tap to land on.
    expect(await navigation.boundingBox()).toEqual({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    await expect(navigation.getByRole("link", { name: "Phone Test AB" })).toHaveAttribute("aria-current", "page");
    // The next Tab goes into the navigation, not behind it.
    await page.keyboard.press("Tab");
    expect(await navigation.evaluate((nav) => nav.contains(document.activeElement))).toBe(true);
    await page.keyboard.press("Escape");
    await expect(navigation).toBeHidden();
    await expect(open).toBeFocused();
    await open.click();
    await navigation.getByRole("button", { name: "Close navigation" }).click();
    await expect(navigation).toBeHidden();
    await open.click();
    await navigation.getByRole("link", { name: "Services", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Services" })).toBeVisible();
    await expect(navigation).toBeHidden();

    // The organization menu inside it still opens.
    await open.click();
    await navigation.getByRole("button", { name: "Organization menu" }).click();
    await page.getByRole("navigation", { name: "Organization menu" }).getByRole("link", { name: "Billing" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();

    if (javaScriptEnabled) {
      await page.goto(`/organizations/${org}`);
      await screenshots(page, testInfo, "overview");
      await page.setViewportSize(PHONE);
      await open.click();
      await page.screenshot({ path: testInfo.outputPath("navigation-phone.png") });
    }
    expect(errors).toEqual([]);
    expect(missing).toEqual([]);
    await context.close();
  });
}

test("Skip to main content is the first Tab stop and leads past the navigation", async ({ page }) => {
  await newOrganization(page, "Skip Test AB", "skip");
  for (let i = 0; i < 5; i++) {
    await page.getByRole("link", { name: "Create organization" }).first().click();
    await page.getByLabel("Organization name").fill(`Skip Test ${i}`);
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: "Company information" })).toBeVisible();
  }
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to main content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.closest("main")?.id)).toBe("main");
  await expect(page.getByLabel("Company name")).toBeFocused();

  // On a phone the page scrolls to the heading, not under the top bar.
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const bar = (await page.locator(".topbar").boundingBox())!;
  const heading = (await page.getByRole("heading", { level: 1 }).boundingBox())!;
  expect(heading.y).toBeGreaterThanOrEqual(bar.y + bar.height);
});

test("every page has an icon and a theme colour, and axe-core finds nothing serious in light or dark", async ({ page }) => {
  test.setTimeout(180_000);
  for (const path of ["/login", "/signup"]) {
    await page.goto(path);
    await expectIconAndThemeColour(page);
    for (const scheme of ["light", "dark"] as const) await expectAccessible(page, scheme);
  }
  await newOrganization(page, "Axe Test AB", "axe");
  await saveCompany(page);
  const org = orgOf(page);
  for (const path of [...ORGANIZATION_PAGES.map((p) => `/organizations/${org}${p}`), "/organizations/new", "/", "/no-such-page"]) {
    await page.goto(path);
    await expectIconAndThemeColour(page);
    for (const scheme of ["light", "dark"] as const) {
      for (const viewport of [PHONE, { width: 1440, height: 900 }]) {
        await page.setViewportSize(viewport);
        await expectAccessible(page, scheme);
      }
    }
  }
  // The payment provider's card page.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/organizations/${org}/billing`);
  await continueWithCard(page);
  await expectIconAndThemeColour(page);
  for (const scheme of ["light", "dark"] as const) await expectAccessible(page, scheme);
});
