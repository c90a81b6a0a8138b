// Lighthouse's mobile profile on every page of the built book, as a phone reader gets it.
//
//   node benchmarks/lighthouse.mjs [SITE] [--page ko/tensors ...] [--runs N] [--json FILE]
//
// SITE (default _build/html) is served from 127.0.0.1 as GitHub Pages serves it:
// HTTP/2 over TLS (a self-signed certificate made with openssl), text gzipped,
// a ten-minute cache. Each page of each edition
// (SITE/<edition>/*.html but the index, search and 404 pages of the theme) is
// measured by Lighthouse 12 in its default mobile profile (a mid-range phone,
// simulated slow 4G and a 4x slower CPU), driving Debian's Chromium with the
// browser test's flags (tests/browser/site.mjs: nothing leaves the machine).
// `--page ko/tensors` (repeatable) measures only those pages. `--runs 3` measures
// each page three times and keeps the run of median performance: on a busy
// machine, Lighthouse's simulated throttling multiplies the time other
// processes take from the page's main thread, and one run can be far off.
//
// Prints one row per page (performance, FCP, LCP, TBT, CLS, accessibility, best
// practices, SEO, and the number of DOM elements) with the medians, and exits 1 when a page misses a target
// (TARGETS), 2 when the site or the browser is missing. SEO is measured as
// built: build with BOOK_BASE_URL set to measure canonical links and sitemaps.

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';

import { CHROMIUM, CHROMIUM_ARGS, TYPES, readEditions, requestedFile } from '../tests/browser/site.mjs';

// Lighthouse and its Chrome launcher are installed with the browser test's npm packages
const fromBrowserTest = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const { default: lighthouse } = await import(pathToFileURL(fromBrowserTest.resolve('lighthouse')).href);
const chromeLauncher = await import(pathToFileURL(fromBrowserTest.resolve('chrome-launcher')).href);

/** The targets (issue 24): scores out of 100, times in milliseconds. */
export const TARGETS = {
  performance: { at_least: 90 }, fcp: { at_most: 1800 }, lcp: { at_most: 2500 }, tbt: { at_most: 200 },
  cls: { at_most: 0.1 }, accessibility: { at_least: 95 }, 'best-practices': { at_least: 95 }, seo: { at_least: 95 },
};
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const METRICS = { fcp: 'first-contentful-paint', lcp: 'largest-contentful-paint', tbt: 'total-blocking-time', cls: 'cumulative-layout-shift' };
// the pages of an edition that are not reading pages: the theme's index, search and not-found pages
const NOT_READ = new Set(['genindex.html', 'search.html', '404.html']);
// what a web server compresses (GitHub Pages gzips text; images and woff2 are compressed already)
const COMPRESSED = /^(text\/|application\/(json|javascript)|image\/svg|font\/(ttf|otf))/;

/**
 * A self-signed certificate for 127.0.0.1 (openssl, for a day): {key, cert}.
 * Browsers speak HTTP/2 only over TLS, and GitHub Pages serves over HTTP/2.
 */
function localCertificate() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'lighthouse-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(folder, 'key.pem'), '-out', path.join(folder, 'cert.pem')],
    { stdio: 'ignore' });
    return { key: readFileSync(path.join(folder, 'key.pem')), cert: readFileSync(path.join(folder, 'cert.pem')) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Serve `root` on https://127.0.0.1 at an ephemeral port as GitHub Pages does:
 * HTTP/2 over TLS (a self-signed certificate: the browser is told to accept
 * it), text gzipped when the browser accepts it, every file cacheable for ten
 * minutes.
 */
export function serveGzip(root) {
  const server = http2.createSecureServer({ ...localCertificate(), allowHTTP1: true }, (request, response) => {
    const file = requestedFile(root, request, response);
    if (file === null) return;
    const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
    const gzip = COMPRESSED.test(type) && /\bgzip\b/.test(request.headers['accept-encoding'] || '');
    response.writeHead(200, {
      'content-type': type, 'cache-control': 'max-age=600', vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : { 'content-length': statSync(file).size }),
    });
    const body = createReadStream(file);
    (gzip ? body.pipe(createGzip()) : body).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The reading pages of the site: ['ko/tensors', ...], edition by edition. */
export function readingPages(site) {
  const editions = readEditions(site) ?? readdirSync(site).filter((name) => existsSync(path.join(site, name, 'index.html')));
  return editions.flatMap((edition) =>
    readdirSync(path.join(site, edition))
      .filter((name) => name.endsWith('.html') && !NOT_READ.has(name))
      .sort()
      .map((name) => `${edition}/${name.slice(0, -'.html'.length)}`),
  );
}

/** One page's Lighthouse result: the four category scores (0-100) and the four metrics. */
export async function measure(url, port) {
  const { lhr } = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES });
  const row = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(100 * (lhr.categories[c].score ?? 0))]));
  for (const [key, audit] of Object.entries(METRICS)) row[key] = lhr.audits[audit].numericValue;
  row.dom = lhr.audits['dom-size'].numericValue;
  // what a missed target is made of: the failed audits of each category below 100
  row.failed = CATEGORIES.flatMap((c) => lhr.categories[c].auditRefs
    .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 0.9)
    .map((ref) => `${c}:${ref.id}`));
  return row;
}

/** The targets a row misses, as 'key value' strings. */
export function misses(row) {
  return Object.entries(TARGETS)
    .filter(([key, t]) => ('at_least' in t ? row[key] < t.at_least : row[key] > t.at_most))
    .map(([key]) => `${key} ${format(key, row[key])}`);
}

function format(key, value) {
  if (key === 'cls') return value.toFixed(3);
  if (key === 'tbt') return `${Math.round(value)} ms`;
  if (key in METRICS) return `${(value / 1000).toFixed(2)} s`;
  return String(value);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function table(rows) {
  const columns = ['page', 'performance', 'fcp', 'lcp', 'tbt', 'cls', 'accessibility', 'best-practices', 'seo', 'dom'];
  const cells = rows.map((row) => columns.map((c) => (c === 'page' ? row.page : format(c, row[c]))));
  const medians = columns.map((c) => (c === 'page' ? 'median' : format(c, median(rows.map((r) => r[c])))));
  const all = [columns, ...cells, medians];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  return [line(columns), ...cells.map(line), line(medians)].join('\n');
}

async function main(argv) {
  const pagesWanted = [];
  let site = '_build/html';
  let json = null;
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--page') pagesWanted.push(argv[++i]);
    else if (argv[i] === '--json') json = argv[++i];
    else if (argv[i] === '--runs') runs = Number(argv[++i]);
    else site = argv[i];
  }
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`lighthouse: --runs takes a whole number of runs per page, 1 or more (got ${runs})`);
    return 2;
  }
  site = path.resolve(site);
  if (!existsSync(path.join(site, 'index.html'))) {
    console.error(`lighthouse: no built site at ${site}: build it first (tox -e book)`);
    return 2;
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`lighthouse: no Chromium at ${CHROMIUM}: run bash tests/browser/ensure_browser.sh`);
    return 2;
  }
  const pages = pagesWanted.length ? pagesWanted : readingPages(site);
  const server = await serveGzip(site);
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: [...CHROMIUM_ARGS, '--ignore-certificate-errors'] });
  const rows = [];
  try {
    for (const page of pages) {
      const url = `https://127.0.0.1:${server.address().port}/${page}.html`;
      const measured = [];
      for (let run = 0; run < runs; run++) measured.push(await measure(url, chrome.port));
      measured.sort((a, b) => a.performance - b.performance);
      rows.push({ page, ...measured[Math.floor(measured.length / 2)] });
      process.stderr.write(`measured ${page}\n`);
    }
  } finally {
    await chrome.kill();
    server.close();
  }
  console.log(table(rows));
  if (json) writeFileSync(json, JSON.stringify(rows, null, 1) + '\n');
  const missed = rows.map((row) => [row, misses(row)]).filter(([, m]) => m.length);
  const targets = 'performance >= 90, FCP <= 1.8 s, LCP <= 2.5 s, TBT <= 200 ms, CLS <= 0.1, accessibility, best practices, SEO >= 95';
  if (missed.length) {
    console.log(`\n${missed.length} of ${rows.length} page(s) miss a target (${targets}):`);
    for (const [row, m] of missed) console.log(`  ${row.page}: ${m.join(', ')}; failed audits: ${row.failed.join(' ') || 'none'}`);
    return 1;
  }
  console.log(`\nevery page meets the targets (${targets})`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) process.exitCode = await main(process.argv.slice(2));
