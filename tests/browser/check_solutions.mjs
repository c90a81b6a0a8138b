// Every exercise's solution is hidden until the reader opens it.
//
//   node tests/browser/check_solutions.mjs [SITE]      (SITE defaults to _build/html)
//
// SITE is served from 127.0.0.1 on an ephemeral port; every page of every
// edition (SITE/<edition>/*.html, the editions from SITE/../editions.json) is
// opened in headless Chromium. On each, every solution (sphinx-exercise's
// div.solution, collapsed by sphinx-togglebutton) must:
//   - show its title ("Solution to Exercise 3.1") and a toggle button, with
//     aria-expanded="false";
//   - show nothing of its content: no code, output or text visible, and no
//     height given to it;
//   - after a click on its title, show its content (visible, with a height)
//     and aria-expanded="true"; a second click hides it again.
// Each edition must have at least one solution (a build without any would pass
// trivially). PAGES_AT_ONCE pages are checked at a time, each in a fresh
// browser context. Prints "N passed, N failed" (one test per page with solutions);
// exits non-zero if any fails (2 if the site or the browser is missing).
//
// Chromium: found as chromium.mjs says ($CHROMIUM_PATH, or the usual places); skipped without it (failed with CI=true).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

// the local server, Chromium (nothing leaves the local server) and the editions'
// manifest: shared with the other checks
import { chromiumOrExit, editionsManifest, launchBrowser, readEditions, serve } from './site.mjs';

const TIMEOUT_MS = 30_000;
// how long a click's effect may take to show before the solution is judged as it then is
const SETTLE_MS = 3000;
// pages checked at once, each in its own context: a page mostly waits (for its load, for the clicks)
const PAGES_AT_ONCE = Math.min(4, Math.max(2, os.availableParallelism()));
/** What a reader sees of one solution: its title, its button, and how much of its content shows. */
function stateOf(solution) {
  const shown = (element) => {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none' && box.height > 0 && box.width > 0;
  };
  const title = solution.querySelector(':scope > .admonition-title');
  const content = [...solution.children].filter((child) => child !== title);
  // everything a reader could read or copy: text, code, outputs, figures
  const leaves = content.flatMap((child) => [child, ...child.querySelectorAll('p, pre, img, svg, table, li, .math')]);
  const button = solution.querySelector('button.toggle-button');
  return {
    title: title ? title.innerText.trim() : null,
    titleShown: title ? shown(title) : false,
    expanded: button ? button.getAttribute('aria-expanded') : null,
    contentCount: content.length,
    shownLeaves: leaves.filter(shown).map((e) => (e.innerText || e.tagName).trim().slice(0, 60)),
    contentHeight: content.reduce((sum, child) => sum + child.getBoundingClientRect().height, 0),
  };
}

/** The solution's state once `done` says the click's effect shows, or as it is after SETTLE_MS. */
async function settledState(solution, done) {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const state = await solution.evaluate(stateOf);
    if (done(state) || Date.now() >= deadline) return state;
    await new Promise((resolve) => { setTimeout(resolve, 20); });
  }
}

async function checkPage(page, url) {
  const failures = [];
  await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
  // sphinx-togglebutton adds its buttons when the document is ready
  await page.waitForFunction(() => document.readyState === 'complete');
  const solutions = page.locator('article div.solution');
  const count = await solutions.count();
  for (let i = 0; i < count; i += 1) {
    const solution = solutions.nth(i);
    const before = await solution.evaluate(stateOf);
    const name = before.title || `solution ${i + 1}`;
    if (!before.titleShown) failures.push(`${name}: its title is not shown`);
    if (before.expanded !== 'false') failures.push(`${name}: no collapsed toggle button (aria-expanded=${before.expanded})`);
    if (before.contentCount === 0) failures.push(`${name}: no content to hide`);
    if (before.shownLeaves.length) failures.push(`${name}: shown before it is opened: ${JSON.stringify(before.shownLeaves.slice(0, 3))}`);
    if (before.contentHeight > 1) failures.push(`${name}: its content takes ${before.contentHeight.toFixed(0)} px before it is opened`);
    await solution.locator(':scope > .admonition-title').click({ timeout: 10_000 });
    const opened = await settledState(solution, (state) => state.expanded === 'true' && state.shownLeaves.length && state.contentHeight >= 10);
    if (opened.expanded !== 'true') failures.push(`${name}: aria-expanded=${opened.expanded} once opened`);
    if (!opened.shownLeaves.length || opened.contentHeight < 10) failures.push(`${name}: a click on its title does not show it`);
    await solution.locator(':scope > .admonition-title').click({ timeout: 10_000 });
    const closed = await settledState(solution, (state) => !state.shownLeaves.length);
    if (closed.shownLeaves.length) failures.push(`${name}: a second click does not hide it again`);
  }
  return { count, failures };
}

async function main() {
  const site = path.resolve(process.argv[2] || '_build/html');
  const editions = existsSync(site) ? readEditions(site) : null;
  if (!editions) {
    console.error(`check_solutions: no built site at ${site} (with ${editionsManifest(site)}); build it first (python tools/build_book.py)`);
    return 2;
  }
  chromiumOrExit('check_solutions');
  const server = await serve(site);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchBrowser();
  let passed = 0;
  let failed = 0;
  // the pages to open, edition by edition: only those whose HTML has a solution
  // (the others have nothing to hide); each edition's report follows its pages'
  const jobs = [];
  for (const edition of editions) {
    const folder = path.join(site, edition);
    const names = existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith('.html')).sort() : [];
    for (const name of names) {
      if (readFileSync(path.join(folder, name), 'utf8').includes('class="solution')) jobs.push({ edition, name });
    }
    jobs.push({ edition, last: true, missing: !existsSync(folder) });
  }
  const solutions = {};
  // each report printed in the jobs' order as soon as those before it are done
  let printed = 0;
  const print = () => {
    for (; printed < jobs.length && jobs[printed].done; printed += 1) {
      const { edition, name, last, missing, count, failures } = jobs[printed];
      if (last) {
        if (missing) {
          console.log(`FAIL ${edition}: not in ${site}`);
          failed += 1;
        } else if (!solutions[edition]) {
          failed += 1;
          console.log(`FAIL ${edition}: no solution on any page`);
        }
      } else if (failures.length) {
        failed += 1;
        console.log(`FAIL ${edition}/${name}`);
        for (const failure of failures) console.log(`     - ${failure}`);
      } else {
        passed += 1;
        console.log(`ok   ${edition}/${name} (${count} solutions hidden until clicked)`);
      }
    }
  };
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < jobs.length; k = next++) {
      const job = jobs[k];
      if (!job.last) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        try {
          Object.assign(job, await checkPage(page, new URL(`${job.edition}/${job.name}`, base).href));
        } finally {
          await context.close();
        }
        solutions[job.edition] = (solutions[job.edition] || 0) + job.count;
      }
      // an edition's own report needs no work: printed after its pages', its total is known by then
      job.done = true;
      print();
    }
  };
  try {
    await Promise.all(Array.from({ length: PAGES_AT_ONCE }, worker));
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`check_solutions: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
