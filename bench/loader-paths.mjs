// node bench/loader-paths.mjs — the ingest-log loader's bulk path, measured in isolation (ADR 0002): the same
// mixed events into the real per-type tables, one transaction per load with the log position, by
// (a) NDJSON lines (rows.ts, what the log holds) staged and loaded with read_json, the encode included, and
// (b) data chunks of typed column vectors built straight from the events and appended to each table
// (bench/lib/column-chunks.mjs). One DuckDB thread, as the server runs. Both stores are compared row
// for row at the end. Build first. BENCH_SIZES=10000,50000,100000 (rows per load), BENCH_ROUNDS=3.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateEvents } from '../packages/server/dist/seed/index.js';
import { DuckDbEventStore } from '../packages/server/dist/storage/duckdb/duckdb-event-store.js';
import {
  allTables,
  eventTables,
  genericTable,
  quote,
} from '../packages/server/dist/storage/duckdb/schema.js';
import { tableKeyOf } from '../packages/server/dist/storage/duckdb/rows.js';
import { sectionOf } from '../packages/server/dist/ingestion/log-record.js';
import { loadChunks, split } from './lib/column-chunks.mjs';
import { fmt, report } from './lib/report.mjs';

const sizes = (process.env.BENCH_SIZES ?? '10000,50000,100000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const total = sizes.reduce((n, s) => n + s * ROUNDS, 0) + 2000;
const events = [];
for (const e of generateEvents({ tenants: 2000, days: 30, seed: 3, includeGeneric: true })) {
  events.push(e);
  if (events.length >= total) break;
}

const columnsOf = new Map(allTables.map((t) => [t.table, t.columns]));
const tableOf = (e) => {
  const key = tableKeyOf(e);
  return key === 'generic' ? genericTable.table : eventTables[key].table;
};

const mainThreadSeconds = () => {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

async function fresh(dir, name) {
  const store = await DuckDbEventStore.open({ path: join(dir, `${name}.duckdb`), threads: 1 });
  return { store, sink: await store.logSink(), connection: await store.connect() };
}

/**
 * One load of `batch` as the loader does it; `chunks` picks the column path. Returns the CPU µs the NDJSON
 * encode took (what the request path pays for the log today), 0 for the column path.
 */
async function load({ sink, connection }, batch, position, chunks) {
  const encode0 = process.cpuUsage();
  const at = Date.now();
  const byTable = new Map();
  for (const e of batch) {
    const table = tableOf(e);
    const entry = byTable.get(table) ?? byTable.set(table, { rows: [], events: [] }).get(table);
    if (chunks) entry.events.push(e);
    else entry.rows.push(sink.encode(e, at).row);
  }
  if (chunks) {
    const tables = [...byTable].map(([table, { events }]) => ({
      table,
      columns: columnsOf.get(table),
      segments: [{ ingestedAt: at, events }],
    }));
    await loadChunks(connection, tables, position);
    return 0;
  }
  const tables = [...byTable].map(([table, { rows }]) => ({
    table,
    rows: rows.length,
    parts: [sectionOf(table, rows).bytes],
  }));
  const encode = process.cpuUsage(encode0);
  await sink.load({ tables, quarantine: [] }, position);
  return encode.user + encode.system;
}

const dir = mkdtempSync(join(tmpdir(), 'pulse-loader-bench-'));
const rows = [];
try {
  const arms = { read_json: await fresh(dir, 'read_json'), chunks: await fresh(dir, 'chunks') };
  let position = 0;
  for (const arm of Object.values(arms)) await load(arm, events.slice(0, 2000), 1, arm === arms.chunks);
  split.fill = split.append = 0;
  let cursor = 2000;
  for (const size of sizes)
    for (let round = 0; round < ROUNDS; round++) {
      const batch = events.slice(cursor, (cursor += size));
      position++;
      // Arms alternate within a round, so both see the same machine.
      for (const [name, arm] of Object.entries(arms)) {
        const cpu0 = process.cpuUsage();
        const main0 = mainThreadSeconds();
        const t0 = performance.now();
        const encode = await load(arm, batch, position, name === 'chunks');
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        rows.push({
          name,
          size,
          cpu: (cpu.user + cpu.system) / size,
          main: ((mainThreadSeconds() - main0) * 1e6) / size,
          wall: (wall * 1000) / size,
          encode: encode / size,
        });
      }
    }
  for (const arm of Object.values(arms)) {
    arm.connection.closeSync();
    arm.sink.close();
    await arm.store.close();
  }
  const bytes = Object.fromEntries(
    Object.keys(arms).map((name) => [name, statSync(join(dir, `${name}.duckdb`)).size]),
  );

  // Same rows in both stores, every column.
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`ATTACH '${join(dir, 'read_json.duckdb')}' AS a (READ_ONLY)`);
  await db.run(`ATTACH '${join(dir, 'chunks.duckdb')}' AS b (READ_ONLY)`);
  let differing = 0;
  for (const t of allTables) {
    const q = quote(t.table);
    const diff = await db.runAndReadAll(
      `SELECT count(*) AS n FROM ((SELECT * EXCLUDE (ingested_at) FROM a.${q} EXCEPT ALL SELECT * EXCLUDE (ingested_at) FROM b.${q}) UNION ALL (SELECT * EXCLUDE (ingested_at) FROM b.${q} EXCEPT ALL SELECT * EXCLUDE (ingested_at) FROM a.${q}))`,
    );
    differing += Number(diff.getRowObjectsJS()[0].n);
  }
  db.closeSync();

  const median = (list) => [...list].sort((x, y) => x - y)[Math.floor((list.length - 1) / 2)];
  const minMedian = (list) => `${fmt(Math.min(...list), 1)} / ${fmt(median(list), 1)}`;
  report(`loader bulk paths — µs per row (min / median of ${ROUNDS}), one DuckDB thread, mixed events`, [
    ...sizes.flatMap((size) =>
      Object.keys(arms).map((name) => {
        const list = rows.filter((r) => r.size === size && r.name === name);
        return [
          `${fmt(size)} rows per load, ${name}`,
          `CPU all threads ${minMedian(list.map((r) => r.cpu))}, of which main thread ${minMedian(list.map((r) => r.main))}${name === 'read_json' ? ` (NDJSON encode ${minMedian(list.map((r) => r.encode))})` : ''}, wall ${minMedian(list.map((r) => r.wall))}`,
        ];
      }),
    ),
    [
      'chunks, synchronous on the calling thread',
      `CPU filling vectors ${fmt(split.fill / (cursor - 2000), 1)} µs/row, DuckDB append + flush ${fmt(split.append / (cursor - 2000), 1)} µs/row`,
    ],
    [
      'file bytes per row',
      Object.entries(bytes)
        .map(([n, b]) => `${n} ${fmt(b / cursor, 1)}`)
        .join(', '),
    ],
    ['rows differing between the two stores', String(differing)],
    ['loadavg', readFileSync('/proc/loadavg', 'utf8').trim()],
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
