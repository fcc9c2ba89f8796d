import { expect, test } from "@playwright/test";
import { screenshots, signUp, uniqueEmail, watchErrors } from "./helpers";

const MENU = ["Collaborators", "Settings", "Billing", "API keys", "Activity"] as const;

async function createOrganization(page: import("@playwright/test").Page, name: string) {
  await page.getByRole("link", { name: "Create organization" }).first().click();
  await expect(page.getByRole("heading", { name: "Create organization" })).toBeVisible();
  await page.getByLabel("Organization name").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  // The new organization opens on Settings: company information comes first.
  await expect(page.getByRole("heading", { name: "Company information" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Company information comes first");
  await expect(page.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
}

/** Blanks Settings' "Organization name" and leaves it: the island says why, before any post. */
async function expectBlankNameRefusedInBrowser(page: import("@playwright/test").Page) {
  const field = page.getByLabel("Organization name");
  await field.fill("   ");
  await expect(async () => {
    await field.focus();
    await page.getByLabel("Type the organization's name to confirm").focus();
    await expect(page.locator("#field-name-error")).toHaveText("Enter the organization's name.", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  return field;
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "JavaScript on" : "JavaScript off", () => {
    test.use({ javaScriptEnabled });

    test("create two organizations, switch between them, open every menu item", async ({ page }, testInfo) => {
      const errors = watchErrors(page);
      await signUp(page, "Anna Berg", uniqueEmail("orgs"));
      await createOrganization(page, "Example AB");
      if (javaScriptEnabled) await screenshots(page, testInfo, "settings-created");
      await createOrganization(page, "Beta Oy");

      const sidebar = page.getByRole("navigation", { name: "Main" });
      await sidebar.getByRole("link", { name: "Example AB" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Example AB" })).toBeVisible();
      await expect(sidebar.getByRole("link", { name: "Example AB" })).toHaveAttribute("aria-current", "page");
      await expect(sidebar.getByRole("link", { name: "Beta Oy" })).not.toHaveAttribute("aria-current", "page");
      const collaborators = page.getByRole("region", { name: "Collaborators" });
      await expect(collaborators.getByRole("row", { name: /Anna Berg .* Owner/ })).toBeVisible();
      for (const item of ["Company information", "Payment method", "Create a service"]) {
        await expect(page.getByRole("listitem").filter({ hasText: item })).toContainText("Not done");
      }
      if (javaScriptEnabled) await screenshots(page, testInfo, "overview");

      await sidebar.getByRole("link", { name: "Beta Oy" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Beta Oy" })).toBeVisible();

      const headings: Record<(typeof MENU)[number], string> = {
        Collaborators: "Collaborators",
        Settings: "Company information",
        Billing: "Billing",
        "API keys": "API keys",
        Activity: "Activity",
      };
      for (const item of MENU) {
        await page.getByRole("button", { name: "Organization menu" }).click();
        await page.getByRole("link", { name: item, exact: true }).click();
        await expect(page.getByRole("heading", { level: 1, name: headings[item] })).toBeVisible();
        await expect(page).toHaveURL(new RegExp(`/organizations/[a-z2-7]{16}/`));
      }
      await expect(page.getByRole("cell", { name: "Organization created: Beta Oy" })).toBeVisible();
      expect(errors).toEqual([]);
    });
  });
}

test("another account cannot open the organization's pages", async ({ browser }) => {
  // Two sign-ups and five pages: on a loaded 2-core runner this once took over 30 s.
  test.setTimeout(60_000);
  const owner = await browser.newPage();
  await signUp(owner, "Anna", uniqueEmail("owner"));
  await createOrganization(owner, "Secret Project AB");
  const overview = owner.url().replace(/\/settings.*$/, "");

  const stranger = await (await browser.newContext()).newPage();
  await signUp(stranger, "Mallory", uniqueEmail("mallory"));
  for (const page of ["", "/settings", "/collaborators", "/billing", "/activity"]) {
    const response = await stranger.goto(overview + page);
    expect(response?.status()).toBe(404);
    await expect(stranger.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(stranger.getByText("Secret Project AB")).toHaveCount(0);
  }
});

test("the organization name is checked in the browser, then renamed and deleted", async ({ page }, testInfo) => {
  const errors = watchErrors(page);
  await signUp(page, "Anna", uniqueEmail("rename"));
  await createOrganization(page, "Example AB");

  const field = await expectBlankNameRefusedInBrowser(page);
  await field.fill("Example Group AB");
  await expect(page.locator("#field-name-error")).toHaveCount(0);
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("status")).toHaveText("Organization renamed.");
  await expect(page.getByRole("link", { name: "Example Group AB" })).toBeVisible();

  await page.getByLabel("Type the organization's name to confirm").fill("Example AB");
  await page.getByRole("button", { name: "Delete organization" }).click();
  await expect(page.locator("#field-confirm-error")).toHaveText("Type the organization's name exactly as shown to delete it.");
  await screenshots(page, testInfo, "delete-refused");
  await page.getByLabel("Type the organization's name to confirm").fill("Example Group AB");
  await page.getByRole("button", { name: "Delete organization" }).click();
  await expect(page.getByRole("status")).toHaveText("Organization deleted.");
  await expect(page.getByText("No organizations yet")).toBeVisible();
  expect(errors).toEqual([]);
});

test("only a page with islands downloads the WASM, and its islands work", async ({ page, browser }) => {
  await signUp(page, "Anna", uniqueEmail("wasm"));
  await createOrganization(page, "Example AB");
  const organization = new URL(page.url()).pathname.replace(/\/settings$/, "");
  // A new browser with the same session: nothing in its cache.
  const fresh = await browser.newContext({ storageState: await page.context().storageState() });
  const tab = await fresh.newPage();
  const errors = watchErrors(tab);
  const wasm: string[] = [];
  const bundles: string[] = [];
  tab.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.endsWith(".wasm")) return;
    wasm.push(new URL(tab.url()).pathname);
    bundles.push(path.replace(/^\/pkg\/orgpanel-(\w+)\..*$/, "$1"));
  });
  for (const path of ["", "/collaborators", "/api-keys", "/activity"]) {
    await tab.goto(organization + path, { waitUntil: "networkidle" });
    await expect(tab.locator("main h1")).toBeVisible();
  }
  expect(wasm).toEqual([]);
  const served = tab.waitForResponse((response) => new URL(response.url()).pathname.endsWith(".wasm"));
  await tab.goto(organization + "/settings", { waitUntil: "networkidle" });
  expect(wasm).toEqual([organization + "/settings"]);
  // Brotli for this browser; a shared cache must not give it to others.
  const headers = (await served).headers();
  expect(headers["content-encoding"]).toBe("br");
  expect(headers["vary"]).toContain("accept-encoding");
  // Its own bundle, with the company form's and the name's islands only.
  expect(bundles).toEqual(["organization"]);
  await expectBlankNameRefusedInBrowser(tab);
  expect(errors).toEqual([]);
  await fresh.close();

  // With JavaScript off nothing could run it, so nothing fetches it (the glue neither).
  const off = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const offTab = await off.newPage();
  const fetched: string[] = [];
  offTab.on("request", (request) => {
    if (/\.(wasm|js)$/.test(new URL(request.url()).pathname)) fetched.push(request.url());
  });
  await offTab.goto(organization + "/settings", { waitUntil: "networkidle" });
  await expect(offTab.getByLabel("Organization name")).toBeVisible();
  expect(fetched).toEqual([]);
  await off.close();
});
