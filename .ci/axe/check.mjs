// Accessibility and layout checks of piimap's HTML documents, in Debian's headless
// Chromium (no browser download: puppeteer-core drives /usr/bin/chromium).
//
//   node .ci/axe/check.mjs FILE.html|DIR ...
//
// For every page:
//   1. axe-core (all rules, WCAG 2.x A/AA included) reports no violation;
//   2. at 480 px wide nothing overflows the page horizontally, and the category tables
//      are stacked: each cell is a block labelled with its column's header text;
//   3. laid out for print (Letter, 12 mm margins) no table is wider than the page and no
//      cell sticks out of its table, and Chromium prints it to a PDF.
// Prints one line per problem and a closing "N passed, N failed"; exits 1 on any failure.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Letter is 8.5 in = 816 CSS px; minus two 12 mm margins (45.35 px each).
const PRINT_WIDTH = 725;
const NARROW = 480;
// Wrappers of the tables that stack under 600 px (notice.css, class `stack`): the policy's
// consumer and workforce category tables, the notice at collection's, the US state
// notice's states.
const STACKED = [".stack"];

function pages(args) {
  const out = [];
  for (const a of args) {
    const p = resolve(a);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith(".html")) out.push(join(p, f));
    } else {
      out.push(p);
    }
  }
  return out;
}

async function axe(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ")}`),
    }));
  });
}

async function narrow(page, stacked) {
  await page.setViewport({ width: NARROW, height: 900 });
  return page.evaluate((stacked) => {
    const problems = [];
    const el = document.documentElement;
    if (el.scrollWidth > window.innerWidth + 1) {
      // Name the element that sticks out (outside any box that scrolls on purpose).
      const scrolls = (e) => {
        for (let p = e.parentElement; p; p = p.parentElement) {
          if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
      };
      const wide = [...document.body.querySelectorAll("*")]
        .filter((e) => (e.getBoundingClientRect().right > window.innerWidth + 1 || e.scrollWidth > e.clientWidth + 1) && !scrolls(e))
        .pop();
      const what = wide ? ` (${wide.tagName.toLowerCase()}: ${wide.textContent.trim().slice(0, 60)})` : "";
      problems.push(`at ${window.innerWidth} px the page is ${el.scrollWidth} px wide${what}`);
    }
    for (const sel of stacked) for (const wrap of document.querySelectorAll(sel)) {
      const table = wrap.querySelector("table");
      const headers = [...table.querySelectorAll("thead th")].map((t) => t.textContent.trim());
      if (table.getBoundingClientRect().width > wrap.clientWidth + 1) {
        problems.push(`${sel}: the table (${Math.round(table.getBoundingClientRect().width)} px) is wider than its box (${wrap.clientWidth} px)`);
      }
      for (const row of table.querySelectorAll("tbody tr")) {
        [...row.children].forEach((cell, i) => {
          if (getComputedStyle(cell).display !== "block") {
            problems.push(`${sel}: a cell of column ${i + 1} is not stacked`);
          }
          if (cell.tagName === "TD") {
            const label = getComputedStyle(cell, "::before").content.replace(/^"|"$/g, "");
            if (label !== headers[i]) {
              problems.push(`${sel}: column ${i + 1} is labelled ${JSON.stringify(label)}, its header is ${JSON.stringify(headers[i])}`);
            }
          }
        });
      }
    }
    return [...new Set(problems)];
  }, stacked);
}

async function print(page) {
  await page.emulateMediaType("print");
  await page.setViewport({ width: PRINT_WIDTH, height: 1000 });
  const problems = await page.evaluate((width) => {
    const out = [];
    document.querySelectorAll("table").forEach((t, n) => {
      const name = t.querySelector("caption")?.textContent.trim() || `table ${n + 1}`;
      const box = t.getBoundingClientRect();
      if (box.right > width + 1 || t.scrollWidth > t.clientWidth + 1) {
        out.push(`print: "${name}" is ${Math.round(Math.max(box.right, t.scrollWidth))} px wide, the page ${width} px: columns would be cut off`);
        return;
      }
      for (const c of t.querySelectorAll("th, td")) {
        if (c.getBoundingClientRect().right > box.right + 1 || c.scrollWidth > c.clientWidth + 1) {
          out.push(`print: a cell of "${name}" overflows (${c.textContent.trim().slice(0, 40)})`);
          break;
        }
      }
    });
    return out;
  }, PRINT_WIDTH);
  const pdf = await page.pdf({ format: "Letter", printBackground: true });
  const head = Buffer.from(pdf.subarray(0, 5)).toString("latin1");
  if (head !== "%PDF-" || pdf.length < 1000) problems.push("print: Chromium produced no PDF");
  await page.emulateMediaType("screen");
  return problems;
}

const files = pages(process.argv.slice(2));
if (files.length === 0) {
  console.error("usage: node .ci/axe/check.mjs FILE.html|DIR ...");
  process.exit(2);
}
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  // A loaded CI machine (the test suite runs beside this) can be slow to answer:
  // generous timeouts, so a slow page is not mistaken for a broken one.
  protocolTimeout: 300000,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
});
let passed = 0;
let failed = 0;
try {
  for (const f of files) {
    const problems = [];
    const page = await browser.newPage();
    try {
      page.setDefaultTimeout(120000);
      await page.setViewport({ width: 1280, height: 1000 });
      await page.goto(pathToFileURL(f).href, { waitUntil: "load" });
      for (const v of await axe(page)) {
        problems.push(`axe ${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.join("\n      ")}`);
      }
      problems.push(...(await narrow(page, STACKED)));
      problems.push(...(await print(page)));
    } catch (e) {
      // One page that cannot be checked is a failure of that page, not of the run.
      problems.push(`could not be checked: ${e.message}`);
    } finally {
      await page.close().catch(() => {});
    }
    if (problems.length === 0) {
      passed += 1;
      console.log(`ok    ${f}`);
    } else {
      failed += 1;
      console.log(`FAIL  ${f}`);
      for (const p of problems) console.log(`    - ${p}`);
    }
  }
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
