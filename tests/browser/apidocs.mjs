// apidocs.mjs: renders Swagger UI (/api/docs/) and ReDoc (/api/redoc/) in headless Chromium and screenshots both.
//
// Usage: SITE_URL=http://127.0.0.1:PORT/ OPERATIONS=N node apidocs.mjs
// Env: SCREENSHOT_DIR (default: $TEST_OUTPUT/screenshots), CHROMIUM (default /usr/bin/chromium).
// Every request must stay on SITE_URL (no CDN) and succeed; exit 0 when every check passed.
import { launch } from "./chromium.mjs";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const site = (process.env.SITE_URL || "").replace(/\/+$/, "");
const operations = Number(process.env.OPERATIONS || 0);
const shots = process.env.SCREENSHOT_DIR ||
  path.join(process.env.TEST_OUTPUT || path.join(here, "..", "output"), "screenshots");
if (!site || !operations) {
  console.error("apidocs: SITE_URL and OPERATIONS must be set");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const problems = [];
const outside = new Set();   // requests to other hosts (there must be none: no CDN)

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function main() {
  const { context, close } = await launch("apidocs");
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(20000);
    // The pages' CSP stops ReDoc's bundle fetching its logo from cdn.redoc.ly: that refusal is expected.
    page.on("console", (m) => {
      if (m.type() === "error" && !/Content Security Policy.*cdn\.redoc\.ly|cdn\.redoc\.ly.*Content Security Policy/s.test(m.text())) {
        problems.push(`console error: ${m.text()}`);
      }
    });
    page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
    // A request the CSP refused never left the browser: only the others count.
    page.on("requestfailed", (r) => {
      if (r.failure()?.errorText === "csp") outside.delete(r.url());
      else problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("request", (r) => {
      const u = r.url();
      if (!u.startsWith(site + "/") && !u.startsWith("data:") && !u.startsWith("blob:")) outside.add(u);
    });
    page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });

    // Swagger UI: every operation of the document is drawn, the bearer scheme offers "Authorize".
    await page.goto(`${site}/api/docs/`);
    await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, operations);
    const ui = await page.evaluate(() => ({
      ops: Array.from(document.querySelectorAll(".opblock-summary-path")).map((e) => e.textContent.replace(/\u200b/g, "")),
      title: (document.querySelector(".info .title") || {}).textContent || "",
      authorize: !!document.querySelector(".auth-wrapper .authorize"),
    }));
    check(ui.ops.length === operations, `Swagger UI shows ${ui.ops.length} operations, not ${operations}`);
    check(ui.title.includes("Movie Night API"), `Swagger UI title: ${ui.title}`);
    check(ui.authorize, "Swagger UI offers no Authorize button (bearer scheme)");
    check(ui.ops.includes("/api/v1/auth/favorites/"), "Swagger UI lacks /api/v1/auth/favorites/");
    // Open one operation: its parameters and answers render.
    await page.click("#operations-movies-movies_search .opblock-summary");
    await page.waitForSelector("#operations-movies-movies_search .parameters");
    await page.screenshot({ path: path.join(shots, "swagger-ui.png"), fullPage: true });
    console.log(`apidocs: Swagger UI shows ${ui.ops.length} operations`);

    // ReDoc: the same document, its menu lists the operations.
    await page.goto(`${site}/api/redoc/`);
    await page.waitForSelector("h1");
    await page.waitForFunction((n) => document.querySelectorAll("[role=menuitem] .operation-type, label[role=menuitem] span[type]").length >= n
      || document.querySelectorAll("[data-section-id^='operation/']").length >= n, operations);
    const heading = await page.textContent("h1");
    check(heading.includes("Movie Night API"), `ReDoc heading: ${heading}`);
    await page.screenshot({ path: path.join(shots, "redoc.png") });
    console.log("apidocs: ReDoc rendered");
    for (const u of outside) problems.push(`request outside the site: ${u}`);
    check(problems.length === 0, `problems seen by the browser:\n  ${problems.join("\n  ")}`);
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(`apidocs: FAILED: ${e.message}`);
  if (problems.length) console.error(`apidocs: also seen:\n  ${problems.join("\n  ")}`);
  process.exit(1);
});
