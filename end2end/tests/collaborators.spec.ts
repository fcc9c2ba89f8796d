// Collaborators: an invitation read from the test SMTP server and accepted
// by a new account and by an existing one, never by the wrong one; roles
// changed, a member removed, leaving, and the last Owner kept.
import { Browser, expect, Page, test } from "@playwright/test";
import { emailTo, invitationPath, invite, logIn, newOrganization, openMenu, screenshots, signUp, uniqueEmail, watchErrors } from "./helpers";

async function freshPage(browser: Browser, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  return context.newPage();
}

for (const javaScriptEnabled of [true, false]) {
  test(`invite, read the email, and accept as a new account (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }, testInfo) => {
    const owner = await freshPage(browser, javaScriptEnabled);
    const errors = watchErrors(owner);
    await newOrganization(owner, "Invite Test AB", "owner");
    await openMenu(owner, "Collaborators");
    const email = uniqueEmail("newbie");
    const path = await invite(owner, email, "billing");
    const message = await emailTo(email, /^Invitation to /);
    expect(message.subject).toBe("Invitation to Invite Test AB on Orgpanel");
    expect(message.body).toContain("Anna Berg invited you to join Invite Test AB on Orgpanel as Billing.");
    await expect(owner.getByRole("heading", { name: "Pending invitations" })).toBeVisible();
    await expect(owner.getByRole("cell", { name: email, exact: true })).toBeVisible();
    if (javaScriptEnabled) await screenshots(owner, testInfo, "collaborators");

    const newbie = await freshPage(browser, javaScriptEnabled);
    await newbie.goto(path);
    await expect(newbie.getByRole("heading", { name: "Join Invite Test AB" })).toBeVisible();
    await expect(newbie.getByText("as Billing")).toBeVisible();
    if (javaScriptEnabled) await screenshots(newbie, testInfo, "invitation");
    await newbie.getByRole("link", { name: "Sign up" }).click();
    await expect(newbie.getByLabel("Email")).toHaveValue(email);
    await newbie.getByLabel("Name").fill("Nina Newbie");
    await newbie.getByLabel("Password").fill("correct horse battery");
    await newbie.getByRole("button", { name: "Sign up" }).click();
    await newbie.getByRole("button", { name: "Accept invitation" }).click();
    await expect(newbie.getByRole("heading", { level: 1, name: "Invite Test AB" })).toBeVisible();
    await expect(newbie.getByRole("cell", { name: "Nina Newbie" })).toBeVisible();

    // The link works once.
    await newbie.goto(path);
    await expect(newbie.getByRole("heading", { name: "This invitation is no longer valid" })).toBeVisible();
    expect(errors).toEqual([]);
  });
}

test("an existing account accepts; another account is told whom the invitation is for", async ({ browser }) => {
  const owner = await freshPage(browser);
  await newOrganization(owner, "Two Accounts AB", "owner2");
  const bertEmail = uniqueEmail("bert");
  const bert = await freshPage(browser);
  await signUp(bert, "Bert Existing", bertEmail);
  const mallory = await freshPage(browser);
  await signUp(mallory, "Mallory", uniqueEmail("mallory"));

  await openMenu(owner, "Collaborators");
  const path = await invite(owner, bertEmail, "admin");

  await mallory.goto(path);
  await expect(mallory.getByRole("alert")).toContainText(`This invitation is for ${bertEmail}`);
  await expect(mallory.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);
  await mallory.getByRole("button", { name: "Log out" }).click();
  // Logged out, the way back to the invitation is kept.
  await expect(mallory.getByRole("button", { name: "Log in" })).toBeVisible();
  await logIn(mallory, bertEmail);
  await expect(mallory.getByRole("button", { name: "Accept invitation" })).toBeVisible();

  await bert.goto(path);
  await bert.getByRole("button", { name: "Accept invitation" }).click();
  await expect(bert.getByRole("heading", { level: 1, name: "Two Accounts AB" })).toBeVisible();
  // An Admin sees the menu items of an Admin.
  await bert.getByRole("button", { name: "Organization menu" }).click();
  await expect(bert.getByRole("navigation", { name: "Organization menu" }).getByRole("link", { name: "Activity" })).toBeVisible();
});

test("roles change, a member is removed, a member leaves, and the last Owner stays", async ({ browser }) => {
  const owner = await freshPage(browser);
  await newOrganization(owner, "Roles AB", "owner3");
  await openMenu(owner, "Collaborators");
  const members: [string, Page][] = [];
  for (const name of ["Maja", "Nils"]) {
    const email = uniqueEmail(name.toLowerCase());
    const path = await invite(owner, email, "member");
    const page = await freshPage(browser);
    await signUp(page, name, email);
    await page.goto(path);
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Roles AB" })).toBeVisible();
    members.push([email, page]);
  }
  const [[, maja], [, nils]] = members;
  // A Member's menu has no API keys or Activity.
  await maja.getByRole("button", { name: "Organization menu" }).click();
  await expect(maja.getByRole("navigation", { name: "Organization menu" }).getByRole("link", { name: "Activity" })).toHaveCount(0);
  await maja.keyboard.press("Escape");

  await owner.reload();
  await owner.getByLabel("Role of Maja").selectOption("admin");
  await owner.getByRole("row", { name: /Maja/ }).getByRole("button", { name: "Change role" }).click();
  await expect(owner.getByRole("status")).toHaveText("Role changed");
  await expect(owner.getByLabel("Role of Maja")).toHaveValue("admin");

  await owner.getByRole("button", { name: "Remove Nils" }).click();
  await expect(owner.getByRole("status")).toHaveText("Collaborator removed");
  await nils.reload();
  await expect(nils.getByRole("heading", { name: "Page not found" })).toBeVisible();

  // The last Owner cannot leave.
  await owner.getByRole("button", { name: "Leave organization" }).click();
  await expect(owner.getByRole("alert")).toContainText("Roles AB must keep an Owner");
  // Maja (Admin now) leaves.
  await openMenu(maja, "Collaborators");
  await maja.getByRole("button", { name: "Leave organization" }).click();
  await expect(maja.getByRole("status")).toHaveText("You left the organization.");
  await expect(maja.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roles AB" })).toHaveCount(0);
});
