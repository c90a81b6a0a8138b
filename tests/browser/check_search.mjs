// Search as a reader uses it: queries typed on each edition's search page in headless Chromium.
//
//   node tests/browser/check_search.mjs [SITE]      (SITE defaults to _build/html)
//
// SITE (the published site, one folder per edition with its search.html) is
// served from 127.0.0.1 on an ephemeral port. For each query the search page is
// opened with ?q=… and, once searchtools.js has listed its results and their
// snippets, each query must show:
//   - in the Korean edition, a word with a particle finds every page its stem
//     finds (학습률을 ⊇ 학습률, …): Korean readers type particles;
//   - in the Korean edition, a glossary term the book spaces (경사 하강법) finds
//     the same pages typed solid (경사하강법) and solid with a particle
//     (경사하강법을): readers seldom type the book's spacing;
//   - a result count (the status line names the number of results listed);
//   - snippets from the article only: none holds the theme menu's words (read
//     from the page's own colour-mode menu) or TeX source (\( \) \[ \] \frac …);
//   - no utility page among the results (the execution-status page, the index).
// And per edition, a search started from a chapter (Ctrl+K, a word, Enter), whose
// page loads no search script, leads to the search page and its results.
// The tests run TESTS_AT_ONCE at a time, each query on a page of its own.
// Prints one line per query and a final "N passed, N failed" line; exits non-zero
// if any query fails (2 if the site or the browser is missing).
//
// Chromium: found as chromium.mjs says ($CHROMIUM_PATH, or the usual places); skipped without it (failed with CI=true).

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

// the local server and Chromium (no host name resolves but the local server's): shared with the other checks
import { chromiumOrExit, launchBrowser, serve } from './site.mjs';

const TIMEOUT_MS = 20_000;
// tests run at once, each on its own pages: a search mostly waits (for the page, its index, its snippets)
const TESTS_AT_ONCE = Math.min(4, Math.max(2, os.availableParallelism()));
// [stem, the stem with a particle or ending] per Korean query; plain queries per edition
const QUERIES = {
  ko: {
    pairs: [
      ['학습률', '학습률을'], ['미분', '미분을'], ['텐서', '텐서를'], ['기울기', '기울기가'],
      ['손실', '손실은'], ['하강법', '하강법으로'], ['GradientTape', 'GradientTape로'], ['모델', '모델의'],
    ],
    plain: ['ReLU', 'gradient', 'tape', '실행'],
    // [as the book spaces it, typed solid, solid with a particle]: three of the glossary's multi-word terms
    spacings: [
      ['경사 하강법', '경사하강법', '경사하강법을'], ['손실 함수', '손실함수', '손실함수는'],
      ['활성화 함수', '활성화함수', '활성화함수를'],
    ],
  },
  en: { pairs: [], plain: ['gradient', 'ReLU', 'tape', 'learning rate'], spacings: [] },
};
const UTILITY_PAGES = ['execution.html', 'genindex.html', 'search.html'];
const TEX = /\\[()[\]]|\\(?:hat|frac|mathbf|mathrm|partial|sum|cdot|left|right|begin|end|theta|alpha|beta|eta|nabla|sigma|operatorname|top|times|quad|ldots|dots|sqrt)\b|\$\$/;
// run one query on the search page: its result pages, the status line, snippets, the theme menu's words
async function search(browser, base, edition, query) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  try {
    await page.goto(`${base}/${edition}/search.html?q=${encodeURIComponent(query)}`, { timeout: TIMEOUT_MS });
    await page.waitForFunction(
      () => typeof Search !== 'undefined' && Search.title && Search.title.textContent === Documentation.gettext('Search Results'),
      null, { timeout: TIMEOUT_MS },
    );
    // each result's snippet is fetched afterwards: wait until every result has one (or the page has none)
    await page.waitForFunction(
      () => [...document.querySelectorAll('#search-results li')].every((li) => li.querySelector('p.context')),
      null, { timeout: TIMEOUT_MS },
    ).catch(() => {});
    return await page.evaluate(() => ({
      pages: [...new Set([...document.querySelectorAll('#search-results li > a')]
        .map((a) => new URL(a.href).pathname.split('/').pop()))].sort(),
      status: document.querySelector('#search-results .search-summary')?.textContent.trim() ?? '',
      snippets: [...document.querySelectorAll('#search-results li')].map((li) => ({
        page: new URL(li.querySelector('a').href).pathname.split('/').pop(),
        text: li.querySelector('p.context')?.textContent ?? '',
      })),
      menu: [...document.querySelectorAll('.theme-change-button')].map((b) => b.textContent.trim()).filter(Boolean),
    })).then((result) => ({ ...result, errors }));
  } finally {
    await page.close();
  }
}

// search from a chapter, as a reader does (Ctrl+K, a word, Enter): the chapter loads no search
// script or index (templates/layout.html), so the dialog leads to the search page with its results
async function searchFromChapter(browser, base, edition, query) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  try {
    await page.goto(`${base}/${edition}/tensors.html`, { waitUntil: 'load', timeout: TIMEOUT_MS });
    const loaded = await page.evaluate(() => [...document.scripts].map((s) => s.src).filter((src) => /search(index|tools)/.test(src)));
    if (loaded.length) errors.push(`the chapter loads ${loaded.join(', ')}`);
    await page.keyboard.press('Control+K');
    const field = page.locator('#pst-search-dialog input[name=q]');
    await field.fill(query, { timeout: TIMEOUT_MS });
    await Promise.all([page.waitForURL(/search\.html\?q=/, { timeout: TIMEOUT_MS }), field.press('Enter')]);
    await page.waitForFunction(() => document.querySelectorAll('#search-results li > a').length > 0, null, { timeout: TIMEOUT_MS })
      .catch(() => errors.push(`no result listed at ${page.url()}`));
    return errors;
  } finally {
    await page.close();
  }
}

function problems(result, edition, query) {
  const found = [];
  if (result.errors.length) found.push(`script errors: ${result.errors.join('; ')}`);
  if (!result.pages.length) found.push('no result');
  else if (!result.status.includes(String(result.snippets.length)))
    found.push(`the status line does not give the count of ${result.snippets.length} results: "${result.status}"`);
  const utility = result.pages.filter((p) => UTILITY_PAGES.includes(p));
  if (utility.length) found.push(`utility pages among the results: ${utility.join(', ')}`);
  if (!result.menu.length) found.push('the page has no colour-mode menu to compare snippets with');
  for (const { page, text } of result.snippets) {
    if (!text) { found.push(`${page}: no snippet`); continue; }
    const menu = result.menu.filter((word) => text.includes(word));
    if (menu.length) found.push(`${page}: snippet holds the theme menu (${menu.join(', ')}): "${text.slice(0, 120)}"`);
    const tex = text.match(TEX);
    if (tex) found.push(`${page}: snippet holds TeX source "${tex[0]}": "${text.slice(0, 120)}"`);
  }
  return found;
}

async function main() {
  const site = path.resolve(process.argv[2] || '_build/html');
  const editions = Object.keys(QUERIES).filter((e) => existsSync(path.join(site, e, 'search.html')));
  if (!editions.length) {
    console.error(`check_search: no <edition>/search.html under ${site}: build the site first (tox -e book)`);
    process.exit(2);
  }
  chromiumOrExit('check_search');
  const server = await serve(site);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchBrowser();
  let passed = 0;
  let failed = 0;
  const report = (name, found, detail) => {
    if (found.length) { failed += 1; console.log(`FAIL ${name}: ${detail}\n  - ${found.join('\n  - ')}`); }
    else { passed += 1; console.log(`ok   ${name}: ${detail}`); }
  };
  // each test: an async function that resolves to what `report` takes
  const tests = [];
  for (const edition of editions) {
    for (const [stem, inflected] of QUERIES[edition].pairs) {
      tests.push(async () => {
        const bare = await search(browser, base, edition, stem);
        const full = await search(browser, base, edition, inflected);
        const found = [...problems(bare, edition, stem), ...problems(full, edition, inflected)];
        const missing = bare.pages.filter((p) => !full.pages.includes(p));
        if (missing.length) found.push(`"${inflected}" misses pages "${stem}" finds: ${missing.join(', ')}`);
        return [`${edition} "${inflected}" finds what "${stem}" finds`, found, `${full.pages.length} vs ${bare.pages.length} pages`];
      });
    }
    for (const [spaced, ...others] of QUERIES[edition].spacings) {
      tests.push(async () => {
        const book = await search(browser, base, edition, spaced);
        const found = problems(book, edition, spaced);
        for (const query of others) {
          const typed = await search(browser, base, edition, query);
          found.push(...problems(typed, edition, query));
          if (typed.pages.join(' ') !== book.pages.join(' '))
            found.push(`"${query}" finds ${typed.pages.join(' ') || 'nothing'}, "${spaced}" finds ${book.pages.join(' ')}`);
        }
        return [`${edition} "${others.join('", "')}" find what "${spaced}" finds`, found,
          `${book.pages.length} pages: ${book.pages.join(' ')}`];
      });
    }
    const word = QUERIES[edition].plain[0];
    tests.push(async () => [`${edition} "${word}" searched from a chapter`, await searchFromChapter(browser, base, edition, word), 'the search page lists results']);
    for (const query of QUERIES[edition].plain) {
      tests.push(async () => {
        const result = await search(browser, base, edition, query);
        return [`${edition} "${query}"`, problems(result, edition, query), `${result.pages.length} pages: ${result.pages.join(' ')}`];
      });
    }
  }
  // reported in the tests' order, each as soon as those before it are done
  const results = new Array(tests.length);
  let printed = 0;
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < tests.length; k = next++) {
      results[k] = await tests[k]();
      for (; printed < tests.length && results[printed]; printed += 1) report(...results[printed]);
    }
  };
  try {
    await Promise.all(Array.from({ length: TESTS_AT_ONCE }, worker));
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => { console.error(error); process.exit(2); });
