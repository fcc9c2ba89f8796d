// API keys: made on the page (shown once, with a curl line), used through
// the JSON API to read and change customer/settings, revoked at once.
import { expect, test } from "@playwright/test";
import { newOrganization, openMenu, saveCompany, screenshots, watchErrors } from "./helpers";

for (const javaScriptEnabled of [true, false]) {
  test(`an API key is made, used and revoked (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser, request }, testInfo) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await newOrganization(page, "Api Test AB", "api");
    await saveCompany(page);
    await openMenu(page, "API keys");
    await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
    await expect(page.getByText("No API keys yet.")).toBeVisible();

    // Refused without a description, and what was chosen stays chosen.
    await page.getByLabel("Role").selectOption("billing");
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByText("Describe what the key is for")).toBeVisible();
    await expect(page.getByLabel("Role")).toHaveValue("billing");

    await page.getByLabel("Description").fill("Accounting sync");
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByRole("heading", { name: "Your new API key" })).toBeVisible();
    const key = (await page.locator("code.secret").textContent()) ?? "";
    expect(key).toMatch(/^opk_[A-Za-z0-9_-]{43}$/);
    const username = (await page.locator(".new-key dd code").first().textContent()) ?? "";
    expect(username).toMatch(/^[1-9][0-9]{6}$/);
    await expect(page.locator("pre.command")).toContainText(`curl -u '${username}:${key}'`);
    if (javaScriptEnabled) await screenshots(page, testInfo, "api-key-created");

    // The key works for what a Billing role may, and changes are logged under it.
    const auth = { Authorization: `Basic ${Buffer.from(`${username}:${key}`).toString("base64")}` };
    let response = await request.post("/api/customer/settings", { headers: auth, data: { paymentmethod: "invoice", invoicedeliverymethod: "email", invoiceemail: "ap@example.se" } });
    expect(response.status()).toBe(200);
    let body = await response.json();
    expect(body.response.settings.billingready).toBe("yes");
    response = await request.post("/api/service/create", { headers: auth, data: { name: "web", plan: "small", datacenter: "sto1" } });
    expect(response.status()).toBe(403);

    // Shown once: the list has it by description, never the key itself.
    await page.goto(page.url());
    await expect(page.getByRole("heading", { name: "Your new API key" })).toHaveCount(0);
    const row = page.getByRole("row", { name: /Accounting sync/ });
    await expect(row).toContainText("Billing");
    await expect(row).toContainText("Anna Berg");
    expect(await page.content()).not.toContain(key);
    if (javaScriptEnabled) await screenshots(page, testInfo, "api-keys");

    await row.getByRole("button", { name: "Revoke Accounting sync" }).click();
    await expect(page.getByRole("status")).toContainText("API key revoked");
    response = await request.get("/api/customer/settings", { headers: auth });
    expect(response.status()).toBe(401);
    body = await response.json();
    expect(body.response.status.code).toBe(401);

    await openMenu(page, "Activity");
    await expect(page.getByRole("cell", { name: "API key “Accounting sync”" }).first()).toBeVisible();
    expect(errors).toEqual([]);
    await context.close();
  });
}
