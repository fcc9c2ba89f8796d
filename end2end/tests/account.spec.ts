// Account security (issue 17), as a person does it in the browser, with
// JavaScript on and off: a forgotten password is reset through the emailed
// link, and the Account page changes the password (the current one asked
// for), lists the sessions and logs one out.
import { Browser, expect, Page, test } from "@playwright/test";
import { emailTo, logIn, PASSWORD, screenshots, signUp, uniqueEmail, watchErrors } from "./helpers";

const NEW_PASSWORD = "a brand new passphrase";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** A second browser (a phone) logged in as `email`. */
async function phoneLoggedIn(browser: Browser, email: string, javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled, userAgent: IPHONE, viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  await page.goto("/login");
  await logIn(page, email);
  await expect(page.getByRole("button", { name: "Open navigation" })).toBeVisible();
  return page;
}

for (const javaScriptEnabled of [true, false]) {
  const js = `JavaScript ${javaScriptEnabled ? "on" : "off"}`;

  test(`a forgotten password is reset through the emailed link, once (${js})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const email = uniqueEmail("reset");
    await signUp(page, "Anna Berg", email);
    const phone = await phoneLoggedIn(browser, email, javaScriptEnabled);

    const stranger = await (await browser.newContext({ javaScriptEnabled })).newPage();
    await stranger.goto("/login");
    await stranger.getByRole("link", { name: "Forgot password?" }).click();
    await expect(stranger.getByRole("heading", { name: "Forgot password" })).toBeVisible();
    await stranger.getByLabel("Email").fill(email.toUpperCase());
    await stranger.getByRole("button", { name: "Send link" }).click();
    await expect(stranger.getByText("If an account exists for that address, we have sent a link.")).toBeVisible();

    const message = await emailTo(email, "Reset your Orgpanel password");
    const link = new URL(/https?:\/\/\S+\/reset-password\/\S+/.exec(message.body)![0]).pathname;
    await stranger.goto(link);
    await expect(stranger.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await stranger.getByLabel("New password").fill("short");
    await stranger.getByRole("button", { name: "Set password" }).click();
    await expect(stranger.locator("#field-password-error")).toBeVisible();
    await stranger.getByLabel("New password").fill(NEW_PASSWORD);
    await stranger.getByRole("button", { name: "Set password" }).click();
    await expect(stranger.getByText("Your password has been changed")).toBeVisible();

    // Every other session ended; the link works once.
    await page.reload();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await phone.reload();
    await expect(phone.getByRole("heading", { name: "Log in" })).toBeVisible();
    await stranger.goto(link);
    await expect(stranger.getByRole("heading", { name: "This link is no longer valid" })).toBeVisible();
    await logIn(page, email, NEW_PASSWORD);
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    expect(errors).toEqual([]);
    await context.close();
  });

  test(`the Account page changes the password and logs out another session (${js})`, async ({ browser }, testInfo) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const email = uniqueEmail("account");
    await signUp(page, "Anna Berg", email);
    const phone = await phoneLoggedIn(browser, email, javaScriptEnabled);

    await page.getByRole("link", { name: /Anna Berg/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
    const sessions = page.getByRole("region", { name: "Sessions" });
    await expect(sessions.getByRole("row")).toHaveCount(3); // the header and two sessions
    await expect(sessions.getByRole("row").nth(1)).toContainText("This browser");
    await expect(sessions.getByRole("row", { name: /Safari on iPhone/ })).toBeVisible();

    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.locator("#field-current_password-error")).toHaveText("That is not your current password.");
    await expect(page.getByLabel("Current password")).toHaveValue("");
    await phone.reload();
    await expect(phone.getByRole("heading", { name: "Log in" })).toHaveCount(0);

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("status")).toHaveText("Password changed. Every other session was logged out.");
    await expect(sessions.getByRole("row")).toHaveCount(2);
    const events = page.getByRole("region", { name: "Security events" });
    await expect(events.getByRole("cell", { name: "Password changed", exact: true })).toBeVisible();
    await emailTo(email, "Your Orgpanel password was changed");
    await phone.reload();
    await expect(phone.getByRole("heading", { name: "Log in" })).toBeVisible();

    // The phone logs in again and is logged out from here.
    await logIn(phone, email, NEW_PASSWORD);
    await expect(phone.getByRole("button", { name: "Open navigation" })).toBeVisible();
    await page.reload();
    await sessions.getByRole("button", { name: /^Log out Safari on iPhone/ }).click();
    await expect(page.getByRole("status")).toHaveText("Session logged out");
    await expect(events.getByRole("cell", { name: "A session was logged out" })).toBeVisible();
    await phone.reload();
    await expect(phone.getByRole("heading", { name: "Log in" })).toBeVisible();

    await page.getByLabel("Name", { exact: true }).fill("Anna Lind");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect(page.getByRole("status")).toHaveText("Name saved");
    await expect(page.locator(".account-name")).toHaveText("Anna Lind");
    if (javaScriptEnabled) await screenshots(page, testInfo, "account");
    expect(errors).toEqual([]);
    await context.close();
  });

  test(`sign-up's link confirms the email, and a new email takes effect once confirmed (${js})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const email = uniqueEmail("confirm");
    await signUp(page, "Anna Berg", email);
    const banner = page.getByRole("complementary", { name: "Confirmation reminder" });
    await expect(banner).toContainText(email);

    const welcome = await emailTo(email, "Confirm your email address for Orgpanel");
    const link = new URL(/https?:\/\/\S+\/verify-email\/\S+/.exec(welcome.body)![0]).pathname;
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(page.getByRole("status")).toHaveText("Email address confirmed");
    await expect(banner).toHaveCount(0);
    const section = page.getByRole("region", { name: "Email" });
    await expect(section).toContainText("Confirmed");

    const newEmail = uniqueEmail("changed");
    await section.getByLabel("New email").fill(newEmail);
    await section.getByLabel("Password").fill("not my password");
    await section.getByRole("button", { name: "Change email" }).click();
    await expect(page.locator("#field-password-error")).toHaveText("That is not your current password.");
    await expect(section.getByLabel("New email")).toHaveValue(newEmail);
    await section.getByLabel("Password").fill(PASSWORD);
    await section.getByRole("button", { name: "Change email" }).click();
    await expect(page.getByRole("status")).toHaveText("We sent a link to the new address. Your email changes when you follow it.");
    await expect(section).toContainText(email);

    const confirm = await emailTo(newEmail, "Confirm your new email address for Orgpanel");
    await page.goto(new URL(/https?:\/\/\S+\/verify-email\/\S+/.exec(confirm.body)![0]).pathname);
    await expect(page.getByRole("heading", { name: "Confirm your new email address" })).toBeVisible();
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(page.getByRole("status")).toHaveText("Email address confirmed");
    await expect(section).toContainText(newEmail);
    await expect(page.getByRole("region", { name: "Security events" })).toContainText("Email address changed");
    await emailTo(email, "The email address of your Orgpanel account was changed");
    expect(errors).toEqual([]);
    await context.close();
  });
}
