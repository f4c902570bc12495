// The whole journey on one machine: the page sends a record to the
// submission service (tulorekisteri-shim serve), which signs it and sends it
// to the simulated Register; the page follows the events until every report
// is `stored`, and the simulator, the referee, holds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIST, REFERENCE, SHIM, need, openSite, serve } from './harness.mjs';
import { BUSINESS_ID, wageRecord } from './records.mjs';

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitForPort(port, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const open = await new Promise((ok) => {
      const c = connect(port, '127.0.0.1', () => { c.end(); ok(true); }).on('error', () => ok(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `serve` prints "listening on http://ADDR" first. */
function listening(child) {
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const m = line.match(/^listening on (http:\/\/\S+)/);
      m ? ok(m[1]) : fail(new Error(`serve said ${line}`));
    });
    child.once('exit', (code) => fail(new Error(`serve ended with ${code}`)));
  });
}

test('a record sent from the page becomes stored, report by report', { timeout: 120_000 }, async (t) => {
  if (!need(t, existsSync(SHIM), `the shim (${SHIM}; cargo build --release -p tulorekisteri-shim)`)) return;
  if (!need(t, existsSync(join(REFERENCE, 'samples')), `the official samples (${REFERENCE})`)) return;
  const dir = mkdtempSync(join(tmpdir(), 'tulorekisteri-www-send-'));
  const children = [];
  t.after(async () => {
    // Both write into dir until they have stopped.
    await Promise.all(children.map((c) => new Promise((done) => {
      if (c.exitCode !== null || c.signalCode !== null) return done();
      c.once('exit', done);
      c.kill('SIGTERM');
    })));
    rmSync(dir, { recursive: true, force: true });
  });
  const site = await serve(DIST);
  t.after(() => site.close());
  const origin = site.url.replace(/\/$/, '');
  const [registerPort, apiPort] = [await freePort(), await freePort()];
  const sim = join(dir, 'sim');
  execFileSync(SHIM, ['simulator', 'init', sim, '--listen', `127.0.0.1:${registerPort}`,
    '--api-listen', `127.0.0.1:${apiPort}`, '--business-id', BUSINESS_ID], { stdio: 'pipe' });
  const config = join(sim, 'shim.toml');
  const text = readFileSync(config, 'utf8');
  assert.match(text, /^\[service\]$/m);
  writeFileSync(config, text.replace(/^\[service\]$/m, `[service]\nallowed_origins = ["${origin}"]`));
  const token = readFileSync(join(sim, 'api-token'), 'utf8').trim();

  const register = spawn(SHIM, ['simulator', 'serve', sim], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(register);
  await waitForPort(registerPort);
  const service = spawn(SHIM, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(service);
  const api = await listening(service);

  const s = await openSite(t, { server: site });
  if (!s) return;
  const { page } = s;
  try {
    await page.click('#tab-settings');
    await page.fill('#shim-url', api);
    await page.fill('#shim-token', token);
    await page.click('#tab-validate');
    const xml = wageRecord({ deliveryId: `www-send-${Date.now()}`, count: 3, prefix: 'www' });
    await page.setInputFiles('#file-input', { name: 'record.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
    await page.waitForSelector('#send:not([disabled])', { timeout: 30_000 });
    await page.click('#send');
    await page.waitForFunction(
      () => {
        const states = [...document.querySelectorAll('table.sent-reports tr[data-report-id] td.state')].map((c) => c.textContent.trim());
        return states.length === 3 && states.every((s) => s === 'stored');
      },
      null,
      { timeout: 60_000 },
    );
    const ids = await page.$$eval('table.sent-reports tr[data-report-id]', (rows) => rows.map((r) => r.dataset.reportId).sort());
    assert.deepEqual(ids, ['www-1', 'www-2', 'www-3']);
    // The referee: the simulated Register holds the three reports.
    const state = JSON.parse(execFileSync(SHIM, ['simulator', 'state', sim], { encoding: 'utf8' }));
    const held = JSON.stringify(state);
    for (const id of ids) assert.ok(held.includes(`"${id}"`), `the simulator holds ${id}`);
  } finally {
    await s.close();
  }
});
