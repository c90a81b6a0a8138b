// Where the browser checks find Chromium, and what they do without it. No npm
// package is needed here: tests/browser/ensure_browser.sh asks this module
// (`node chromium.mjs` prints the path, or exits 1) before `npm ci`.

import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

// Debian's and Ubuntu's packages, then Chrome and Chromium as Linux and macOS install them
export const CANDIDATES = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium',
  '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  path.join(os.homedir(), 'Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
  path.join(os.homedir(), 'Applications/Chromium.app/Contents/MacOS/Chromium'),
];

export const INSTALL = 'Debian/Ubuntu: sudo apt-get install chromium (or sudo bash tests/browser/ensure_browser.sh); '
  + 'macOS: brew install --cask google-chrome; or name one in CHROMIUM_PATH';

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to drive: $CHROMIUM_PATH when it is set (and then only it), else the first of CANDIDATES there; null if none. */
export function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CANDIDATES.find(isExecutable) ?? null;
}

/** Whether this is CI's run (CI set, and not to 0 or false): nothing may be skipped there. */
export function inCI(env = process.env) {
  const value = (env.CI || '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/**
 * Chromium's path for the check named `check`. Without one the process ends,
 * saying in one line what is missing and how to install it: skipped (exit 0)
 * outside CI, failed (exit 1) with CI=true.
 */
export function chromiumOrExit(check) {
  const found = findChromium();
  if (found) return found;
  const what = process.env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable`
    : 'no Chromium or Chrome where Linux and macOS install them';
  if (inCI()) {
    console.error(`${check}: FAILED: ${what} (CI=true: required); install it with ${INSTALL}`);
    process.exit(1);
  }
  console.log(`${check}: SKIPPED: ${what}; install it with ${INSTALL}`);
  process.exit(0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const found = findChromium();
  if (found) console.log(found);
  process.exitCode = found ? 0 : 1;
}
