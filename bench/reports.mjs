// npm run bench:reports — time to render one scheduled report (every section; HTML with its chart images, then
// the PDF through Chromium) for a recipient who sees 1 tenant and for one who sees 1,000, over seeded data on a
// real server. Needs the built dist (npm run build) and Debian's chromium.
//   BENCH_TENANTS=1000   tenants in the data set (default 1,000)
//   BENCH_RUNS=5         warm renders per measurement (median reported)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { fmt, report } from './lib/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'packages/server/dist');
const { loadConfig } = await import(join(dist, 'config/index.js'));
const { startServer } = await import(join(dist, 'main.js'));
const { generateEvents, describeTenants, estimateCount } = await import(join(dist, 'seed/index.js'));
const { loadEvents } = await import(join(dist, 'ingestion/load-events.js'));

const TENANTS = Number(process.env.BENCH_TENANTS ?? 1000);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const generate = { tenants: TENANTS, days: 35, seed: 7, eventsPerTenantPerDay: 10 };

const dir = mkdtempSync(join(tmpdir(), 'pulse-bench-reports-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${fmt(n, n < 100 ? 1 : 0)} ms`;

const config = loadConfig({
  env: { PULSE_DATA_DIR: dir, PULSE_HOST: '127.0.0.1', PULSE_PORT: '0', PULSE_DIGEST_CRON: 'off' },
  file: null,
});
const server = await startServer(config, pino({ level: 'warn' }));
try {
  console.error(`loading ~${fmt(estimateCount(generate))} events for ${fmt(TENANTS)} tenants…`);
  const { loaded } = await loadEvents(server.pipeline, generateEvents(generate));
  const now = Date.now();
  const tenants = describeTenants(generate);
  await server.storage.subscriptions.upsert(
    tenants.map((t) => ({
      tenantId: t.id,
      status: 'active',
      planName: t.plan,
      priceMonthly: t.priceMonthly,
      currentPeriodStart: now - 15 * 86_400_000,
      currentPeriodEnd: now + 15 * 86_400_000,
      updatedAt: now,
    })),
  );
  const api = async (path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const password = 'a long enough password 1';
  await api('/api/users', {
    email: 'one@bench.test',
    password,
    role: 'tenant_executive',
    tenants: [tenants[0].id],
  });
  await api('/api/users', { email: 'all@bench.test', password, role: 'executive', tenants: 'all' });
  const schedule = await (
    await api('/api/report-schedules', {
      name: 'Weekly executive report',
      cron: '0 8 * * MON',
      timezone: 'Europe/Berlin',
      recipients: ['one@bench.test', 'all@bench.test'],
    })
  ).json();

  async function render(as, format) {
    const started = performance.now();
    const res = await api(`/api/report-schedules/${schedule.id}/preview?as=${as}&format=${format}`);
    const bytes = (await res.arrayBuffer()).byteLength;
    return { ms: performance.now() - started, bytes };
  }
  const rows = [['events', fmt(loaded)]];
  for (const [label, as] of [
    ['1 tenant', 'one@bench.test'],
    [`${fmt(TENANTS)} tenants`, 'all@bench.test'],
  ]) {
    for (const format of ['html', 'pdf']) {
      const first = await render(as, format);
      const warm = [];
      for (let i = 0; i < RUNS; i++) warm.push((await render(as, format)).ms);
      rows.push([
        `${label}, ${format.toUpperCase()}`,
        `${ms(median(warm))} median of ${RUNS} (first ${ms(first.ms)}), ${fmt(first.bytes / 1024)} KiB`,
      ]);
    }
  }
  report(`Rendering one report (${fmt(TENANTS)}-tenant data set, 35 days)`, rows);
} finally {
  await server.reportSchedules.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
