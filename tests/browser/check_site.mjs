// Open every page of the built book in headless Chromium and check what a reader gets.
//
//   node tests/browser/check_site.mjs [SITE]      (SITE defaults to _build/html)
//
// SITE is served from 127.0.0.1 on an ephemeral port. The landing page and every
// page of the editions (SITE/<edition>/**/*.html, except the theme's template
// files under _static/) are opened one by one, and each must show:
//   - no console error and no uncaught exception;
//   - no request that leaves the local server: every request is recorded, and one
//     to another host or of another scheme (http(s), data, blob, about are
//     allowed) is blocked before it is sent, and fails the page;
//   - no local request answered with an error status (a missing asset);
//   - every diagram (.dlbook-diagram svg) and image drawn at a non-zero size,
//     every image decoded (naturalWidth > 0);
//   - every animation player working: the page holds its first frame only (the
//     others are not requested before the player comes near the screen); every
//     frame loads, "Next frame" shows the first ones in turn, "Last frame" the
//     last, "Previous frame" and "First frame" step back, the slider follows
//     the keyboard, Play advances and Pause stops, and the buttons' icons are
//     drawn;
//   - every icon of the theme drawn (icons.css has its shape);
//   - the edition switch leading to the same page in the other edition (status
//     200, <html lang> of that edition); on the landing page, every edition link;
//   - no accessibility violation of impact "serious" or "critical" (axe-core), with
//     the page laid out at desktop width; and at phone width on the first page of
//     each page template of each edition (phoneTemplate: what the page's frame
//     holds, which is all that the book's and the theme's phone layout changes);
//   - on each edition's search page, a search for a word of the edition's title
//     lists pages;
//   - at phone width (360 px) the page does not scroll sideways: wide figures,
//     formulas and code scroll or shrink inside the column; a code block or
//     output that scrolls takes the keyboard's focus once near the screen, one
//     that fits does not;
//   - every raster image has at least twice the pixels of its displayed width
//     (sharp on 2x screens), or is SVG, and an alternative text that is not
//     its file name;
//   - the edition switch keeps the section the reader is at (#label, shared by
//     the editions) and, on the search page, the query (?q=).
// Each page is opened in a fresh browser context (no storage from other pages);
// PAGES_AT_ONCE pages are checked at a time (a page mostly waits: for axe, for a
// layout to settle, for a player to play).
// Prints a summary and a final "N passed, N failed" line (one test per page);
// exits non-zero if any page fails (2 if the site or the browser is missing).
//
// Chromium: found as chromium.mjs says ($CHROMIUM_PATH, or the usual places);
// skipped without it (failed with CI=true).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

// the local server, Chromium (its path and arguments: no host name resolves but
// the local server's) and the editions' manifest: shared with the other checks
import { chromiumOrExit, editionsManifest, launchBrowser, readEditions, serve } from './site.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

// the editions: read from the manifest the build writes beside the site (SITE/../editions.json)
let EDITIONS = [];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'data:', 'blob:', 'about:']);
const SERIOUS = new Set(['serious', 'critical']);
const TIMEOUT_MS = 30_000;
const MINOR_SHOWN = 12; // places of lower-impact findings listed in the summary
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
// the narrowest phone the book is laid out for: nothing may scroll sideways
const NARROW = { width: 360, height: 780 };
// an alternative text that is a file name (myst-nb's default) or a hash says nothing
const FILE_NAME_ALT = /(^|\/)[^\s/]+\.(png|jpe?g|gif|svg|webp|avif)$|^[0-9a-f]{16,}/i;
let SITE = '';
// pages checked at once, each in its own context: two keep a 2-core machine busy
const PAGES_AT_ONCE = Math.min(4, Math.max(2, os.availableParallelism()));
// what the phone layout changes: the page's frame (header, sidebars, the article's
// header buttons, the search and index pages' own parts), not the article's content
const TEMPLATE_PARTS = {
  toc: /class="[^"]*\bbd-sidebar-secondary\b/,
  notebook: /class="[^"]*\bnotebook-download\b/,
  colab: /class="[^"]*\bopen-in-colab\b/,
  switcher: /class="[^"]*\bversion-switcher__container\b/,
  banner: /class="[^"]*\bbd-header-announcement\b/,
  search: /id="search-results"/,
  index: /class="[^"]*\bgenindextable\b/,
  pager: /class="[^"]*\bprev-next-area\b/,
};

// Accessibility findings we accept, each one a specific rule on specific
// third-party markup that our templates and CSS cannot change. Every entry
// needs a reason. Entries: { rule: 'axe-rule-id', selector: 'css selector as
// reported by axe', reason: '...' }.
const ACCEPTED_VIOLATIONS = [];

/** The pages to open, relative to the site: the landing page, then each edition's. */
function pagesOf(site) {
  const pages = [];
  if (existsSync(path.join(site, 'index.html'))) pages.push('index.html');
  const walk = (dir, relative) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        // _static holds the theme's Jinja macro files (webpack-macros.html), not pages;
        // _sources, _images and _downloads hold no pages either
        if (!entry.name.startsWith('_')) walk(path.join(dir, entry.name), rel);
      } else if (entry.name.endsWith('.html')) {
        pages.push(rel);
      }
    }
  };
  for (const edition of EDITIONS) {
    if (existsSync(path.join(site, edition))) walk(path.join(site, edition), edition);
  }
  return pages;
}

/** A page's template, for the phone-width accessibility check: its edition (or the landing page) and its frame's parts. */
function phoneTemplate(relative) {
  const html = readFileSync(path.join(SITE, relative), 'utf8');
  const edition = EDITIONS.find((e) => relative.startsWith(`${e}/`)) || 'landing';
  return [edition, ...Object.keys(TEMPLATE_PARTS).filter((part) => TEMPLATE_PARTS[part].test(html))].join(' ');
}

/** The first page (in `pages`' order) of each template: those checked by axe at phone width too. */
function phoneCheckedPages(pages) {
  const templates = new Map();
  for (const relative of pages) {
    const template = phoneTemplate(relative);
    if (!templates.has(template)) templates.set(template, relative);
  }
  return new Set(templates.values());
}

/** Is a request URL one the site may make? Returns null if so, else the reason. */
function offSite(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return 'unparsable URL';
  }
  if (!ALLOWED_SCHEMES.has(parsed.protocol)) return `scheme ${parsed.protocol}`;
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && !LOCAL_HOSTS.has(parsed.hostname)) {
    return `host ${parsed.hostname}`;
  }
  return null;
}

const short = (text, n = 300) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** A browser context from which nothing leaves this machine. */
async function newContext(browser) {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: DESKTOP });
  // a request to another host or of another scheme is recorded (by the page's
  // 'request' listener) and never sent
  await context.route(() => true, (route) => (offSite(route.request().url()) ? route.abort('blockedbyclient') : route.fallback()));
  await context.routeWebSocket(() => true, (socket) => socket.close());
  return context;
}

/** Check one page; returns its list of failures and adds to `totals`. */
async function checkPage(context, base, relative, totals, atPhoneWidth) {
  const failures = [];
  const page = await context.newPage();
  const blocked = new Map(); // URL -> why it may not leave
  const missing = new Set(); // local URLs answered with an error status
  const consoleErrors = [];
  // what the page shows after following a link is reported as seen on that page
  const on = () => {
    const here = page.url().startsWith(base) ? decodeURI(page.url().slice(base.length)) : page.url();
    return here.split('?')[0] === relative ? '' : `after following a link, on ${here}: `;
  };
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push({ prefix: on(), text: message.text(), url: message.location()?.url || '' });
  });
  page.on('pageerror', (error) => {
    failures.push(`${on()}uncaught exception: ${short(String(error?.stack || error))}`);
    totals.consoleErrors += 1;
  });
  const requested = new Set(); // every URL the page asked for
  page.on('request', (request) => {
    totals.requests += 1;
    requested.add(request.url());
    const reason = offSite(request.url());
    if (reason && !blocked.has(request.url())) blocked.set(request.url(), `${on()}request leaving the local server (${reason}), blocked`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !offSite(response.url()) && !missing.has(response.url())) {
      missing.add(response.url());
      failures.push(`${on()}local request answered ${response.status()}: ${response.url()}`);
    }
  });
  page.on('websocket', (socket) => {
    if (!blocked.has(socket.url())) blocked.set(socket.url(), `${on()}websocket leaving the local server, blocked`);
  });

  try {
    const url = new URL(relative, base).href;
    const response = await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
    if (!response || response.status() !== 200) failures.push(`page answered ${response?.status()}`);
    await page.waitForLoadState('networkidle', { timeout: TIMEOUT_MS }).catch(() => {});
    // before anything scrolls the page: the frames of players far below are not fetched yet
    await checkFramesWait(page, requested, failures);
    await checkDiagramsAndImages(page, failures, totals);
    await checkIcons(page, failures);
    await checkImageQuality(page, failures, totals);
    await checkAnimations(page, failures, totals);
    await checkFrameworkTabs(page, failures, totals);
    await checkAccessibility(page, relative, failures, totals, atPhoneWidth);
    await checkAtNarrowWidth(page, failures, totals);
    if (relative.endsWith('/search.html')) await checkSearch(page, base, relative, failures, totals);
    // last: it navigates away
    await checkEditionLinks(page, base, relative, failures, totals);
  } catch (error) {
    failures.push(`${on()}check aborted: ${short(String(error?.message || error), 600)}`);
  } finally {
    await page.close();
  }
  // a blocked request or a missing file also shows up as a console error: report it once
  for (const { prefix, text, url } of consoleErrors) {
    if (blocked.has(url) || missing.has(url)) continue;
    failures.push(`${prefix}console error: ${short(text)}${url ? ` (at ${url})` : ''}`);
    totals.consoleErrors += 1;
  }
  for (const [url, what] of blocked) failures.push(`${what}: ${short(url, 200)}`);
  totals.blocked += blocked.size;
  return failures;
}

/**
 * The page's diagrams and images with their drawn size. Those inside a tab
 * that is not shown (the other framework's) are left out: the tab test looks
 * at them once it has switched.
 */
function drawnElements(page, onlyInTabs = false) {
  return page.evaluate((onlyInTabs) => {
    const describe = (element) => element.id ? `#${element.id}` : (element.getAttribute('src') || '').slice(0, 80) || element.outerHTML.slice(0, 80);
    const size = (element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return { width: box.width, height: box.height, hidden: style.visibility === 'hidden' || style.display === 'none' };
    };
    const shown = (element) => {
      // a collapsed solution (sphinx-togglebutton) shows its figures once opened: check_solutions.mjs opens it
      if (element.closest('.toggle.toggle-hidden, details:not([open])')) return false;
      const tab = element.closest('.sd-tab-content');
      if (onlyInTabs && !tab) return false;
      return !tab || getComputedStyle(tab).display !== 'none';
    };
    return {
      diagrams: [...document.querySelectorAll('.dlbook-diagram svg')].filter(shown)
        .map((svg) => ({ name: svg.getAttribute('aria-label') || 'diagram', ...size(svg) })),
      images: [...document.images].filter(shown).map((img) => ({ name: describe(img), natural: img.naturalWidth, ...size(img) })),
    };
  }, onlyInTabs);
}

async function checkDiagramsAndImages(page, failures, totals, onlyInTabs = false) {
  // the figures load lazily (page_speed.load_figures_lazily) as the reader
  // scrolls, but sections rendered as they near the screen move them while this
  // scrolls: here they are all asked for at once (each loads and is drawn)
  await page.evaluate(() => document.querySelectorAll('img[loading="lazy"]:not(.dlbook-player-frame)')
    .forEach((img) => { img.loading = 'eager'; }));
  // the players' frames are fetched when scrolled to: bring each into view first
  for (const image of await page.locator('img').all()) {
    await image.scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => {});
  }
  // (a player's frame in a tab not shown is fetched once the tab is shown)
  await page.waitForFunction(() => [...document.images]
    .every((img) => img.complete || !img.checkVisibility({ visibilityProperty: true })), null, { timeout: TIMEOUT_MS })
    .catch(() => failures.push('images still loading after 30 s'));
  const found = await drawnElements(page, onlyInTabs);
  for (const d of found.diagrams) {
    totals.diagrams += 1;
    if (!(d.width > 0 && d.height > 0) || d.hidden) failures.push(`diagram "${d.name}" is not drawn (${d.width}x${d.height})`);
  }
  for (const img of found.images) {
    totals.images += 1;
    if (!(img.natural > 0)) failures.push(`image ${img.name} did not load (naturalWidth 0)`);
    else if (!(img.width > 0 && img.height > 0) || img.hidden) failures.push(`image ${img.name} is not drawn (${img.width}x${img.height})`);
  }
}

/**
 * Every Font Awesome icon of the theme (<i class="fa-...">) has its shape in
 * icons.css (the book loads no fontawesome.js): one without shows nothing.
 */
async function checkIcons(page, failures) {
  const blank = await page.evaluate(() => [...document.querySelectorAll('i[class*="fa-"]')]
    .filter((i) => !getComputedStyle(i).maskImage.startsWith('url('))
    .map((i) => i.className));
  for (const name of new Set(blank)) failures.push(`icon "${name}" has no shape: add it to icons.css`);
  // an icon still drawn with the Font Awesome font (the theme's admonitions) fetches its 115 KB
  const glyphs = await page.evaluate(() => [...document.querySelectorAll('body *')].flatMap((e) => ['::before', '::after']
    .filter((p) => /Awesome/.test(getComputedStyle(e, p).fontFamily) && !['none', 'normal', '""'].includes(getComputedStyle(e, p).content))
    .map((p) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}${p}`)));
  for (const name of new Set(glyphs)) failures.push(`${name} is drawn with the Font Awesome font: give it a shape in icons.css`);
}

/**
 * Every image shown: SVG, or a raster with at least twice the pixels of its
 * displayed width (checked at desktop width, where images are widest); and an
 * alternative text that says something (not empty, not a file name).
 */
async function checkImageQuality(page, failures, totals, onlyInTabs = false) {
  const images = await page.evaluate((onlyInTabs) => [...document.images].filter((img) => !onlyInTabs || img.closest('.sd-tab-content')).map((img) => ({
    src: img.currentSrc || img.src,
    name: img.id ? `#${img.id}` : (img.getAttribute('src') || '').slice(0, 80),
    alt: img.getAttribute('alt'),
    natural: img.naturalWidth,
    width: img.getBoundingClientRect().width,
  })), onlyInTabs);
  for (const img of images) {
    if (!(img.width > 0)) continue; // in a hidden tab: seen when the tab check shows it
    const svg = /^data:image\/svg\+xml|\.svg([?#]|$)/i.test(img.src);
    totals.crispImages += 1;
    if (!svg && img.natural < 2 * Math.round(img.width)) {
      failures.push(`image ${img.name} is blurry on a 2x screen: ${img.natural} px wide, shown ${Math.round(img.width)} px wide`);
    }
    const alt = (img.alt || '').trim();
    if (!alt || FILE_NAME_ALT.test(alt)) failures.push(`image ${img.name} has no alternative text that says what it shows (alt="${short(alt, 80)}")`);
    else totals.alts += 1;
  }
}

/**
 * The checks at the narrowest phone's width, at one resize: the page is laid
 * out at 360 px once (its settling waited for once), then set back to desktop width.
 */
async function checkAtNarrowWidth(page, failures, totals) {
  await page.setViewportSize(NARROW);
  // the theme's layout settles, and page-speed.js measures again, 300 ms after a resize
  await page.waitForTimeout(500);
  await checkNoSidewaysScroll(page, failures, totals);
  await checkScrollingBlocksFocus(page, failures, totals);
  await page.setViewportSize(DESKTOP);
}

/** At 360 px (checkAtNarrowWidth), the page is no wider than the window; else name what sticks out. */
async function checkNoSidewaysScroll(page, failures, totals) {
  const result = await page.evaluate(() => {
    const width = window.innerWidth;
    const scrollWidth = document.scrollingElement.scrollWidth;
    if (scrollWidth <= width) return { width, scrollWidth, culprits: [] };
    const scrolls = (element) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(element).overflowX);
    const culprits = [];
    for (const element of document.querySelectorAll('body *')) {
      const box = element.getBoundingClientRect();
      if (!(box.width > 0) || box.right <= width + 0.5) continue;
      let contained = false;
      for (let a = element.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).position === 'fixed' || (scrolls(a) && a.getBoundingClientRect().right <= width + 0.5)) { contained = true; break; }
      }
      if (contained || getComputedStyle(element).position === 'fixed') continue;
      // name the outermost element that sticks out, not each of its children
      if (culprits.some((c) => c.element.contains(element))) continue;
      culprits.push({ element, text: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.classList.length ? `.${[...element.classList].join('.')}` : ''} (to ${Math.round(box.right)} px)` });
    }
    return { width, scrollWidth, culprits: culprits.slice(0, 5).map((c) => c.text) };
  });
  if (result.scrollWidth > result.width) {
    failures.push(`at ${result.width} px the page scrolls sideways (${result.scrollWidth} px wide): ${result.culprits.join(', ') || 'no single element found'}`);
  } else {
    totals.narrowPages += 1;
  }
}

/**
 * At 360 px, a code block or output that scrolls sideways takes the keyboard's
 * focus (so a keyboard reader can scroll it) and one that fits does not, once it
 * has come near the screen: page-speed.js gives these tab stops block by block,
 * in place of the theme's measuring every block on load. The first few of each
 * kind on the page are tried.
 */
async function checkScrollingBlocksFocus(page, failures, totals) {
  const blocks = page.locator('pre, .cell_output > .output');
  const count = await blocks.count();
  const tried = { scrolls: 0, fits: 0 };
  // each block's kind, measured where it is (Chromium lays out a section that
  // content-visibility skips when a script asks for its sizes): a block of a
  // kind already tried three times is not scrolled to; the kind that counts is
  // the one measured again once the block is near the screen
  const kinds = await blocks.evaluateAll((elements) => elements.map((e) => (
    e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight ? 'scrolls' : 'fits')));
  for (let i = 0; i < count && (tried.scrolls < 3 || tried.fits < 3); i++) {
    if (tried[kinds[i]] >= 3) continue;
    const block = blocks.nth(i);
    if (!(await block.isVisible())) continue; // in a tab not shown
    await block.scrollIntoViewIfNeeded();
    // page-speed.js sets the tab stop when its observer reports the block near the
    // screen: an observer made now, with the same margin, reports after it (the
    // page's observers are told in the order they were made); then the tab stop
    // is read until it is what it should be, or 3 s have passed
    const state = await block.evaluate((e) => new Promise((resolve) => {
      const read = () => {
        const scrolls = e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight;
        return { scrolls, tabIndex: e.tabIndex, name: `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`, settled: e.tabIndex === (scrolls ? 0 : -1) };
      };
      const deadline = Date.now() + 3000;
      const poll = () => {
        const now = read();
        if (now.settled || Date.now() >= deadline) resolve(now);
        else setTimeout(poll, 20);
      };
      const near = new IntersectionObserver((entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        near.disconnect();
        poll();
      }, { rootMargin: '400px 0px' });
      near.observe(e);
      setTimeout(() => { near.disconnect(); resolve(read()); }, 3000);
    }));
    const kind = state.scrolls ? 'scrolls' : 'fits';
    if (tried[kind] >= 3) continue;
    tried[kind] += 1;
    if (state.tabIndex !== (state.scrolls ? 0 : -1)) {
      failures.push(`at ${NARROW.width} px, ${state.name} (block ${i + 1}) ${state.scrolls ? 'scrolls sideways but takes no keyboard focus' : 'fits but is a tab stop'} (tabIndex ${state.tabIndex})`);
    } else {
      totals.scrollingBlocks += 1;
    }
  }
}

/** The players well below the screen on arrival have fetched no frame but their first. */
async function checkFramesWait(page, requested, failures) {
  const far = await page.evaluate(() => [...document.querySelectorAll('figure.dlbook-player')]
    .filter((player) => player.getBoundingClientRect().top > window.innerHeight + 800)
    .map((player) => ({
      name: player.querySelector('img').alt,
      later: JSON.parse(player.dataset.frames).slice(1).map((src) => new URL(src, document.baseURI).href),
    })));
  for (const { name, later } of far) {
    const early = later.filter((url) => requested.has(url));
    if (early.length) failures.push(`animation "${name}": ${early.length} frames fetched before the player came near the screen`);
  }
}

/**
 * Every animation player (templates/animation-player.html, static/dlbook-animation.js):
 * every frame loaded, the first ones stepped through one by one; last, next at the end,
 * back, first, the slider by keyboard, play and pause.
 */
/** How many frames "Next frame" steps through one click at a time (the others are checked to load). */
const STEPPED_FRAMES = 4;

async function checkAnimations(page, failures, totals) {
  const players = await page.locator('figure.dlbook-player').all();
  // each paused player's last check: that it stays paused for a while (a few
  // frames' time); done once the other players have been checked, in that time
  const pausedChecks = [];
  for (const [k, player] of players.entries()) {
    const image = player.locator('img.dlbook-player-frame');
    const name = (await image.getAttribute('alt')) || `player ${k + 1}`;
    // buttons are found by what they do, not by their (translated) names
    const button = (action) => player.locator(`button[data-action="${action}"]`);
    const slider = player.locator('input[type="range"]');
    const shown = () => image.evaluate((img) => img.src);
    // the frame shown, once loaded: its address and its pixels
    const loaded = () => image.evaluate((img) => (img.complete ? Promise.resolve() : img.decode().catch(() => {}))
      .then(() => ({ src: img.src, natural: img.naturalWidth })));
    try {
      const frames = await player.evaluate((p) => JSON.parse(p.dataset.frames).map((src) => new URL(src, document.baseURI).href));
      const fps = Number(await player.getAttribute('data-fps'));
      if (await player.locator('img').count() !== 1) throw new Error('the page holds more than the first frame as images');
      // the controls show once the player's script has run
      await player.locator('.dlbook-player-controls').waitFor({ state: 'visible', timeout: 10_000 })
        .catch(() => { throw new Error('the controls are not shown (the script did not run)'); });
      await player.scrollIntoViewIfNeeded();
      for (const action of ['first', 'previous', 'play', 'next', 'last']) {
        if ((await button(action).count()) !== 1) throw new Error(`no single "${action}" button`);
      }
      const undrawn = await player.locator('button').evaluateAll((buttons) => buttons
        .filter((b) => ![...b.querySelectorAll('svg')].some((svg) => svg.getBoundingClientRect().width > 0))
        .map((b) => b.getAttribute('aria-label')));
      if (undrawn.length) failures.push(`animation "${name}": buttons without a drawn icon: ${undrawn.join(', ')}`);

      if ((await shown()) !== frames[0]) throw new Error('the first frame is not shown first');
      // every frame decodes (fetched together), then "Next frame" steps through
      // the first few one by one, each shown and loaded: stepping all of them
      // one click at a time took half a minute a page and showed nothing more
      const broken = await page.evaluate((sources) => Promise.all(sources.map((src) => {
        const img = new Image();
        img.src = src;
        return img.decode().then(() => (img.naturalWidth > 0 ? null : src), () => src);
      })).then((results) => results.filter(Boolean)), frames);
      if (broken.length) throw new Error(`${broken.length} frames do not load: ${broken.slice(0, 3).join(', ')}`);
      for (let i = 1; i < Math.min(frames.length, STEPPED_FRAMES); i += 1) {
        await button('next').click();
        const frame = await loaded();
        if (frame.src !== frames[i]) throw new Error(`"Next frame" showed ${frame.src} as frame ${i + 1}, not ${frames[i]}`);
        if (!(frame.natural > 0)) throw new Error(`frame ${i + 1} did not load (${frame.src})`);
      }
      await button('last').click();
      if ((await shown()) !== frames.at(-1)) throw new Error('"Last frame" did not show the last frame');
      await button('next').click();
      if ((await shown()) !== frames.at(-1)) throw new Error('"Next frame" went past the last frame');
      if (frames.length > 1) {
        await button('previous').click();
        if ((await shown()) !== frames.at(-2)) throw new Error('"Previous frame" did not step back one frame');
      }
      await button('first').click();
      if ((await shown()) !== frames[0]) throw new Error('"First frame" did not bring back the first frame');
      await slider.focus();
      await page.keyboard.press('End');
      if ((await shown()) !== frames.at(-1)) throw new Error('the slider\'s End key did not show the last frame');
      await page.keyboard.press('Home');
      if ((await shown()) !== frames[0]) throw new Error('the slider\'s Home key did not show the first frame');

      if (frames.length > 1) {
        const play = button('play');
        const before = await play.getAttribute('aria-label');
        await play.click();
        await page.waitForFunction(([img, first]) => img.src !== first, [await image.elementHandle(), frames[0]], { timeout: 5000 })
          .catch(() => { throw new Error('"Play" did not advance the animation within 5 s'); });
        if ((await play.getAttribute('aria-label')) === before) throw new Error('the playing button is not named "Pause"');
        await play.click();
        const paused = await shown();
        const until = Date.now() + Math.max(600, 2500 / fps);
        // the playing timer stops the animation at the last frame by itself, so a
        // pause that did not stop it still shows another frame however late it is looked at
        pausedChecks.push({ name, until, check: async () => {
          if ((await shown()) !== paused) throw new Error('"Pause" did not stop the animation');
          if ((await play.getAttribute('aria-label')) !== before) throw new Error('the paused button is not named "Play" again');
          await button('first').click();
        } });
        continue;
      }
      totals.animations += 1;
    } catch (error) {
      failures.push(`animation "${name}": ${short(String(error?.message || error))}`);
    }
  }
  for (const { name, until, check } of pausedChecks) {
    try {
      if (Date.now() < until) await page.waitForTimeout(until - Date.now()); // the time a stopped player must stay still
      await check();
      totals.animations += 1;
    } catch (error) {
      failures.push(`animation "${name}": ${short(String(error?.message || error))}`);
    }
  }
}

/**
 * TensorFlow / PyTorch tab sets: TensorFlow shows first; choosing PyTorch in
 * one set switches every set on the page, and the choice survives a reload.
 */
async function checkFrameworkTabs(page, failures, totals) {
  const sets = page.locator('.sd-tab-set.framework-tabs');
  const count = await sets.count();
  if (!count) return;
  const chosen = () => page.evaluate(() => [...document.querySelectorAll('.sd-tab-set.framework-tabs')].map((set) => {
    const input = set.querySelector('input[type="radio"]:checked');
    const label = input && set.querySelector(`label[for="${input.id}"]`);
    return label ? label.dataset.syncId : null;
  }));
  const visibleOutputs = () => page.evaluate(() => [...document.querySelectorAll('.sd-tab-set.framework-tabs')]
    .filter((set) => [...set.querySelectorAll('.sd-tab-content')].some((c) => c.getBoundingClientRect().height > 0)).length);
  const expect = (values, framework, what) => {
    const wrong = values.filter((v) => v !== framework).length;
    if (wrong) failures.push(`framework tabs: ${what}: ${wrong} of ${values.length} tab sets do not show ${framework}`);
    return !wrong;
  };
  if (!expect(await chosen(), 'tensorflow', 'on arrival')) return;
  await sets.first().locator('label[data-sync-id="pytorch"]').click();
  if (!expect(await chosen(), 'pytorch', 'after choosing PyTorch in the first tab set')) return;
  if ((await visibleOutputs()) !== count) failures.push('framework tabs: a tab set shows no content after switching');
  // the PyTorch tabs' diagrams and images, now on screen
  await checkDiagramsAndImages(page, failures, totals, true);
  await checkImageQuality(page, failures, totals, true);
  await page.reload({ waitUntil: 'load', timeout: TIMEOUT_MS });
  if (!expect(await chosen(), 'pytorch', 'after reloading the page')) return;
  totals.tabSets += count;
}

/** axe-core on the page as laid out at desktop width, then (`atPhoneWidth`) at phone width. */
async function checkAccessibility(page, relative, failures, totals, atPhoneWidth) {
  await page.addScriptTag({ path: AXE_PATH });
  const widths = [['desktop', DESKTOP], ...(atPhoneWidth ? [['phone', PHONE]] : [])];
  for (const [width, viewport] of widths) {
    // the page is opened at desktop width and every check that resizes it sets
    // that width back (and waits for it to settle): no resize, nothing to wait for
    const current = page.viewportSize();
    if (current?.width !== viewport.width || current?.height !== viewport.height) {
      await page.setViewportSize(viewport);
      await page.waitForTimeout(500); // the theme updates the layout on resize after a 300 ms debounce
    }
    const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    for (const violation of results.violations) {
      const nodes = violation.nodes.filter((node) => {
        const selector = node.target.join(' ');
        const accepted = ACCEPTED_VIOLATIONS.some((a) => a.rule === violation.id && a.selector === selector);
        if (accepted) totals.accepted += 1;
        return !accepted;
      });
      for (const node of nodes) {
        const selector = node.target.join(' ');
        if (SERIOUS.has(violation.impact)) {
          totals.violations += 1;
          totals.violationRules[violation.id] = (totals.violationRules[violation.id] || 0) + 1;
          failures.push(`accessibility (${width}), ${violation.impact}: ${violation.id} (${violation.help}) at ${selector}: ${short(node.failureSummary?.replace(/\s+/g, ' ') || '', 240)}`);
        } else {
          totals.minorViolations += 1;
          totals.minorRules[violation.id] = (totals.minorRules[violation.id] || 0) + 1;
          const key = `${violation.impact}: ${violation.id} at ${selector}`;
          const where = (totals.minorWhere[key] ||= { pages: new Set(), widths: new Set() });
          where.pages.add(relative);
          where.widths.add(width);
        }
      }
    }
    totals.axeRuns[width] += 1;
  }
  await page.setViewportSize(DESKTOP);
}

/** On a search page: a search for a word of the edition's title finds pages. */
async function checkSearch(page, base, relative, failures, totals) {
  const edition = relative.split('/')[0];
  const title = await page.evaluate(() => document.title);
  // the edition's title precedes the page's in <title>; take its longest word,
  // or for Hangul its first two syllables (the Korean index holds prefixes)
  const words = (title.split(/[-—–|·]/).pop() || '').match(/[\p{L}\p{N}]+/gu) || [];
  let word = words.sort((a, b) => b.length - a.length)[0];
  if (!word) {
    failures.push(`no word to search for in the title "${title}"`);
    return;
  }
  if (/^[\uac00-\ud7a3]+$/.test(word)) word = word.slice(0, 2);
  await page.goto(new URL(`${relative}?q=${encodeURIComponent(word)}`, base).href, { waitUntil: 'load', timeout: TIMEOUT_MS });
  // searchtools.js pulses while it searches and stops when it has listed every result
  // (the summary line is no sign of that: Sphinx's Korean catalog translates it as "")
  const found = await page.waitForFunction(() => (
    // eslint-disable-next-line no-undef -- searchtools.js declares Search with const: global, not on window
    document.querySelector('#search-results ul.search') && typeof Search !== 'undefined' && Search._pulse_status === -1
      ? document.querySelectorAll('#search-results ul.search li').length : null
  ), null, { timeout: TIMEOUT_MS }).then((handle) => handle.jsonValue()).catch(() => null);
  if (found === null) {
    // what the page had reached, to tell a slow search (two pages at once on a busy machine) from a stuck one
    const state = await page.evaluate(() => ({
      // eslint-disable-next-line no-undef -- as above
      pulse: typeof Search === 'undefined' ? 'no Search' : Search._pulse_status,
      list: Boolean(document.querySelector('#search-results ul.search')),
    }));
    failures.push(`search for "${word}" (${edition}) did not finish within ${TIMEOUT_MS / 1000} s: ${JSON.stringify(state)}`);
  }
  else if (found === 0) failures.push(`search for "${word}" (${edition}) found no page`);
  else totals.searches += 1;
}

async function checkEditionLinks(page, base, relative, failures, totals) {
  const edition = relative.split('/')[0];
  // `label`: the section the address names, which the switch must keep
  const follow = async (link, expectedPath, expectedLang, what, label) => {
    const expected = new URL(expectedPath, base).href;
    const from = page.url();
    const responded = page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame() && r.url() !== from,
      { timeout: TIMEOUT_MS },
    ).catch((error) => error);
    await link.click({ timeout: 10_000 });
    const response = await responded;
    if (response instanceof Error) throw new Error(`${what} led nowhere: ${response.message}`);
    await page.waitForLoadState('load', { timeout: TIMEOUT_MS });
    if (response.url() !== expected) {
      failures.push(`${what} led to ${response.url()}, not ${expected}`);
      return;
    }
    if (response.status() !== 200) failures.push(`${what} led to ${expected}, which answered ${response.status()}`);
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== expectedLang) failures.push(`${what} led to a page in <html lang="${lang}">, not "${expectedLang}"`);
    totals.switches += 1;
    if (label) await checkSwitchKeepsPlace(page, base, label, expectedPath, failures, totals);
  };

  if (!EDITIONS.includes(edition)) {
    // the landing page: each edition's link leads to that edition
    for (const other of EDITIONS) {
      const link = page.locator(`a[hreflang="${other}"]`);
      if ((await link.count()) !== 1) {
        failures.push(`the landing page has ${await link.count()} links to the ${other} edition`);
        continue;
      }
      await follow(link, `${other}/index.html`, other, `the landing page's link to ${other}`);
      await page.goBack({ waitUntil: 'load' });
    }
    return;
  }
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== edition) failures.push(`<html lang="${lang}"> in the ${edition} edition`);
  const count = await page.locator('a.edition-switch').count();
  const others = EDITIONS.filter((e) => e !== edition);
  if (count !== others.length) {
    failures.push(`${count} edition switches (expected ${others.length})`);
    return;
  }
  // the search page was left showing a query (checkSearch): the switch keeps it
  const query = new URL(page.url()).search;
  for (const [i, other] of others.entries()) {
    const target = `${other}/${relative.slice(edition.length + 1)}`;
    const link = page.locator('a.edition-switch').nth(i);
    if ((await link.getAttribute('hreflang')) !== other) failures.push(`edition switch ${i + 1}'s hreflang is not "${other}"`);
    // from a labelled section both editions share, named in the address: set on
    // this page (a same-document navigation, no reload), the one switch followed
    // also shows that it keeps the reader's place (the switch's script reads the
    // address when it is clicked)
    const label = sharedLabels(relative, target)[0];
    if (label) await page.evaluate((id) => { window.location.hash = id; }, label);
    await follow(link, `${target}${query}`, other, `the switch to the ${other} edition`, label);
    if (i < others.length - 1) await page.goto(new URL(relative, base).href, { waitUntil: 'load', timeout: TIMEOUT_MS });
  }
}

/** Section labels found in both pages' sources (not Sphinx's numbered ids). */
function sharedLabels(relative, target) {
  const ids = (file) => {
    if (!existsSync(path.join(SITE, file))) return new Set(); // reported by the switch check already
    const text = readFileSync(path.join(SITE, file), 'utf8');
    return new Set([...text.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]).filter((id) => !/^id\d+$/.test(id)));
  };
  const theirs = ids(target);
  return [...ids(relative)].filter((id) => theirs.has(id));
}

/** Followed from #label (checkEditionLinks), the switch landed on the same section of the other edition (`target`, with the query kept). */
async function checkSwitchKeepsPlace(page, base, label, target, failures, totals) {
  const expected = new URL(`${target}#${label}`, base).href;
  const query = new URL(expected).search;
  if (page.url() !== expected) {
    failures.push(`the switch from #${label}${query} led to ${page.url()}, not ${expected}`);
  } else if (!(await page.evaluate((id) => !!document.getElementById(id), label))) {
    failures.push(`the switch kept #${label}, but ${target.split('?')[0]} has no such section`);
  } else {
    totals.anchorsKept += 1;
  }
}

async function main() {
  const site = path.resolve(process.argv[2] || '_build/html');
  SITE = site;
  if (!existsSync(site)) {
    console.error(`check_site: no built site at ${site}; build it first (python tools/build_book.py)`);
    return 2;
  }
  const editions = readEditions(site);
  if (!editions) {
    console.error(`check_site: no ${editionsManifest(site)}: build the site first (python tools/build_book.py)`);
    return 2;
  }
  EDITIONS = editions;
  const pages = pagesOf(site);
  const missing = EDITIONS.filter((edition) => !pages.some((p) => p.startsWith(`${edition}/`)));
  if (EDITIONS.length < 2 || missing.length) {
    console.error(`check_site: ${site} does not hold every edition (${EDITIONS.join(', ')}); build with python tools/build_book.py`);
    return 2;
  }
  chromiumOrExit('check_site');

  const server = await serve(site);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchBrowser();
  const totals = {
    requests: 0, blocked: 0, consoleErrors: 0, diagrams: 0, images: 0, animations: 0, switches: 0, tabSets: 0,
    violations: 0, violationRules: {}, minorViolations: 0, minorRules: {}, minorWhere: {}, searches: 0, accepted: 0,
    narrowPages: 0, scrollingBlocks: 0, crispImages: 0, alts: 0, anchorsKept: 0, axeRuns: { desktop: 0, phone: 0 },
  };
  const phonePages = phoneCheckedPages(pages);
  let passed = 0;
  let failed = 0;
  console.log(`check_site: ${pages.length} pages of ${site}, served at ${base}, in Chromium ${browser.version()}, `
    + `${PAGES_AT_ONCE} at a time`);
  // each page's report, printed in the pages' order as soon as the pages before it are done
  const reports = new Array(pages.length);
  let printed = 0;
  const print = () => {
    for (; printed < pages.length && reports[printed]; printed += 1) {
      const { relative, failures, seconds } = reports[printed];
      if (failures.length) {
        failed += 1;
        console.log(`FAIL ${relative} (${seconds} s)`);
        for (const failure of failures) console.log(`     - ${failure}`);
      } else {
        passed += 1;
        console.log(`ok   ${relative} (${seconds} s)`);
      }
    }
  };
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < pages.length; k = next++) {
      const relative = pages[k];
      const started = Date.now();
      // a fresh context per page: no cookies, storage or cache from pages opened before,
      // as for a reader who arrives at this page first
      const context = await newContext(browser);
      const failures = await checkPage(context, base, relative, totals, phonePages.has(relative));
      await context.close();
      reports[k] = { relative, failures, seconds: ((Date.now() - started) / 1000).toFixed(1) };
      print();
    }
  };
  try {
    await Promise.all(Array.from({ length: PAGES_AT_ONCE }, worker));
  } finally {
    await browser.close();
    server.close();
  }

  const rules = (counts) => Object.entries(counts).map(([rule, n]) => `${rule} ×${n}`).join(', ') || 'none';
  console.log('');
  console.log('summary');
  console.log(`  pages checked:        ${pages.length}`);
  console.log(`  requests made:        ${totals.requests}`);
  console.log(`  requests blocked:     ${totals.blocked} (leaving the local server)`);
  console.log(`  console errors:       ${totals.consoleErrors}`);
  console.log(`  diagrams seen:        ${totals.diagrams}`);
  console.log(`  images seen:          ${totals.images}`);
  console.log(`  animations stepped:   ${totals.animations}`);
  console.log(`  framework tab sets:   ${totals.tabSets} (switched together, choice remembered)`);
  console.log(`  edition links followed: ${totals.switches}`);
  console.log(`  switches that kept the section: ${totals.anchorsKept}`);
  console.log(`  pages without sideways scroll at ${NARROW.width} px: ${totals.narrowPages}`);
  console.log(`  code blocks whose tab stop follows their scrolling: ${totals.scrollingBlocks}`);
  console.log(`  images checked for 2x pixels or SVG: ${totals.crispImages}, with a real alternative text: ${totals.alts}`);
  console.log(`  axe runs: ${totals.axeRuns.desktop} at desktop width (every page), ${totals.axeRuns.phone} at phone width `
    + `(one page of each of the ${phonePages.size} templates: ${[...phonePages].join(', ')})`);
  console.log(`  violations (serious/critical): ${totals.violations}: ${rules(totals.violationRules)}`);
  console.log(`  searches that found pages: ${totals.searches}`);
  console.log(`  findings of lower impact (not failing): ${totals.minorViolations}: ${rules(totals.minorRules)}`);
  const minor = Object.entries(totals.minorWhere).sort((a, b) => b[1].pages.size - a[1].pages.size);
  for (const [key, where] of minor.slice(0, MINOR_SHOWN)) {
    console.log(`    ${short(key, 200)} (${[...where.widths].join(', ')}), on ${where.pages.size} page(s), e.g. ${[...where.pages][0]}`);
  }
  if (minor.length > MINOR_SHOWN) console.log(`    … and ${minor.length - MINOR_SHOWN} more places`);
  if (ACCEPTED_VIOLATIONS.length) console.log(`  accepted third-party findings (see ACCEPTED_VIOLATIONS): ${totals.accepted}, of ${ACCEPTED_VIOLATIONS.map((a) => `${a.rule} at ${a.selector}`).join('; ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(error);
  process.exitCode = 2;
});
