// npm run bench:alert-load — how many alerts the default rules raise on the generated data sets: the demo
// (`npm start`: 5 tenants, 90 days) and `pulse seed` at its defaults (5 tenants, 30 days), each loaded into
// Pulse as `pulse serve` composes it (startServer from the BUILT dist) with the engine evaluating every event.
// Reports, per tenant, by severity and by rule: alerts raised (opened, including those resolved since), those
// still open (the first screen), and both per tenant per week of data. Numbers only, no pass/fail: the
// demo's bound is a test (packages/server/test/alert-load.test.ts). `--json` prints the tallies as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report } from './lib/report.mjs';

const dist = new URL('../packages/server/dist/', import.meta.url);
const { pino } = await import('pino');
const { loadConfig } = await import(new URL('config/index.js', dist));
const { startServer } = await import(new URL('main.js', dist));
const { generateEvents } = await import(new URL('seed/index.js', dist));
const { loadEvents } = await import(new URL('ingestion/load-events.js', dist));

const severities = ['critical', 'high', 'medium'];
const json = process.argv.includes('--json');

/** Starts Pulse on a fresh data dir, loads a data set into it, and returns every alert it raised. */
async function alertsOf({ demo, seed }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulse-bench-alert-load-'));
  const config = loadConfig({
    env: {
      PULSE_DATA_DIR: dataDir,
      PULSE_HOST: '127.0.0.1',
      PULSE_PORT: '0',
      PULSE_DEMO: String(demo),
      PULSE_DIGEST_CRON: 'off',
      PULSE_RETENTION_CRON: 'off',
    },
    file: null,
  });
  const server = await startServer(config, pino({ level: 'error' }));
  try {
    // `pulse seed`'s events, through the ingest pipeline and the engine as the demo's go.
    if (seed) await loadEvents(server.pipeline, generateEvents(seed));
    await server.pipeline.drain();
    await server.alerts.tick(); // the timer's first run: overdue reviews, closed windows
    await server.alerts.flush();
    return await server.storage.alerts.listAlerts({ limit: 1_000_000 });
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function tally(alerts, days) {
  const weeks = days / 7;
  const tenants = [...new Set(alerts.map((a) => a.tenantId))].sort();
  const count = (list, severity) => list.filter((a) => a.severity === severity).length;
  const open = (list) => list.filter((a) => a.state !== 'resolved');
  const perTenant = Object.fromEntries(
    tenants.map((t) => {
      const mine = alerts.filter((a) => a.tenantId === t);
      const row = { raised: mine.length, open: open(mine).length };
      for (const s of severities) row[s] = { raised: count(mine, s), open: count(open(mine), s) };
      return [t, row];
    }),
  );
  const rules = [...new Set(alerts.map((a) => a.ruleId))].sort();
  const perRule = Object.fromEntries(
    rules.map((r) => {
      const mine = alerts.filter((a) => a.ruleId === r);
      return [r, { severity: mine[0].severity, raised: mine.length, open: open(mine).length }];
    }),
  );
  const urgent = alerts.filter((a) => a.severity !== 'medium');
  return {
    days,
    weeks,
    tenants: tenants.length,
    raised: alerts.length,
    open: open(alerts).length,
    criticalOrHigh: { raised: urgent.length, open: open(urgent).length },
    perTenantPerWeek: {
      raised: alerts.length / Math.max(1, tenants.length) / weeks,
      open: open(alerts).length / Math.max(1, tenants.length) / weeks,
    },
    perTenant,
    perRule,
  };
}

function print(title, t) {
  const perWeek = (n) => fmt(n / t.weeks, 1);
  report(`${title}: ${t.tenants} tenants, ${t.days} days (${fmt(t.weeks, 1)} weeks)`, [
    ['alerts raised / open', `${t.raised} / ${t.open}`],
    ['critical+high raised / open', `${t.criticalOrHigh.raised} / ${t.criticalOrHigh.open}`],
    [
      'per tenant per week raised / open',
      `${fmt(t.perTenantPerWeek.raised, 2)} / ${fmt(t.perTenantPerWeek.open, 2)}`,
    ],
  ]);
  report(`${title}: per tenant — raised (open), per week raised`, [
    ['tenant', `${severities.map((s) => s.padStart(14)).join('')}${'all/week'.padStart(10)}`],
    ...Object.entries(t.perTenant).map(([tenant, row]) => [
      tenant,
      `${severities.map((s) => `${row[s].raised} (${row[s].open})`.padStart(14)).join('')}${perWeek(row.raised).padStart(10)}`,
    ]),
  ]);
  report(`${title}: per rule — raised (open), per tenant per week raised`, [
    ...Object.entries(t.perRule).map(([rule, row]) => [
      `${rule} [${row.severity}]`,
      `${`${row.raised} (${row.open})`.padStart(12)}${fmt(row.raised / Math.max(1, t.tenants) / t.weeks, 2).padStart(8)}`,
    ]),
  ]);
}

// The same sets `npm start` (main.ts loadDemo) and `pulse seed` (cli/commands/seed.ts defaults) produce.
const demoDays = 90;
const seedDays = 30;
const results = {
  demo: tally(await alertsOf({ demo: true }), demoDays),
  seed: tally(await alertsOf({ demo: false, seed: { tenants: 5, days: seedDays, seed: 1 } }), seedDays),
};
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else {
  print('demo (npm start)', results.demo);
  print('pulse seed (defaults)', results.seed);
}
