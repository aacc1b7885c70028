// walk.mjs: a real headless-Chromium walk through the site: register, log in, search, favorite, for you, log out.
//
// Usage: SITE_URL=http://127.0.0.1:PORT/ node walk.mjs
// Env: SITE_URL (required), SCREENSHOT_DIR (default: $TEST_OUTPUT/screenshots or ../output/screenshots),
//      CHROMIUM (default /usr/bin/chromium). Exit status 0 when every check passed, 1 otherwise.
import { launch } from "./chromium.mjs";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const site = (process.env.SITE_URL || "").replace(/\/+$/, "");
if (!site) {
  console.error("walk: SITE_URL is not set");
  process.exit(2);
}
const shots = process.env.SCREENSHOT_DIR ||
  path.join(process.env.TEST_OUTPUT || path.join(here, "..", "output"), "screenshots");
mkdirSync(shots, { recursive: true });

const problems = [];   // things a visitor would notice: console errors, failed loads, broken images
let step = "start";

function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}

function log(msg) {
  console.log(`walk: ${msg}`);
}

// Scrolls through the page so lazy images load, then lists images that did not decode.
async function brokenImages(page) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 30));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete), null, { timeout: 10000 })
    .catch(() => {});
  return page.evaluate(() => Array.from(document.images)
    .filter((i) => !i.complete || i.naturalWidth === 0)
    .map((i) => i.currentSrc || i.src));
}

async function visit(page, name, { shot = true } = {}) {
  const broken = await brokenImages(page);
  check(broken.length === 0, `broken images on ${name}: ${broken.join(", ")}`);
  const layout = await page.evaluate(() => ({
    brand: !!document.querySelector("header.site a.brand"),
    footer: (document.querySelector("footer.site") || {}).textContent || "",
    cssLoaded: getComputedStyle(document.querySelector("header.site")).display === "flex",
    overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
  }));
  check(layout.brand, `${name} has no site header`);
  check(layout.footer.includes("This product uses the TMDB API"), `${name} has no TMDb attribution`);
  check(layout.cssLoaded, `${name}: the stylesheet did not apply`);
  check(!layout.overflow, `${name} scrolls sideways`);
  if (shot) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function main() {
  const { context, close } = await launch("walk");
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(15000);
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      const expected = r.status() < 400;
      if (!expected) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });

    const username = `walk_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    const password = `Walk-${Math.random().toString(36).slice(2)}-pw`;

    step = "home";
    await page.goto(site + "/");
    check(await page.title() === "Trending movies · Movie Night", "home title");
    check(await page.locator("ul.grid li.card").count() === 20, "home lists 20 movies");
    await visit(page, "home");
    await page.getByRole("link", { name: "This week" }).click();
    await page.waitForURL(/window=week/);
    check(await page.locator('.toggle [aria-current="page"]').textContent() === "This week", "week toggle");

    step = "register";
    await page.getByRole("link", { name: "Register" }).click();
    await page.waitForURL(/\/register$/);
    await page.fill("#id_username", username);
    await page.fill("#id_email", `${username}@example.com`);
    await page.fill("#id_password1", password);
    await page.fill("#id_password2", password);
    await page.getByRole("button", { name: "Register" }).click();
    // Registering signs the visitor in and takes them where they were going (here: home).
    await page.waitForURL(site + "/");
    check((await page.locator("header .account").textContent()).includes(`Signed in as ${username}`),
      "registering signed the visitor in");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(site + "/");
    await page.getByRole("link", { name: "Log in" }).click();
    await page.waitForURL(/\/login/);
    await visit(page, "login");

    step = "login";
    await page.fill("#id_username", username);
    await page.fill("#id_password", password);
    await page.locator("form[action='/login'] button[type=submit]").click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    check((await page.locator("header .account").textContent()).includes(`Signed in as ${username}`),
      "header shows the user");

    step = "search";
    await page.fill("header form.search input[name=q]", "matrix");
    await page.press("header form.search input[name=q]", "Enter");
    await page.waitForURL(/\/search\?q=matrix/);
    check(await page.locator("ul.grid li.card").count() >= 1, "search found The Matrix");
    await visit(page, "search");

    step = "movie";
    await page.locator("ul.grid li.card a", { hasText: /^\s*The Matrix\s*$/ }).first().click();
    await page.waitForURL(/\/movie\/603$/);
    check((await page.locator("h1").textContent()).startsWith("The Matrix"), "movie heading");
    check(await page.locator(".movie .poster img").evaluate((i) => i.naturalWidth > 0), "movie poster loaded");
    check(await page.locator(".genres li").count() >= 1, "genres shown");
    check(await page.locator(".cast li").count() >= 1, "cast shown");
    const fav = page.locator(".favorite button");
    check(await fav.getAttribute("aria-pressed") === "false", "not a favorite yet");
    await visit(page, "movie");

    step = "favorite";
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => { window.__walkMarker = "still-here"; });
    const navigations = [];
    page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
    const toggled = page.waitForResponse((r) => r.url().endsWith("/favorites/603") && r.request().method() === "POST");
    await fav.click();
    const resp = await toggled;
    check(resp.status() === 200 && (resp.headers()["content-type"] || "").startsWith("application/json"),
      `the script's request answered ${resp.status()}`);
    await page.waitForFunction(() => document.querySelector(".favorite button").getAttribute("aria-pressed") === "true");
    check((await fav.textContent()).includes("In your favorites"), "button says it is saved");
    check(await page.evaluate(() => window.__walkMarker) === "still-here" && navigations.length === 0,
      "the page reloaded instead of toggling in place");
    check(await page.locator("form.js-favorite").getAttribute("action") === "/favorites/603/delete",
      "the form now removes");
    // Toggle off and on again in place: the refreshed CSRF token must keep working.
    await fav.click();
    await page.waitForFunction(() => document.querySelector(".favorite button").getAttribute("aria-pressed") === "false");
    await fav.click();
    await page.waitForFunction(() => document.querySelector(".favorite button").getAttribute("aria-pressed") === "true");
    check(navigations.length === 0, "no reload while toggling");
    check((await page.locator("#nav-favorites-count").textContent()) === "1", "the header's count follows the toggle");
    await page.reload();
    check(await page.locator(".favorite button").getAttribute("aria-pressed") === "true", "saved after a reload");

    step = "favorites";
    await page.getByRole("link", { name: "My favorites" }).click();
    await page.waitForURL(/\/favorites$/);
    check((await page.locator("p.count").textContent()).includes("You have 1 favorite movie."), "count shown");
    check(await page.locator("ul.grid li.card a[href='/movie/603']").count() === 1, "The Matrix listed");
    await visit(page, "favorites");

    step = "for-you";
    await page.getByRole("link", { name: "For you" }).click();
    await page.waitForURL(/\/for-you$/);
    const picks = await page.locator("ul.grid li.card a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    check(picks.length >= 5, `for you lists ${picks.length} movies`);
    check(!picks.includes("/movie/603"), "a saved movie is recommended");
    await visit(page, "for-you");

    step = "remove";
    await page.goto(site + "/favorites");
    await page.locator("li.card", { hasText: "The Matrix" }).getByRole("button", { name: /Remove/ }).click();
    await page.waitForURL(/\/favorites\?page=1$/);
    check((await page.locator("p.count").textContent()).includes("You have 0 favorite movies."), "count after remove");
    check(await page.locator("ul.grid li.card").count() === 0, "the grid is empty");
    await page.goto(site + "/movie/603");
    check(await page.locator(".favorite button").getAttribute("aria-pressed") === "false", "movie page agrees");

    step = "watchlist";
    // Plain form posts (no script): add from the movie page, then mark watched from the list.
    await page.getByRole("button", { name: "+ Add to watchlist" }).click();
    await page.waitForURL(/\/movie\/603$/);
    check(await page.getByRole("button", { name: "Watched: add to favorites" }).count() === 1, "watched buttons shown");
    check((await page.locator("#nav-watchlist-count").textContent()) === "1", "header counts the watchlist");
    await page.getByRole("link", { name: "Watchlist" }).click();
    await page.waitForURL(/\/watchlist$/);
    check(await page.locator("ul.grid li.card a[href='/movie/603']").count() === 1, "The Matrix on the watchlist");
    await visit(page, "watchlist");
    await page.locator("li.card", { hasText: "The Matrix" }).getByRole("button", { name: /Watched: favorite/ }).click();
    await page.waitForURL(/\/watchlist\?page=1$/);
    check(await page.locator("ul.grid li.card").count() === 0, "the watchlist is empty");
    check((await page.locator("#nav-favorites-count").textContent()) === "1", "moved into favorites");

    step = "import";
    await page.goto(site + "/favorites");
    await page.getByRole("link", { name: "Import a list" }).click();
    await page.waitForURL(/\/import\?list=favorites$/);
    await visit(page, "import");
    // 160 rows: more than one batch, so the matching page reloads itself (no script) once.
    const rows = ["Date,Name,Year,Letterboxd URI", "2024-01-01,Fight Club,1999,https://boxd.it/2a9q",
      "2024-01-02,Twin Stand-in,2011,https://boxd.it/twin"];
    for (let i = 0; i < 158; i++) rows.push(`2024-02-01,Nowhere At All,1990,https://boxd.it/n${i}`);
    const loads = [];
    page.on("framenavigated", (f) => { if (f === page.mainFrame() && /\/import\/\d+$/.test(f.url())) loads.push(f.url()); });
    await page.setInputFiles("#id_file", { name: "watched.csv", mimeType: "text/csv",
      buffer: Buffer.from(rows.join("\r\n") + "\r\n") });
    await page.selectOption("#id_list", "favorites");
    await page.getByRole("button", { name: "Upload and match" }).click();
    await page.locator("h1", { hasText: "Check your import" }).waitFor({ timeout: 20000 });
    check(loads.length >= 2, `the matching page did not reload itself (${loads.length} loads)`);
    check(await page.locator("#matched ~ ul a[href='/movie/550']").count() === 1, "Fight Club matched");
    check(await page.locator("input[name=pick1]").count() === 3, "two candidates and skip for the twin");
    await page.check("input[name=pick1][value='777002']");
    await visit(page, "import-preview");
    await page.getByRole("button", { name: "Save to Favorites" }).click();
    await page.waitForURL(/\/favorites\?imported=2$/);
    check((await page.locator("p.notice").textContent()).includes("Imported 2 movies"), "import notice");
    check(await page.locator("ul.grid li.card a[href='/movie/777002']").count() === 1, "the picked twin is saved");
    await visit(page, "imported");

    step = "logout";
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(site + "/");
    check(await page.getByRole("link", { name: "Log in" }).count() === 1, "header shows Log in again");
    await page.goto(site + "/favorites");
    check(new URL(page.url()).pathname === "/login", "favorites need a login again");

    step = "end";
    check(problems.length === 0, `problems seen by the browser:\n  ${problems.join("\n  ")}`);
    log(`ok: ${username}; screenshots in ${shots}`);
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(`walk: FAILED at ${step}: ${e.message}`);
  if (problems.length) console.error(`walk: also seen:\n  ${problems.join("\n  ")}`);
  process.exit(1);
});
