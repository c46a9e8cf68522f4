// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on HTML pages inside Debian's Chromium through
// playwright-core, takes a screenshot of each page at 1280 px and 375 px, measures how wide
// each page lays out at 320 px and writes the text the browser shows (innerText).
//
// Usage: node check.mjs OUT_DIR PAGE.html...
// Writes OUT_DIR/{page}.txt, OUT_DIR/{page}-1280.png, OUT_DIR/{page}-375.png; prints one line
// per finding and exits 1 when there is any.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const axeSource = require("axe-core").source;
const [outDir, ...pages] = process.argv.slice(2);
if (!outDir || pages.length === 0) {
  console.error("usage: node check.mjs OUT_DIR PAGE.html...");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "shinko-chromium-"));
// The browser also sees the bundled font (fontconfig), as a Japanese reader's device has
// Japanese fonts; the pages name BIZ UDGothic first.
const fontsDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../fonts");
const fontsConf = join(profile, "fonts.conf");
writeFileSync(fontsConf, `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${fontsDir}</dir>
  <cachedir>${join(profile, "fontcache")}</cachedir>
</fontconfig>
`);
// A fresh profile (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(join(profile, "chromium"), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  env: { ...process.env, FONTCONFIG_FILE: fontsConf },
  viewport: { width: 1280, height: 900 },
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
let findings = 0;
try {
  // Nothing but the pages' own files may load.
  await context.route("**/*", (route) =>
    route.request().url().startsWith("file:") ? route.continue() : route.abort());
  const page = await context.newPage();
  for (const file of pages) {
    const name = basename(file, ".html");
    const url = pathToFileURL(resolve(file)).href;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      await window.axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        resultTypes: ["violations"],
      }));
    for (const v of result.violations) {
      findings++;
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
      console.log(`VIOLATION ${name} ${v.id} (${v.impact}): ${v.help} at ${where}`);
    }
    const text = await page.evaluate(() => document.body.innerText);
    writeFileSync(join(outDir, `${name}.txt`), text);
    await page.screenshot({ path: join(outDir, `${name}-1280.png`), fullPage: true });
    for (const width of [375, 320]) {
      await page.setViewportSize({ width, height: 800 });
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scroll > width) {
        findings++;
        console.log(`OVERFLOW ${name} ${width}px: the page is ${scroll}px wide`);
      }
      if (width === 375) {
        await page.screenshot({ path: join(outDir, `${name}-375.png`), fullPage: true });
      }
    }
    console.log(`CHECKED ${name}`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(findings > 0 ? 1 : 0);
