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

/** Every visible list shows its whole chosen value ("Stockholm, Sweden
 * (sto1)" at 320 px): the text fits between the padding and the arrow. */
async function expectSelectsShowTheirValue(page: Page) {
  const cut = await page.locator("select:visible").evaluateAll((selects) =>
    (selects as HTMLSelectElement[])
      .filter((select) => {
        const style = getComputedStyle(select);
        const canvas = document.createElement("canvas").getContext("2d")!;
        canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = canvas.measureText(select.selectedOptions[0]?.text ?? "").width;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - 20; // the arrow
        return text > room;
      })
      .map((select) => `${select.name}: ${select.selectedOptions[0]?.text}`),
  );
  expect(cut, `lists cut on ${page.url()}`).toEqual([]);
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
    // The smallest phone, one upright and turned, and a small tablet.
    for (const viewport of [{ width: 320, height: 568 }, PHONE, { width: 812, height: 375 }, { width: 768, height: 1024 }]) {
      await page.setViewportSize(viewport);
      for (const path of [...ORGANIZATION_PAGES, "/organizations/new"]) {
        await page.goto(path.startsWith("/organizations/") ? path : `/organizations/${org}${path}`);
        await expectPhoneFit(page);
        await expectSelectsShowTheirValue(page);
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
    // The next Tab goes into the navigation, and no Tab reaches the page
    // hidden behind it.
    await page.keyboard.press("Tab");
    expect(await navigation.evaluate((nav) => nav.contains(document.activeElement))).toBe(true);
    const stops = await navigation.locator("a:visible, button:visible").count();
    for (let i = 0; i < stops + 2; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.closest(".content, .topbar, .skip-link") ?? null), `Tab ${i + 2}`).toBeNull();
    }
    await navigation.getByRole("link", { name: "Phone Test AB" }).focus();
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

test("the drawer shows the current organization of a long list and keeps Tab inside", async ({ page }) => {
  test.setTimeout(60_000);
  await newOrganization(page, "Drawer 00", "drawer");
  for (let i = 1; i < 16; i++) {
    await page.goto("/organizations/new");
    await page.getByLabel("Organization name").fill(`Drawer ${String(i).padStart(2, "0")}`);
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: "Company information" })).toBeVisible();
  }
  // The last of the list (alphabetical), far below a short screen's fold.
  await page.setViewportSize({ width: 375, height: 560 });
  await page.goto(`/organizations/${orgOf(page)}`);
  const navigation = page.getByRole("navigation", { name: "Main" });
  await page.getByRole("button", { name: "Open navigation" }).click();
  const here = navigation.getByRole("link", { name: "Drawer 15" });
  await expect(here).toHaveAttribute("aria-current", "page");
  await expect(here).toBeInViewport({ ratio: 1 });
  const list = (await navigation.locator("ul.orgs").boundingBox())!;
  const link = (await here.boundingBox())!;
  expect(link.y).toBeGreaterThanOrEqual(list.y);
  expect(link.y + link.height).toBeLessThanOrEqual(list.y + list.height + 1);

  // Tab through all of it and on: focus never reaches the page hidden
  // behind it (as in a dialog).
  const stops = await navigation.locator("a:visible, button:visible").count();
  for (let i = 0; i < stops + 3; i++) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest(".content, .topbar, .skip-link") ?? null), `Tab ${i + 1}`).toBeNull();
  }
  await expect(navigation).toBeVisible();
});

for (const how of ["click", "tap"] as const) {
  test(`a ${how} on a plan right after a refused service name chooses that plan`, async ({ browser }) => {
    const context = await browser.newContext({ hasTouch: how === "tap", viewport: PHONE });
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await newOrganization(page, "Tap Test AB", `tap${how}`);
    await saveCompany(page);
    const org = orgOf(page);
    await page.goto(`/organizations/${org}/billing`);
    await page.getByRole("group", { name: "Method of payment" }).getByLabel("Invoice").check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Method of payment saved");
    await page.getByRole("group", { name: "Invoice delivery" }).getByLabel("Snail mail").check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Billing is ready: services can be created.")).toBeVisible();
    await page.setViewportSize(PHONE);
    await page.goto(`/organizations/${org}/services`);
    await page.getByLabel("Name").fill("Web 1");
    // The refusal appears when the name loses focus, above the plans: near
    // the box's top edge, a press that moved it would end outside it.
    const large = page.getByRole("radio", { name: /^Large/ });
    const box = page.locator("label[for='plan-large']");
    const position = { x: 40, y: 6 };
    if (how === "tap") await box.tap({ position });
    else await box.click({ position });
    await expect(large).toBeChecked();
    await expect(page.locator("#field-name-error")).toBeVisible();
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
