// What the browser checks (check_site.mjs, check_search.mjs, check_solutions.mjs)
// share: the local server for the built site, the Chromium they drive, and the
// editions the build wrote beside the site.

import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

import { chromiumOrExit, findChromium } from './chromium.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

// Chromium: $CHROMIUM_PATH, or Debian's, Chrome or Chromium where Linux and
// macOS install them (chromium.mjs); null when there is none, and then each
// check calls chromiumOrExit, which skips it (fails it with CI=true)
export const CHROMIUM = findChromium();
export { chromiumOrExit };

// headless, no sandbox (containers), and nothing that reaches out on its own
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // no host name resolves except the local server's: even a request that slipped
  // past a check's interception (a preconnect, a DNS prefetch) goes nowhere
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

// the content type of each file the site holds, by extension (lower case)
export const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.otf': 'font/otf', '.eot': 'application/vnd.ms-fontobject',
  '.txt': 'text/plain; charset=utf-8', '.ipynb': 'application/json', '.md': 'text/markdown; charset=utf-8',
  '.map': 'application/json', '.inv': 'application/octet-stream',
};

/**
 * The file of `root` a request names, or null once it has been answered: a
 * malformed URL 400, a path outside `root` 403, a missing file 404; a folder
 * names its index.html. Shared by `serve` and the benchmark's gzip server.
 */
export function requestedFile(root, request, response) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
  } catch {
    response.writeHead(400).end();
    return null;
  }
  let file = path.join(root, pathname);
  if (file !== root && !file.startsWith(root + path.sep)) {
    response.writeHead(403).end();
    return null;
  }
  if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
    return null;
  }
  return file;
}

/**
 * Serve `root` (an absolute path) on 127.0.0.1 at an ephemeral port; resolves to
 * the server (requests resolved by `requestedFile`); nothing is cached.
 */
export function serve(root) {
  const server = http.createServer((request, response) => {
    const file = requestedFile(root, request, response);
    if (file === null) return;
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Launch headless Chromium (CHROMIUM with CHROMIUM_ARGS); resolves to the browser. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** The manifest the build writes beside the site: SITE/../editions.json. */
export function editionsManifest(site) {
  return path.join(path.dirname(site), 'editions.json');
}

/** The editions (e.g. ['ko', 'en']) listed in the site's manifest, or null if there is none. */
export function readEditions(site) {
  const manifest = editionsManifest(site);
  if (!existsSync(manifest)) return null;
  return JSON.parse(readFileSync(manifest, 'utf8')).editions;
}
