// npm run bench:summary — executive summary latency over ~10 M events: Pulse's rollups (warm and cold, all
// tenants and one) against the same summary in plain SQL over a PostgreSQL 15 JSONB table with a
// (tenant_id, ts) index, measured in the same run. Needs the built dist (npm run build) and PostgreSQL 15
// (apt-get install -y postgresql). Data sets are kept in .bench/ (gitignored) so reruns skip the loads.
//   BENCH_EVENTS=1000000   a smaller data set (default 10,000,000; tenants scale with it, 90 days)
//   BENCH_RUNS=20          warm runs per Pulse measurement (median reported; at least 20)
//   BENCH_PG_RUNS=2        warm runs of the all-tenant PostgreSQL query (~1.5 min each at 10 M; one tenant: BENCH_RUNS)
//   BENCH_PG_FRESH=1       reload PostgreSQL even if .bench/ holds a loaded cluster
//   BENCH_SKIP_PG=1        Pulse only
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, report } from './lib/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'packages/server/dist');
const { loadConfig } = await import(join(dist, 'config/index.js'));
const { openPipeline } = await import(join(dist, 'main.js'));
const { generateEvents, estimateCount } = await import(join(dist, 'seed/index.js'));
const { loadEvents } = await import(join(dist, 'ingestion/load-events.js'));
const { EventStream } = await import(join(dist, 'ingestion/event-stream.js'));
const { DuckDbEventStore } = await import(join(dist, 'storage/duckdb/duckdb-event-store.js'));
const { createAnalytics } = await import(join(dist, 'analytics/analytics.js'));
const { DuckDbAnalyticsReads } = await import(join(dist, 'storage/duckdb/duckdb-analytics-reads.js'));

const DAY = 86_400_000;
const HOUR = 3_600_000;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Math.max(20, Number(process.env.BENCH_RUNS ?? 20));
const PG_RUNS = Math.max(1, Number(process.env.BENCH_PG_RUNS ?? 2));
const PG_BIN = '/usr/lib/postgresql/15/bin';
const generate = {
  tenants: Math.max(1, Math.round((1000 * EVENTS) / 10_000_000)),
  days: 90,
  seed: 20_260_101,
  end: new Date('2026-10-01T00:00:00Z'),
  eventsPerTenantPerDay: 110,
};
const END = generate.end.getTime();
// "Now" for the summaries: the default window (30 days up to now) then cuts through three days.
const NOW = END - 5 * HOUR - 17 * 60_000 - 23_456;
const benchDir = join(root, '.bench');
const storeDir = join(benchDir, `summary-${EVENTS}`);
const rows = [];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
async function timed(f) {
  const started = performance.now();
  const value = await f();
  return { value, ms: performance.now() - started };
}
async function warm(f, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push((await timed(f)).ms);
  return median(times);
}

// ── 1. The data set: the seed generator through the real pipeline into a DuckDB file (kept for reruns) ──
async function ensureStore() {
  const marker = join(storeDir, 'loaded.json');
  const wanted = JSON.stringify({ ...generate, end: generate.end.toISOString() });
  if (existsSync(marker)) {
    const meta = JSON.parse(readFileSync(marker, 'utf8'));
    if (JSON.stringify(meta.generate) === wanted) return { ...meta, reused: true };
  }
  rmSync(storeDir, { recursive: true, force: true });
  mkdirSync(storeDir, { recursive: true });
  const config = loadConfig({ env: { PULSE_DATA_DIR: storeDir, PULSE_LOG_LEVEL: 'warn' }, file: null });
  const expected = estimateCount(generate);
  console.error(`loading ~${fmt(expected)} events into ${storeDir} (once; later runs reuse it)…`);
  const started = performance.now();
  const { pipeline, close } = await openPipeline(config);
  let shown = 0;
  const { loaded } = await loadEvents(pipeline, generateEvents(generate), (n) => {
    if (n - shown >= 1_000_000)
      console.error(`  ${fmt((shown = n))} events, ${fmt((performance.now() - started) / 1000)} s`);
  });
  await close();
  const meta = { generate: JSON.parse(wanted), loaded, loadSeconds: (performance.now() - started) / 1000 };
  writeFileSync(marker, JSON.stringify(meta));
  return { ...meta, reused: false };
}

const data = await ensureStore();
rows.push(
  [
    'events',
    `${fmt(data.loaded)} (${fmt(generate.tenants)} tenants × ${generate.days} days, seed ${generate.seed})`,
  ],
  [
    'load (seed generator → pipeline → DuckDB)',
    `${fmt(data.loadSeconds, 1)} s, ${fmt(data.loaded / data.loadSeconds)} events/s${data.reused ? ' (earlier run; reused)' : ''}`,
  ],
);

// ── 2. Pulse: rebuild the rollups, then summaries cold (edge days not cached yet) and warm ──
const store = await DuckDbEventStore.open({ path: join(storeDir, 'pulse.duckdb') });
const stream = new EventStream((error) => console.error(error));
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const analytics = createAnalytics({
  reads: await DuckDbAnalyticsReads.open(store),
  stream,
  clock: () => NOW,
  preloadDefaultWindow: false,
});
const rebuild = await timed(() => analytics.ready());
global.gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;

const all = { tenants: 'all' };
const one = { tenants: ['acme-corp'] };
const defaultWindow = { from: NOW - 30 * DAY, to: NOW };
const aligned = { from: END - 30 * DAY, to: END };
const shifted = { from: defaultWindow.from - 2 * DAY, to: defaultWindow.to - 2 * DAY };

const coldOne = await timed(() => analytics.summarize(one, shifted)); // loads one tenant's rows of 3 days
const coldAll = await timed(() => analytics.summarize(all)); // loads 3 whole days
const pulseAll = coldAll.value;
const pulseOne = await analytics.summarize(one);
const warmAll = await warm(() => analytics.summarize(all), RUNS);
const warmOne = await warm(() => analytics.summarize(one), Math.max(RUNS, 50));
const warmAllAligned = await warm(() => analytics.summarize(all, aligned), RUNS);
const warmOneAligned = await warm(() => analytics.summarize(one, aligned), Math.max(RUNS, 50));

rows.push(
  ['Pulse rollup rebuild (startup)', `${fmt(rebuild.ms / 1000, 1)} s, ~${fmt(heapMb)} MB of heap`],
  ['Pulse all tenants, cold / warm', `${ms(coldAll.ms)} / ${ms(warmAll)} (default window, cuts 3 days)`],
  ['Pulse one tenant,  cold / warm', `${ms(coldOne.ms)} / ${ms(warmOne)}`],
  ['Pulse whole-day window, all / one', `${ms(warmAllAligned)} / ${ms(warmOneAligned)} (warm)`],
);

// ── 3. PostgreSQL 15: the same events as JSONB, the same summary in plain SQL ──
let pg = null;
let pgRows = [];
if (process.env.BENCH_SKIP_PG !== '1') {
  try {
    pg = await startPostgres();
    const load = await ensurePostgresData(pg);
    // Cold: the first run of a statement in a fresh session; warm: the median of the next ones.
    const runAll = await pg.time(summarySql(defaultWindow, null), PG_RUNS + 1);
    const runOne = await pg.time(summarySql(defaultWindow, one.tenants), RUNS + 1);
    const coldOnePg = await pg.time(summarySql(shifted, one.tenants), 1);
    const pgColdAll = { ms: runAll.times[0] };
    const pgWarmAll = median(runAll.times.slice(1));
    const pgColdOne = { ms: coldOnePg.times[0] };
    const pgWarmOne = median(runOne.times.slice(1));
    const checkAll = compare(pulseAll, JSON.parse(runAll.value));
    const checkOne = compare(pulseOne, JSON.parse(runOne.value));
    pgRows = [
      [
        'PostgreSQL load (JSONB + (tenant_id, ts) index)',
        load.reused ? `${fmt(load.seconds, 1)} s (earlier run; reused)` : `${fmt(load.seconds, 1)} s`,
      ],
      [
        'PostgreSQL all tenants, cold / warm',
        `${ms(pgColdAll.ms)} / ${ms(pgWarmAll)} (median of ${PG_RUNS})`,
      ],
      ['PostgreSQL one tenant,  cold / warm', `${ms(pgColdOne.ms)} / ${ms(pgWarmOne)}`],
      ['ratio PostgreSQL / Pulse, all (warm)', `${fmt(pgWarmAll / warmAll, 1)}×`],
      ['ratio PostgreSQL / Pulse, one (warm)', `${fmt(pgWarmOne / warmOne, 1)}×`],
      ['same figures (Pulse vs SQL)', `all tenants: ${checkAll}; one tenant: ${checkOne}`],
    ];
  } catch (error) {
    pgRows = [['PostgreSQL baseline', `failed: ${error.message.split('\n')[0]}`]];
  } finally {
    await pg?.stop();
  }
}

analytics.close();
await store.close();
report(`bench:summary — executive summary, ${fmt(data.loaded)} events`, [
  ...rows,
  ...pgRows,
  ['goal', 'all tenants < 200 ms warm, one tenant < 10 ms warm'],
]);

// ── PostgreSQL helpers ──

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL server binary as the `postgres` user when we are root (PostgreSQL refuses root). */
function asPostgres(binary, args, options = {}) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, binary), ...args]]
    : [join(PG_BIN, binary), args];
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

async function startPostgres() {
  if (!existsSync(join(PG_BIN, 'postgres')))
    throw new Error('PostgreSQL 15 is not installed (apt-get install -y postgresql)');
  const clusterDir = join(benchDir, `pg-${EVENTS}`);
  const dataDir = join(clusterDir, 'data');
  if (process.env.BENCH_PG_FRESH === '1') rmSync(clusterDir, { recursive: true, force: true });
  const socketDir = mkdtempSync(join(tmpdir(), 'pulse-bench-pg-'));
  const owned = (dir) => process.getuid?.() === 0 && chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  mkdirSync(clusterDir, { recursive: true });
  owned(clusterDir);
  owned(socketDir);
  if (!existsSync(join(dataDir, 'PG_VERSION')))
    asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c timezone=UTC',
    '-c shared_buffers=2GB',
    '-c work_mem=256MB',
    '-c maintenance_work_mem=1GB',
    '-c max_wal_size=8GB',
    '-c synchronous_commit=off',
    '-c jit=off',
  ].join(' ');
  asPostgres('pg_ctl', [
    '-D',
    dataDir,
    '-o',
    options,
    '-l',
    join(clusterDir, 'server.log'),
    '-w',
    '-t',
    '120',
    'start',
  ]);
  const stop = async () => {
    try {
      asPostgres('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(socketDir, { recursive: true, force: true });
    }
  };
  const onSignal = () => stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const psqlArgs = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-X',
    '-q',
    '-A',
    '-t',
    '-v',
    'ON_ERROR_STOP=1',
  ];
  const query = (sql) =>
    new Promise((resolve, reject) => {
      const child = spawn(join(PG_BIN, 'psql'), psqlArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(out.trim()) : reject(new Error(err || `psql exited ${code}`)),
      );
      child.stdin.end(sql);
    });
  /** Runs a statement `runs` times in one session; server round-trip times from psql's \timing, and the last output. */
  const time = async (sql, runs) => {
    const out = await query(
      `SET statement_timeout = '15min';\n\\timing on\n${Array.from({ length: runs }, () => `${sql};`).join('\n')}`,
    );
    const times = [...out.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));
    const value = out
      .split('\n')
      .filter((l) => l && !l.startsWith('Time: ') && !l.startsWith('Timing is'))
      .at(-1);
    return { times, value };
  };
  return { port, query, time, stop, dataDir };
}

function uidOf(user) {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
function gidOf(user) {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

/** The Pulse store's events, exported table by table from DuckDB as CSV and COPYed into one JSONB table. */
async function ensurePostgresData(pg) {
  const loaded = await pg.query(`SELECT to_regclass('bench_meta') IS NOT NULL`);
  if (loaded === 't') {
    const [events, seconds] = (await pg.query('SELECT events, seconds FROM bench_meta'))
      .split('|')
      .map(Number);
    if (events === data.loaded) return { reused: true, seconds };
  }
  console.error(`loading the same ${fmt(data.loaded)} events into PostgreSQL (once; later runs reuse it)…`);
  const started = performance.now();
  await pg.query(`DROP TABLE IF EXISTS events, bench_meta;
    CREATE UNLOGGED TABLE events (uuid uuid, event text, tenant_id text, ts timestamptz, ingested_at timestamptz, properties jsonb);`);
  const csvDir = mkdtempSync(join(tmpdir(), 'pulse-bench-csv-'));
  chownOpen(csvDir);
  try {
    const tables = (
      await store.readConnection.runAndReadAll(
        `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ev\\_%' ESCAPE '\\' ORDER BY 1`,
      )
    )
      .getRowsJS()
      .map((r) => String(r[0]));
    const envelope = new Set([
      'uuid',
      'event',
      'tenant_id',
      'distinct_id',
      'timestamp',
      'ingested_at',
      'properties',
    ]);
    for (const table of tables) {
      const columns = (
        await store.readConnection.runAndReadAll(
          `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
        )
      )
        .getRowsJS()
        .map((r) => String(r[0]))
        .filter((c) => !envelope.has(c));
      const props = columns.length
        ? `to_json({${columns.map((c) => `'${c}': "${c}"`).join(', ')}})`
        : `'{}'::JSON`;
      const file = join(csvDir, `${table}.csv`);
      await store.readConnection.run(
        `COPY (SELECT uuid, event, tenant_id, "timestamp", ingested_at, json_merge_patch(${props}, coalesce(properties, '{}'::JSON)) FROM "${table}") TO '${file}' (FORMAT CSV, HEADER false)`,
      );
      chownOpen(file);
      await pg.query(`COPY events FROM '${file}' (FORMAT csv)`);
      rmSync(file, { force: true });
      console.error(`  ${table} copied, ${fmt((performance.now() - started) / 1000)} s`);
    }
  } finally {
    rmSync(csvDir, { recursive: true, force: true });
  }
  await pg.query('CREATE INDEX events_tenant_ts ON events (tenant_id, ts); ANALYZE events;');
  const seconds = (performance.now() - started) / 1000;
  await pg.query(
    `CREATE TABLE bench_meta AS SELECT ${data.loaded}::bigint AS events, ${seconds}::float8 AS seconds`,
  );
  return { reused: false, seconds };
}

/** The server reads COPY files as the postgres user. */
function chownOpen(path) {
  if (process.getuid?.() === 0) chownSync(path, uidOf('postgres'), gidOf('postgres'));
}

/**
 * The summary's figures for the window and the previous one in one plain SQL statement over the JSONB table
 * (defaults as the catalog applies them: resource_id → resource_type, decision_id → uuid). The remaining
 * arithmetic (health, trends) is a handful of operations on these figures.
 */
function summarySql({ from, to }, tenants) {
  const pf = from - (to - from);
  const t = (ms) => `to_timestamp(${ms} / 1000.0)`;
  const scope = tenants
    ? `AND tenant_id IN (${tenants.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')})`
    : '';
  const num = (k) => `(p->>'${k}')::float8`;
  const ws = `E' \\t\\n\\x0B\\f\\r'`;
  return `
WITH base AS MATERIALIZED (
  SELECT event, tenant_id, ts, ingested_at, uuid, properties AS p, ts >= ${t(from)} AS cur
  FROM events
  WHERE ts >= ${t(pf)} AND ts < ${t(to)} ${scope}
    AND event IN ('revenue_impact_event', 'cost_optimization_event', 'operational_efficiency_event',
                  'strategic_decision_event', 'email_deliverability_event', 'resource_usage_event')
),
rev AS (SELECT cur, sum(${num('impact_amount')}) FILTER (WHERE p->>'impact_type' = 'positive') AS pos,
               sum(${num('impact_amount')}) FILTER (WHERE p->>'impact_type' <> 'positive') AS neg, count(*) AS n
        FROM base WHERE event = 'revenue_impact_event' GROUP BY cur),
cost AS (SELECT cur, sum(${num('savings_amount')}) FILTER (WHERE p->>'optimization_type' = 'implemented') AS realized,
                sum(${num('savings_amount')}) FILTER (WHERE p->>'optimization_type' = 'identified') AS projected
         FROM base WHERE event = 'cost_optimization_event' GROUP BY cur),
email AS (SELECT cur, sum(${num('email_count')}) AS emails, sum(${num('bounce_rate')} * ${num('email_count')}) AS bounced
          FROM base WHERE event = 'email_deliverability_event' AND p->>'bounce_rate' IS NOT NULL GROUP BY cur),
eff AS (SELECT cur, avg(score) AS score, count(*) AS n FROM (
          SELECT DISTINCT ON (cur, tenant_id, p->>'efficiency_metric') cur, ${num('efficiency_score')} AS score
          FROM base WHERE event = 'operational_efficiency_event'
          ORDER BY cur, tenant_id, p->>'efficiency_metric', ts DESC, ${num('efficiency_score')}) x GROUP BY cur),
res AS (SELECT cur, count(*) FILTER (WHERE ce IS NOT NULL) AS n, count(*) FILTER (WHERE ce) AS efficient FROM (
          SELECT DISTINCT ON (cur, tenant_id, coalesce(p->>'resource_id', p->>'resource_type')) cur, (p->>'cost_efficient')::boolean AS ce
          FROM base WHERE event = 'resource_usage_event'
          ORDER BY cur, tenant_id, coalesce(p->>'resource_id', p->>'resource_type'), ts DESC,
                   CASE (p->>'cost_efficient')::boolean WHEN true THEN 2 WHEN false THEN 1 ELSE 0 END) x GROUP BY cur),
dec AS (SELECT cur, count(DISTINCT (tenant_id, coalesce(p->>'decision_id', uuid::text))) AS n
        FROM base WHERE event = 'strategic_decision_event' GROUP BY cur),
acts AS (
  SELECT btrim(a, ${ws}) COLLATE "C" AS action, stake, ts, uuid, event, tenant_id FROM (
    SELECT ts, uuid, event, tenant_id, ${num('impact_amount')} AS stake, p->>'action_required' AS a FROM base WHERE cur AND event = 'revenue_impact_event'
    UNION ALL SELECT ts, uuid, event, tenant_id, ${num('impact_amount')}, jsonb_array_elements_text(p->'mitigation_actions') FROM base
      WHERE cur AND event = 'revenue_impact_event' AND jsonb_typeof(p->'mitigation_actions') = 'array'
    UNION ALL SELECT ts, uuid, event, tenant_id, ${num('savings_amount')}, jsonb_array_elements_text(p->'required_actions') FROM base
      WHERE cur AND event = 'cost_optimization_event' AND p->>'optimization_type' = 'identified' AND jsonb_typeof(p->'required_actions') = 'array'
    UNION ALL SELECT ts, uuid, event, tenant_id, abs(coalesce(${num('cost_impact')}, 0)), jsonb_array_elements_text(p->'recommendations') FROM base
      WHERE cur AND event = 'operational_efficiency_event' AND jsonb_typeof(p->'recommendations') = 'array'
    UNION ALL SELECT ts, uuid, event, tenant_id, abs(coalesce(${num('cost_impact')}, 0)), jsonb_array_elements_text(p->'actions_required') FROM base
      WHERE cur AND event = 'email_deliverability_event' AND jsonb_typeof(p->'actions_required') = 'array'
    UNION ALL SELECT ts, uuid, event, tenant_id, coalesce(${num('total_cost')}, 0), jsonb_array_elements_text(p->'optimization_opportunities') FROM base
      WHERE cur AND event = 'resource_usage_event' AND jsonb_typeof(p->'optimization_opportunities') = 'array'
  ) x WHERE a IS NOT NULL AND btrim(a, ${ws}) <> ''),
best AS (SELECT DISTINCT ON (action) action, coalesce(stake, 0) AS stake, event, tenant_id, uuid
         FROM acts ORDER BY action, coalesce(stake, 0) DESC, ts DESC, uuid::text DESC),
top AS (SELECT * FROM best ORDER BY stake DESC, action LIMIT 5),
late AS (SELECT max(ingested_at) AS at FROM base WHERE ingested_at > date_trunc('day', ts, 'UTC') + interval '1 day 1 hour')
SELECT json_build_object(
  'revenue', (SELECT json_object_agg(cur, json_build_object('pos', coalesce(pos, 0), 'neg', coalesce(neg, 0), 'n', n)) FROM rev),
  'cost', (SELECT json_object_agg(cur, json_build_object('realized', coalesce(realized, 0), 'projected', coalesce(projected, 0))) FROM cost),
  'email', (SELECT json_object_agg(cur, json_build_object('emails', emails, 'bounced', bounced)) FROM email),
  'efficiency', (SELECT json_object_agg(cur, json_build_object('score', score, 'n', n)) FROM eff),
  'resources', (SELECT json_object_agg(cur, json_build_object('n', n, 'efficient', efficient)) FROM res),
  'decisions', (SELECT json_object_agg(cur, n) FROM dec),
  'actions', (SELECT json_agg(json_build_object('action', action, 'stake', stake, 'uuid', uuid) ORDER BY stake DESC, action) FROM top),
  'late', (SELECT extract(epoch FROM at) * 1000 FROM late)
)`;
}

/** Pulse's figures against the SQL ones: "yes", or what differs. */
function compare(summary, sql) {
  const close = (a, b) => Math.abs(a - b) <= Math.max(1e-6, Math.abs(b) * 1e-9);
  const k = summary.keyMetrics;
  const h = summary.healthComponents;
  const cur = (section) => sql[section]?.true ?? {};
  const checks = {
    positive: [k.positiveRevenueImpact, cur('revenue').pos ?? 0],
    negative: [k.negativeRevenueImpact, cur('revenue').neg ?? 0],
    realized: [k.costOptimizationSavings, cur('cost').realized ?? 0],
    projected: [k.projectedSavings, cur('cost').projected ?? 0],
    efficiency: [k.operationalEfficiencyScore ?? 0, cur('efficiency').score ?? 0],
    decisions: [k.strategicDecisionsTracked, sql.decisions?.true ?? 0],
    emails: [h.deliverability.inputs.emails, cur('email').emails ?? 0],
    resources: [h.resources.inputs.resources, cur('resources').n ?? 0],
    costEfficient: [h.resources.inputs.costEfficient, cur('resources').efficient ?? 0],
    previousRevenue: [
      summary.trendAnalysis.revenue.previous,
      (sql.revenue?.false?.pos ?? 0) - (sql.revenue?.false?.neg ?? 0),
    ],
  };
  const wrong = Object.entries(checks)
    .filter(([, [a, b]]) => !close(a, b))
    .map(([name, [a, b]]) => `${name} ${a} ≠ ${b}`);
  const actions = summary.recommendedActions.map((a) => `${a.action}|${a.sourceEventUuid}`).join(', ');
  const sqlActions = (sql.actions ?? []).map((a) => `${a.action}|${a.uuid}`).join(', ');
  if (actions !== sqlActions) wrong.push(`actions differ`);
  return wrong.length ? `NO (${wrong.join('; ')})` : 'yes';
}
