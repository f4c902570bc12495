// What every browser test shares: the built page (dist/) served on
// 127.0.0.1 by a plain static server, Debian's Chromium driven by
// playwright-core, the repository's paths, and the CI-strict skip.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WWW = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(WWW, '..');
export const DIST = join(WWW, 'dist');
export const DIST_BENCH = join(WWW, 'dist-bench');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const REFERENCE = resolve(ROOT, '..', 'shared', 'reference', 'ir');
export const OUTPUT = join(WWW, 'test-output');
export const SCREENSHOTS = join(ROOT, 'docs', 'images');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CLI = join(ROOT, 'target', 'release', 'tulorekisteri');
export const SHIM = join(ROOT, 'target', 'release', 'tulorekisteri-shim');

/** The median of some numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How many `tulorekisteri:validated` events the page has sent so far. */
export function validationCount(page) {
  return page.evaluate(() => window.__validations.length);
}

/**
 * The detail of the first `tulorekisteri:validated` event after the
 * first `after` ones for which `accept` (source of a function of `d`) holds.
 */
export async function waitForValidation(page, after, accept = 'true', timeout = 30_000) {
  const handle = await page.waitForFunction(
    ([after, accept]) => window.__validations.slice(after).find(new Function('d', `return (${accept});`)),
    [after, accept],
    { timeout },
  );
  return handle.jsonValue();
}

/** Skips the test (`t.skip`) when `what` is missing, except in CI, where it fails. */
export function need(t, ok, what) {
  if (ok) return true;
  if (process.env.CI) throw new Error(`${what} is missing; CI runs every test`);
  t.skip(`${what} is missing`);
  return false;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.xsd': 'application/xml',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `dir` (and, under /extra/NAME/, the folders of `extra`) on
 * 127.0.0.1 at a free port; resolves to { url, close }.
 */
export function serve(dir = DIST, extra = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let base = dir;
    let rel = path;
    const m = path.match(/^\/extra\/([^/]+)(\/.*)$/);
    if (m && extra[m[1]]) [base, rel] = [extra[m[1]], m[2]];
    let file = normalize(join(base, rel));
    if (!file.startsWith(base)) return res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({ url: `http://127.0.0.1:${server.address().port}/`, port: server.address().port, close: () => server.close() }),
    ),
  );
}

/**
 * Headless Chromium with no background traffic (this machine's network is
 * closed); playwright-core gives each launch a fresh, empty profile.
 */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A page of the built site: skips (or fails in CI) when Chromium or dist/
 * is missing; page errors fail the test. Resolves to { browser, page,
 * server, errors } or undefined when skipped; call `close()` after.
 */
export async function openSite(t, { path = '', dist = DIST, extra = {}, server, viewport = { width: 1280, height: 900 }, acceptDownloads = true, beforeLoad } = {}) {
  if (!need(t, existsSync(CHROMIUM), `Chromium (${CHROMIUM}; apt install chromium)`)) return undefined;
  if (!need(t, existsSync(join(dist, path || 'index.html')), `the built page (${dist}; bash scripts/www.sh build)`)) return undefined;
  server ??= await serve(dist, extra);
  const browser = await launch();
  const context = await browser.newContext({ viewport, acceptDownloads });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // Every validation the page reports, for the tests to wait on and measure.
  await context.addInitScript(() => {
    window.__validations = [];
    document.addEventListener('tulorekisteri:validated', (e) => window.__validations.push(e.detail));
  });
  if (beforeLoad) await context.addInitScript(beforeLoad.script, beforeLoad.arg);
  await page.goto(server.url + path);
  const close = async () => {
    await browser.close();
    server.close();
    if (errors.length) throw new Error(`the page threw: ${errors.map((e) => e.stack ?? e).join('\n')}`);
  };
  return { browser, context, page, server, errors, close };
}
