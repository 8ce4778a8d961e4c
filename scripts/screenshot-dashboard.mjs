#!/usr/bin/env node
// Regenerates docs/dashboard.png: starts `pulse serve --demo` (the built CLI) in a temp dir, signs in as an
// executive in headless Chromium, and photographs the overview at 1440×900 in the light theme, and again at a
// phone's 390×844 (docs/dashboard-phone.png, --phone-out). It also
// measures first paint with data (navigation start → the summary rendered, a performance mark the
// dashboard sets) and the bundle's raw/gzip/brotli sizes, and prints both as JSON.
//
//   npm run build && node scripts/screenshot-dashboard.mjs [--out docs/dashboard.png] [--runs 5]
//
// With --store DIR it serves an existing data dir instead of the demo (e.g. a 10M-event store built by
// `npm run bench:summary`; DIR is used in place, so pass a copy), signs in as a user it creates, and
// only measures (no screenshot unless --out is given); --path opens another page or window, e.g.
// --path '/?range=custom&from=2026-09-01&to=2026-10-01'.
/* global document, location */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'docs/dashboard.png') },
    'phone-out': { type: 'string', default: join(root, 'docs/dashboard-phone.png') },
    runs: { type: 'string', default: '5' },
    store: { type: 'string' },
    // e.g. '/?range=custom&from=2026-09-01&to=2026-10-01' for a store whose data ended a while ago
    path: { type: 'string', default: '/' },
  },
});
const ADMIN_KEY = 'screenshot-admin-key-0123456789abcdef';

function startDemo(dataDir, demo) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'packages/server/bin/pulse.js'),
      'serve',
      ...(demo ? ['--demo'] : []),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: dataDir,
      env: { ...process.env, PULSE_ADMIN_KEY: ADMIN_KEY, PULSE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pulse serve --demo did not start:\n${output}`)),
      180_000,
    );
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"Pulse is listening"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`pulse serve exited with ${code}:\n${output}`)));
  });
}

/** Measures a warm server: the server listens before its summaries and alert rules are built (/readyz). */
async function untilReady(url) {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/readyz did not answer 200 within 5 minutes`);
}

function bundleSizes() {
  const dir = join(root, 'packages/dashboard/dist');
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|css|html)$/.test(name)) files.push(path);
    }
  };
  walk(dir);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  const perFile = files.map((path) => {
    const data = readFileSync(path);
    const size = {
      file: path.slice(dir.length + 1),
      raw: data.length,
      gzip: gzipSync(data, { level: 9 }).length,
      brotli: brotliCompressSync(data).length,
    };
    total.raw += size.raw;
    total.gzip += size.gzip;
    total.brotli += size.brotli;
    return size;
  });
  return { files: perFile, total };
}

const dataDir = values.store ?? mkdtempSync(join(tmpdir(), 'pulse-screenshot-'));
const { url, child } = await startDemo(dataDir, !values.store);
await untilReady(url);
const shoot = !values.store || process.argv.includes('--out');
let browser;
try {
  // The demo's own executive sign-in, as a newcomer would use it (written by `serve --demo`); on another
  // store, a fresh executive created with the admin key.
  const [EMAIL, PASSWORD] = values.store
    ? [`first-paint-${Date.now()}@pulse.bench`, `measure-${Math.random()}`]
    : readFileSync(join(dataDir, 'demo-login.txt'), 'utf8').split('\n');
  if (values.store) {
    const created = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD, role: 'executive' }),
    });
    if (created.status !== 201) throw new Error(`POST /api/users: ${created.status} ${await created.text()}`);
  }

  const counted = await fetch(`${url}/api/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: 'SELECT count(*) FROM events' }),
  });
  const storeEvents = Number((await counted.json()).rows?.[0]?.[0]);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  await page.goto(`${url}${values.path}`);
  await page.fill('input[name=email]', EMAIL);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=health-score]');

  // First paint with data: fresh loads with the session cookie, navigation start → summary rendered.
  const timings = [];
  let waterfall = [];
  for (let i = 0; i < Number(values.runs); i++) {
    await page.reload();
    await page.waitForFunction(
      () => performance.getEntriesByName('pulse:summary-rendered').length > 0,
      null,
      { timeout: 30_000 },
    );
    timings.push(
      await page.evaluate(() =>
        Math.round(performance.getEntriesByName('pulse:summary-rendered')[0].startTime),
      ),
    );
    if (i === 0)
      waterfall = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map(
            (e) =>
              `${e.name.replace(location.origin, '')} ${Math.round(e.startTime)}→${Math.round(e.responseEnd)} ms`,
          ),
      );
  }
  await page.waitForSelector('.uplot');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=live-status]')?.textContent?.includes('Live'),
  );
  await page.waitForTimeout(500); // charts settle after their ResizeObserver pass
  if (shoot) {
    await page.screenshot({ path: values.out, fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500); // the charts redraw for the new width
    await page.screenshot({ path: values['phone-out'], fullPage: false });
  }
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        screenshot: shoot ? values.out : null,
        phoneScreenshot: shoot ? values['phone-out'] : null,
        storeEvents,
        firstPaintWithDataMs: { runs: timings, median: sorted[Math.floor(sorted.length / 2)], waterfall },
        bundle: bundleSizes(),
      },
      null,
      2,
    ),
  );
} finally {
  await browser?.close();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  if (!values.store) rmSync(dataDir, { recursive: true, force: true });
}
