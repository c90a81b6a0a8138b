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
// trivially). Prints "N passed, N failed" (one test per page with solutions);
// exits non-zero if any fails (2 if the site or the browser is missing).
//
// Chromium: found as chromium.mjs says ($CHROMIUM_PATH, or the usual places); skipped without it (failed with CI=true).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

// the local server, Chromium (nothing leaves the local server) and the editions'
// manifest: shared with the other checks
import { chromiumOrExit, editionsManifest, launchBrowser, readEditions, serve } from './site.mjs';

const TIMEOUT_MS = 30_000;
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
    await page.waitForTimeout(50);
    const opened = await solution.evaluate(stateOf);
    if (opened.expanded !== 'true') failures.push(`${name}: aria-expanded=${opened.expanded} once opened`);
    if (!opened.shownLeaves.length || opened.contentHeight < 10) failures.push(`${name}: a click on its title does not show it`);
    await solution.locator(':scope > .admonition-title').click({ timeout: 10_000 });
    await page.waitForTimeout(50);
    const closed = await solution.evaluate(stateOf);
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
  try {
    for (const edition of editions) {
      const folder = path.join(site, edition);
      if (!existsSync(folder)) {
        console.log(`FAIL ${edition}: not in ${site}`);
        failed += 1;
        continue;
      }
      let solutions = 0;
      for (const name of readdirSync(folder).filter((n) => n.endsWith('.html')).sort()) {
        // only pages whose HTML has a solution: the others have nothing to hide
        if (!readFileSync(path.join(folder, name), 'utf8').includes('class="solution')) continue;
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const { count, failures } = await checkPage(page, new URL(`${edition}/${name}`, base).href);
        await context.close();
        solutions += count;
        if (failures.length) {
          failed += 1;
          console.log(`FAIL ${edition}/${name}`);
          for (const failure of failures) console.log(`     - ${failure}`);
        } else {
          passed += 1;
          console.log(`ok   ${edition}/${name} (${count} solutions hidden until clicked)`);
        }
      }
      if (solutions === 0) {
        failed += 1;
        console.log(`FAIL ${edition}: no solution on any page`);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`check_solutions: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
