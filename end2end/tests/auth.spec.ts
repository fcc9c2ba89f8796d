import { expect, test } from "@playwright/test";
import { logIn, PASSWORD, screenshots, signUp, uniqueEmail, watchErrors } from "./helpers";

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "JavaScript on" : "JavaScript off";

  test.describe(mode, () => {
    test.use({ javaScriptEnabled });

    test("sign up, log out, log in", async ({ page }, testInfo) => {
      const errors = watchErrors(page);
      const email = uniqueEmail("anna");

      await page.goto("/signup");
      await expect(page.getByRole("heading", { name: "Sign up" })).toBeVisible();
      if (javaScriptEnabled) await screenshots(page, testInfo, "signup");

      await signUp(page, "Anna Berg", email);
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole("heading", { name: "Welcome, Anna Berg" })).toBeVisible();
      await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Create organization" }).first()).toBeVisible();
      // The account in the sidebar, and the banner asking to confirm its email.
      await expect(page.getByRole("link", { name: new RegExp(`Anna Berg ${email.replace(/[.]/g, "\\.")}`) })).toBeVisible();
      await expect(page.locator(".banner")).toContainText(`Confirm your email address: follow the link we sent to ${email}.`);
      await screenshots(page, testInfo, `home-${javaScriptEnabled ? "js" : "nojs"}`);

      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page).toHaveURL(/\/login$/);
      await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();

      // Signed out means signed out: the home page sends us back here.
      await page.goto("/");
      await expect(page).toHaveURL(/\/login$/);

      await logIn(page, email, "not the password");
      await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
      await expect(page.getByLabel("Email")).toHaveValue(email);
      await expect(page.getByLabel("Password")).toHaveValue("");
      if (javaScriptEnabled) await screenshots(page, testInfo, "login-failed");

      await logIn(page, email);
      await expect(page.getByRole("heading", { name: "Welcome, Anna Berg" })).toBeVisible();
      expect(errors).toEqual([]);
    });

    test("the server refuses bad sign-up input and keeps what was typed", async ({ page }) => {
      await page.goto("/signup");
      await page.getByLabel("Name").fill("Bo Ek");
      await page.getByLabel("Email").fill("bo@");
      await page.getByLabel("Password").fill("short");
      await page.getByRole("button", { name: "Sign up" }).click();

      const email = page.getByLabel("Email");
      await expect(email).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator("#field-email-error")).toHaveText("Enter an email address like name@example.com.");
      await expect(email).toHaveAttribute("aria-describedby", "field-email-error");
      await expect(page.locator("#field-password-error")).toHaveText("Password must be at least 8 characters.");
      await expect(page.getByLabel("Name")).toHaveValue("Bo Ek");
      await expect(email).toHaveValue("bo@");
      // With JavaScript the browser refused to post; without it the server did.
      await expect(page).toHaveURL(/\/signup$/);
    });

    test("the organization menu opens without an organization", async ({ page }, testInfo) => {
      await signUp(page, "Cai", uniqueEmail("cai"));
      await expect(page.getByText("Open an organization above to see its menu.")).toBeHidden();
      await page.getByRole("button", { name: "Organization menu" }).click();
      await expect(page.getByText("Open an organization above to see its menu.")).toBeVisible();
      if (javaScriptEnabled) await screenshots(page, testInfo, "organization-menu");
      await page.keyboard.press("Escape");
      await expect(page.getByText("Open an organization above to see its menu.")).toBeHidden();
    });

    test("a signed-out visitor logs in and lands where they were going", async ({ page }) => {
      const email = uniqueEmail("dan");
      await signUp(page, "Dan", email);
      await page.getByRole("button", { name: "Log out" }).click();
      await page.goto("/organizations/new");
      await expect(page).toHaveURL(/\/login\?next=/);
      await logIn(page, email);
      await expect(page).toHaveURL(/\/organizations\/new$/);
      await expect(page.getByRole("heading", { name: "Create organization" })).toBeVisible();
    });
  });
}

test("fields are checked in the browser as they lose focus, with the Rust validation", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/signup");
  const email = page.getByLabel("Email");
  await email.fill("anna@");
  // Hydration happens when the browser is idle: keep blurring until the island answers.
  await expect(async () => {
    await email.focus();
    await page.getByLabel("Name").focus();
    await expect(page.locator("#field-email-error")).toHaveText("Enter an email address like name@example.com.", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(email).toHaveAttribute("aria-invalid", "true");

  // Corrected as it is typed.
  await email.fill("anna@example.com");
  await expect(page.locator("#field-email-error")).toHaveCount(0);
  await expect(email).not.toHaveAttribute("aria-invalid", "true");

  // Submitting with a short password is stopped before anything is posted.
  await page.getByLabel("Name").fill("Anna");
  await page.getByLabel("Password").fill("short");
  let posted = false;
  page.on("request", (r) => { if (r.method() === "POST") posted = true; });
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#field-password-error")).toHaveText("Password must be at least 8 characters.");
  await expect(page.getByLabel("Password")).toBeFocused();
  expect(posted).toBe(false);
  expect(errors).toEqual([]);
});

test("a second password of 64 characters and more is accepted", async ({ page }) => {
  await signUp(page, "Eva", uniqueEmail("eva"), "x".repeat(70));
  await expect(page.getByRole("heading", { name: "Welcome, Eva" })).toBeVisible();
});
