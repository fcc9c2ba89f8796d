// First load of each page, as a new visitor's browser makes it: a fresh
// Chromium context per page (empty cache), the session cookie for the
// signed-in pages, and the bytes of WASM, JS and CSS that came over the
// wire (encoded sizes, as the server compressed them).
// Usage: node scripts/first-load.mjs <base URL> <session cookie> <organization id>
import { createRequire } from "node:module";
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [base, session, org] = process.argv.slice(2);
const pages = [
  ["/login", false], ["/signup", false], ["/organizations/new", true],
  [`/organizations/${org}`, true], [`/organizations/${org}/settings`, true],
  [`/organizations/${org}/billing`, true], [`/organizations/${org}/services`, true],
  [`/organizations/${org}/collaborators`, true], [`/organizations/${org}/api-keys`, true],
  [`/organizations/${org}/activity`, true],
];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
const kind = (url) => (url.match(/\/pkg\/.*\.(wasm|js|css)$/) || [])[1];
const rows = [];
for (const [path, signedIn] of pages) {
  const context = await browser.newContext();
  if (signedIn) {
    await context.addCookies([{ name: "orgpanel_session", value: session, url: base }]);
  }
  const page = await context.newPage();
  const responses = [];
  page.on("response", (response) => { if (kind(response.url())) responses.push(response); });
  const answer = await page.goto(base + path, { waitUntil: "networkidle" });
  if (!answer.ok() || page.url() !== base + path) {
    throw new Error(`${path}: ${answer.status()} at ${page.url()}`);
  }
  const bytes = { wasm: 0, js: 0, css: 0 };
  for (const response of responses) {
    const sizes = await response.request().sizes();
    bytes[kind(response.url())] += sizes.responseBodySize;
  }
  const encoding = responses.map((r) => r.headers()["content-encoding"]).find(Boolean) || "none";
  const islands = await page.locator("leptos-island").count();
  const wasm = responses.map((r) => r.url().match(/\/pkg\/orgpanel-(\w+)\.\w+\.wasm$/)).find(Boolean);
  const bundle = wasm ? wasm[1] : "-";
  rows.push({ path: path.replace(org, "{org}"), islands, bundle, ...bytes, total: bytes.wasm + bytes.js + bytes.css, encoding });
  await context.close();
}
await browser.close();
const pad = (v, n) => String(v).padStart(n);
console.log(`${"first load (fresh context)".padEnd(36)}${pad("islands", 8)}${pad("bundle", 13)}${pad("wasm", 9)}${pad("js", 8)}${pad("css", 8)}${pad("total", 9)}  encoding`);
for (const r of rows) {
  console.log(`${r.path.padEnd(36)}${pad(r.islands, 8)}${pad(r.bundle, 13)}${pad(r.wasm, 9)}${pad(r.js, 8)}${pad(r.css, 8)}${pad(r.total, 9)}  ${r.encoding}`);
}
const largest = (rows) => Math.max(0, ...rows.map((r) => r.total));
console.log(`largest first load: with islands ${largest(rows.filter((r) => r.islands > 0))} B (goal <= 100,000), without ${largest(rows.filter((r) => r.islands === 0))} B`);
