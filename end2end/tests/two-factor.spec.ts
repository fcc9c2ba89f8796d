// Two-factor log-in (issue 17), as a person does it in the browser, with
// JavaScript on and off: set up from the Account page (QR code or key, one
// code from the app), ten recovery codes shown once, the code asked for at
// the next log-in, a recovery code instead, turning it off; and an Owner
// requiring it of every collaborator. Codes are computed here from the key
// the page shows, as an authenticator app does.
import { expect, Page, test } from "@playwright/test";
import {
  emailTo, logIn, newOrganization, openMenu, PASSWORD, remember, screenshots, serverNow, signUp, totp,
  uniqueEmail, watchErrors,
} from "./helpers";

/** Sets up two-factor log-in on the Account page; the key and the recovery codes. */
async function turnOn(page: Page): Promise<{ key: string; codes: string[] }> {
  await page.goto("/account");
  await page.getByRole("button", { name: "Set up two-factor log-in" }).click();
  await expect(page.getByRole("img", { name: "QR code of the two-factor key" })).toBeVisible();
  const key = (await page.locator("code.secret").textContent())!.trim();
  remember(key.replace(/\s/g, ""));
  await page.locator("#setup-code").fill("000000");
  await page.locator("#setup-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.locator("#setup-code-error")).toContainText("not the code the app shows now");
  await page.locator("#setup-code").fill(totp(key, await serverNow(page)));
  await page.locator("#setup-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("heading", { name: "Your recovery codes" })).toBeVisible();
  const codes = (await page.locator("ol.recovery-codes code").allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  codes.forEach(remember);
  return { key, codes };
}

for (const javaScriptEnabled of [true, false]) {
  const js = `JavaScript ${javaScriptEnabled ? "on" : "off"}`;

  test(`two-factor log-in is set up, asked for at log-in, and turned off (${js})`, async ({ browser }, testInfo) => {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const email = uniqueEmail("totp");
    await signUp(page, "Anna Berg", email);
    const { key, codes } = await turnOn(page);
    await screenshots(page, testInfo, "recovery-codes");
    await page.getByRole("link", { name: "I have saved them" }).click();
    await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();
    expect(await page.locator("ol.recovery-codes").count()).toBe(0);
    await expect((await emailTo(email, "Two-factor log-in is on for your Orgpanel account")).body).toContain("turned on");

    // The next log-in asks for the code after the password. (The server's
    // clock is read while signed in: /test-clock needs a session.)
    const clockAt = (await serverNow(page)) - Date.now() / 1000;
    await page.getByRole("button", { name: "Log out" }).click();
    await logIn(page, email);
    await expect(page.getByRole("heading", { name: "Two-factor log-in" })).toBeVisible();
    await screenshots(page, testInfo, "login-code");
    await page.getByLabel("Code").fill("123456");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.locator("#code-error")).toContainText("wrong or was already used");
    // The set-up's code was for this step: the next step's code (one step of drift) is new.
    await page.getByLabel("Code").fill(totp(key, clockAt + Date.now() / 1000 + 30));
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();

    // A recovery code instead of the phone, once.
    await page.getByRole("button", { name: "Log out" }).click();
    await logIn(page, email);
    await page.getByLabel("Code").fill(codes[0]);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    await emailTo(email, "A recovery code of your Orgpanel account was used");
    await page.goto("/account");
    await expect(page.getByText("9 of 10 recovery codes left.")).toBeVisible();
    await expect(page.getByRole("cell", { name: "Logged in with a recovery code" })).toBeVisible();

    // Off: the password and a code.
    const off = page.locator("form").filter({ has: page.getByRole("button", { name: "Turn off two-factor log-in" }) });
    await off.getByLabel("Password").fill(PASSWORD);
    await off.getByLabel("Code from the app").fill(codes[0]);
    await page.getByRole("button", { name: "Turn off two-factor log-in" }).click();
    await expect(page.locator("#off-code-error")).toContainText("wrong or was already used");
    await off.getByLabel("Password").fill(PASSWORD);
    await off.getByLabel("Code from the app").fill(codes[1]);
    await page.getByRole("button", { name: "Turn off two-factor log-in" }).click();
    await expect(page.getByRole("status")).toHaveText("Two-factor log-in turned off");
    await expect(page.getByRole("button", { name: "Set up two-factor log-in" })).toBeVisible();
    await page.getByRole("button", { name: "Log out" }).click();
    await logIn(page, email);
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    expect(errors).toEqual([]);
  });
}

test("an Owner requires two-factor log-in and a member is led to set it up", async ({ browser }, testInfo) => {
  const owner = await (await browser.newContext()).newPage();
  await newOrganization(owner, "Strict AB", "strict");
  const settings = owner.url();
  await turnOn(owner);
  await owner.goto(settings);
  await owner.getByRole("button", { name: "Require two-factor log-in" }).click();
  await expect(owner.getByText("Required: collaborators without it")).toBeVisible();

  // A member without it: the organization's pages lead to the set-up.
  const memberEmail = uniqueEmail("member");
  await openMenu(owner, "Collaborators");
  const form = owner.locator("form").filter({ has: owner.getByRole("button", { name: "Send invitation" }) });
  await form.getByLabel("Email").fill(memberEmail);
  await form.getByLabel("Role").selectOption("member");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  const invitation = await emailTo(memberEmail, /^Invitation to /);
  const path = new URL(/https?:\/\/\S+\/invitations\/\S+/.exec(invitation.body)![0]).pathname;
  remember(path.split("/").pop()!);
  const member = await (await browser.newContext()).newPage();
  await signUp(member, "Mia Member", memberEmail);
  await member.goto(path);
  await member.getByRole("button", { name: "Accept invitation" }).click();
  await expect(member.getByRole("heading", { name: "Two-factor log-in required" })).toBeVisible();
  await screenshots(member, testInfo, "two-factor-required");
  await member.getByRole("link", { name: "Set up two-factor log-in" }).click();
  await expect(member).toHaveURL(/\/account#two-factor-heading$/);
  await turnOn(member);
  await member.goto(settings.replace("/settings", ""));
  await expect(member.getByRole("heading", { name: "Strict AB" })).toBeVisible();
});
