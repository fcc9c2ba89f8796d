import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  workers: 2,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Debian's Chromium: Playwright never downloads a browser here.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "panel", testIgnore: /clock\.spec\.ts/ },
    // Moves the server's clock: runs alone, after everything else.
    { name: "clock", testMatch: /clock\.spec\.ts/, dependencies: ["panel"] },
  ],
  webServer: [
    {
      // The SMTP server the panel sends to; tests read what arrived over HTTP.
      command: "node smtp-sink.mjs",
      url: "http://127.0.0.1:3126/messages",
      reuseExistingServer: false,
      timeout: 10_000,
    },
    {
      command: `bash ../scripts/serve-e2e ${port}`,
      url: `http://127.0.0.1:${port}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
