// A site of two releases, as a reader moves between them.
//
//   node tests/browser/check_releases.mjs [SERVED]      (SERVED defaults to _build/releases/served)
//
// SERVED is what tests/test_releases.py leaves: a folder holding the site (the
// latest and one release, filed by tools/add_release.py) at the path its
// address has (SERVED/dlbook/ for https://books.example.net/dlbook/), served
// from 127.0.0.1. In the English edition, on a chapter opened at a section:
//   - the version switcher lists both releases, and choosing the other one
//     leads to the same page at the same section, both ways;
//   - the release's page shows its banner, whose link leads to the same page
//     and section in the latest;
//   - "Report a mistake" opens a new GitHub issue (the request is caught, not
//     sent) whose body names the edition, chapter, release, and the section
//     the reader is at.
// Prints "N passed, N failed"; exits non-zero if any fails. Without that site it is skipped (fails with CI=true).
// Chromium: found as chromium.mjs says ($CHROMIUM_PATH, or the usual places); skipped without it (failed with CI=true).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

import { chromiumOrExit, launchBrowser, serve } from './site.mjs';

const TIMEOUT_MS = 30_000;
const PAGE = 'gradient-descent.html';
const SECTION = 'gradient-descent-learning-rate';

/** The site inside SERVED: the folder holding versions.json, and the path it is served at. */
function findSite(served) {
  if (existsSync(path.join(served, 'versions.json'))) return { site: served, prefix: '/' };
  for (const name of existsSync(served) ? readdirSync(served) : []) {
    if (existsSync(path.join(served, name, 'versions.json'))) return { site: path.join(served, name), prefix: `/${name}/` };
  }
  return null;
}

/** Open the switcher and follow the entry of `version`; resolves once the new page has loaded. */
async function switchTo(page, version) {
  await page.locator('.version-switcher__menu a').last().waitFor({ state: 'attached', timeout: TIMEOUT_MS });
  await page.locator('button.version-switcher__button:visible').click({ timeout: 10_000 });
  const entry = page.locator(`.version-switcher__menu a[data-version="${version}"]:visible`);
  const before = page.url();
  await entry.click({ timeout: 10_000 });
  // the theme's script checks that the page exists (HEAD), then goes there
  await page.waitForURL((url) => url.href !== before, { timeout: TIMEOUT_MS });
  await page.waitForLoadState('load');
}

async function main() {
  const served = path.resolve(process.argv[2] || '_build/releases/served');
  const found = findSite(served);
  if (!found) {
    // tests/test_releases.py makes it (plain tox runs the Python tests first); CI must have it
    const what = `no site of several releases in ${served}; make it with pytest tests/test_releases.py`;
    if (process.env.CI === 'true') {
      console.error(`check_releases: FAILED: ${what}`);
      return 2;
    }
    console.log(`check_releases: SKIPPED: ${what}`);
    return 0;
  }
  const versions = JSON.parse(readFileSync(path.join(found.site, 'versions.json'), 'utf8'));
  const latest = versions.find((v) => v.preferred);
  const old = versions.find((v) => !v.preferred);
  chromiumOrExit('check_releases');
  const server = await serve(served);
  const base = `http://127.0.0.1:${server.address().port}`;
  const latestPage = `${base}${found.prefix}en/${PAGE}`;
  const oldPage = `${base}${found.prefix}${old.version}/en/${PAGE}`;
  const browser = await launchBrowser();
  const results = [];
  async function check(name, body) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    try {
      const failures = await body(page);
      if (errors.length) failures.push(`script errors: ${errors.join('; ')}`);
      results.push({ name, failures });
    } catch (error) {
      results.push({ name, failures: [String(error).split('\n')[0]] });
    } finally {
      await context.close();
    }
  }
  try {
    await check(`switcher from ${old.version} to ${latest.version}`, async (page) => {
      await page.goto(`${oldPage}#${SECTION}`, { waitUntil: 'load', timeout: TIMEOUT_MS });
      const names = await page.locator('.version-switcher__menu').last().locator('a')
        .evaluateAll((links) => links.map((a) => a.dataset.version)).catch(() => []);
      await switchTo(page, latest.version);
      const failures = [];
      if (page.url() !== `${latestPage}#${SECTION}`) failures.push(`landed on ${page.url()}, not ${latestPage}#${SECTION}`);
      const listed = await page.locator('.version-switcher__menu').last().locator('a')
        .evaluateAll((links) => links.map((a) => a.dataset.version));
      if (listed.sort().join() !== versions.map((v) => v.version).sort().join()) failures.push(`the switcher lists ${listed}`);
      if (names.length && names.length !== versions.length) failures.push(`the old page's switcher lists ${names}`);
      return failures;
    });
    await check(`switcher from ${latest.version} to ${old.version}`, async (page) => {
      await page.goto(`${latestPage}#${SECTION}`, { waitUntil: 'load', timeout: TIMEOUT_MS });
      const failures = [];
      if (await page.locator('.bd-header-announcement').count()) failures.push('the latest shows a release banner');
      const button = (await page.locator('button.version-switcher__button:visible').innerText()).trim();
      await switchTo(page, old.version);
      if (page.url() !== `${oldPage}#${SECTION}`) failures.push(`landed on ${page.url()}, not ${oldPage}#${SECTION}`);
      if (button !== latest.name) failures.push(`the latest's switcher reads "${button}", not "${latest.name}"`);
      return failures;
    });
    await check(`${old.version}'s banner leads to the latest`, async (page) => {
      await page.goto(`${oldPage}#${SECTION}`, { waitUntil: 'load', timeout: TIMEOUT_MS });
      const failures = [];
      const banner = page.locator('.bd-header-announcement');
      if (!(await banner.isVisible())) return ['no banner on the release page'];
      const text = await banner.innerText();
      if (!text.includes(old.version)) failures.push(`the banner does not name ${old.version}: ${text}`);
      const before = page.url();
      await banner.locator('a.release-latest').click({ timeout: 10_000 });
      await page.waitForURL((url) => url.href !== before, { timeout: TIMEOUT_MS });
      await page.waitForLoadState('load');
      if (page.url() !== `${latestPage}#${SECTION}`) failures.push(`the banner led to ${page.url()}`);
      return failures;
    });
    await check('report a mistake names the section', async (page) => {
      let issue = null;
      let requested;
      const caught = new Promise((resolve) => { requested = resolve; });
      await page.route('https://github.com/**', (route) => {
        issue = route.request().url();
        requested();
        return route.abort();
      });
      await page.goto(`${latestPage}#${SECTION}`, { waitUntil: 'load', timeout: TIMEOUT_MS });
      await page.locator('a.report-mistake:visible').click({ timeout: 10_000 }).catch(() => {});
      // the issue's request, once made (or none within 5 s)
      let timer;
      await Promise.race([caught, new Promise((resolve) => { timer = setTimeout(resolve, 5000); })]);
      clearTimeout(timer);
      if (!issue) return ['following the link requested no GitHub issue'];
      const url = new URL(issue);
      const body = url.searchParams.get('body') || '';
      const failures = [];
      if (!url.pathname.endsWith('/issues/new')) failures.push(`not a new issue: ${issue}`);
      for (const field of ['Edition: English edition', 'Chapter: 3.', 'Release: latest', `(#${SECTION})`]) {
        if (!body.includes(field)) failures.push(`the issue's body lacks "${field}": ${JSON.stringify(body)}`);
      }
      return failures;
    });
  } finally {
    await browser.close();
    server.close();
  }
  for (const { name, failures } of results) {
    console.log(`${failures.length ? 'FAIL' : 'ok  '} ${name}`);
    for (const failure of failures) console.log(`     - ${failure}`);
  }
  const failed = results.filter((r) => r.failures.length).length;
  console.log(`check_releases: ${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
