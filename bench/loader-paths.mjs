// node bench/loader-paths.mjs — the ingest-log loader's bulk path, measured in isolation (ADR 0002): the same
// 50K mixed events into the real per-type tables by (a) read_json over staged NDJSON (what the loader
// uses), (b) the row appender into a staging temp table + INSERT…SELECT, (c) column-chunk append
// (DuckDBDataChunk + appendDataChunk) into the same temp table + INSERT…SELECT. Build first.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBDataChunk, BIGINT, BOOLEAN, DOUBLE, VARCHAR } from '@duckdb/node-api';
import { generateEvents } from '../packages/server/dist/seed/index.js';
import { DuckDbEventStore } from '../packages/server/dist/storage/duckdb/duckdb-event-store.js';
import { allTables, quote } from '../packages/server/dist/storage/duckdb/schema.js';
import { sectionOf } from '../packages/server/dist/ingestion/log-record.js';
import { fmt, report } from './lib/report.mjs';

const N = Number(process.env.BENCH_ROWS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const events = [];
for (const e of generateEvents({ tenants: 2000, days: 30, seed: 3, includeGeneric: true })) {
  events.push(e);
  if (events.length >= 2 * N * ROUNDS + N) break;
}
if (events.length < N * (ROUNDS + 1)) throw new Error(`only ${events.length} events generated`);
let cursor = 0;
const nextBatch = () => events.slice(cursor, (cursor += N));

async function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-loader-bench-'));
  const store = await DuckDbEventStore.open({ path: join(dir, 'bench.duckdb') });
  return { dir, store, sink: await store.logSink(), db: await store.connect() };
}

// Staging types the appender takes without per-value wrapper objects: times as epoch ms, uuid/JSON/lists as text.
const stagingType = (t) =>
  t === 'UUID' || t === 'JSON' || t.endsWith('[]') ? 'VARCHAR' : t === 'TIMESTAMP' ? 'BIGINT' : t;
const duckType = { VARCHAR, BIGINT, DOUBLE, BOOLEAN };
const castBack = (c) =>
  c.type === 'TIMESTAMP'
    ? `epoch_ms(${quote(c.name)})`
    : c.type === 'VARCHAR' || c.type === 'DOUBLE' || c.type === 'BIGINT' || c.type === 'BOOLEAN'
      ? quote(c.name)
      : `${quote(c.name)}::${c.type}`;

function columnValues(table, rows) {
  // rows: JSON-parsed staging lines (same values the NDJSON carries), per column
  return table.columns.map((c) =>
    rows.map((r) => {
      const v = r[c.name];
      if (v === undefined || v === null) return null;
      if (c.type === 'JSON' || c.type.endsWith('[]')) return JSON.stringify(v);
      if (stagingType(c.type) === 'BIGINT') return BigInt(Math.trunc(v));
      return v;
    }),
  );
}

async function viaReadJson(sink, batch) {
  const t0 = performance.now();
  const byTable = new Map();
  const at = Date.now();
  for (const e of batch) {
    const { table, row } = sink.encode(e, at);
    (byTable.get(table) ?? byTable.set(table, []).get(table)).push(row);
  }
  const tables = [...byTable].map(([t, rows]) => {
    const s = sectionOf(t, rows);
    return { table: t, rows: s.rows, parts: [s.bytes] };
  });
  const t1 = performance.now();
  await sink.load({ tables, quarantine: [] }, cursor);
  return { js: t1 - t0, db: performance.now() - t1, sync: 0 };
}

async function viaAppender(db, sink, batch, chunked) {
  const t0 = performance.now();
  const byTable = new Map();
  const at = Date.now();
  for (const e of batch) {
    const { table, row } = sink.encode(e, at);
    (byTable.get(table) ?? byTable.set(table, []).get(table)).push(JSON.parse(row));
  }
  let js = performance.now() - t0;
  let dbMs = 0;
  let sync = 0;
  await db.run('BEGIN TRANSACTION');
  for (const [name, rows] of byTable) {
    const table = allTables.find((t) => t.table === name);
    const tmp = `stage_${name}`;
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${quote(tmp)} (${table.columns.map((c) => `${quote(c.name)} ${stagingType(c.type)}`).join(', ')})`,
    );
    const a0 = performance.now();
    const columns = columnValues(table, rows);
    js += performance.now() - a0;
    const b0 = performance.now();
    const appender = await db.createAppender(tmp, 'main', 'temp');
    if (chunked) {
      const types = table.columns.map((c) => duckType[stagingType(c.type)]);
      for (let start = 0; start < rows.length; start += 2048) {
        const chunk = DuckDBDataChunk.create(types, Math.min(2048, rows.length - start));
        chunk.setColumns(columns.map((col) => col.slice(start, start + 2048)));
        appender.appendDataChunk(chunk);
      }
    } else {
      const kinds = table.columns.map((c) => stagingType(c.type));
      for (let r = 0; r < rows.length; r++) {
        for (let c = 0; c < kinds.length; c++) {
          const v = columns[c][r];
          if (v === null) appender.appendNull();
          else if (kinds[c] === 'VARCHAR') appender.appendVarchar(v);
          else if (kinds[c] === 'BIGINT') appender.appendBigInt(v);
          else if (kinds[c] === 'DOUBLE') appender.appendDouble(v);
          else appender.appendBoolean(v);
        }
        appender.endRow();
      }
    }
    appender.flushSync();
    appender.closeSync();
    sync += performance.now() - b0;
    await db.run(
      `INSERT INTO ${quote(name)} SELECT ${table.columns.map(castBack).join(', ')} FROM ${quote(tmp)}`,
    );
    dbMs += performance.now() - b0;
  }
  await db.run('COMMIT');
  return { js, db: dbMs, sync };
}

const results = {};
for (const [label, run] of [
  ['row appender → temp table → INSERT…SELECT', (s, b) => viaAppender(s.db, s.sink, b, false)],
  ['data chunks (appendDataChunk) → temp → INSERT…SELECT', (s, b) => viaAppender(s.db, s.sink, b, true)],
  ['read_json over staged NDJSON (loader)', (s, b) => viaReadJson(s.sink, b)],
]) {
  const s = await fresh();
  await run(s, events.slice(0, 2000)); // warm-up
  const runs = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) runs.push(await run(s, nextBatch()));
  const cpu = process.cpuUsage(cpu0);
  // All threads of this process (event loop + DuckDB's), per row, JS preparation included.
  const cpuPerRow = (cpu.user + cpu.system) / (N * ROUNDS);
  cursor -= N * ROUNDS; // every path loads the same batches
  const best = runs.reduce((a, b) => (a.db + a.js < b.db + b.js ? a : b));
  await s.store.close();
  const size = statSync(join(s.dir, 'bench.duckdb')).size;
  rmSync(s.dir, { recursive: true, force: true });
  results[label] = { ...best, size, cpuPerRow };
}
cursor += N * ROUNDS;

report(`loader bulk paths — ${fmt(N)} mixed events per load, best of ${ROUNDS}`, [
  ...Object.entries(results).map(([label, r]) => [
    label,
    `${fmt((N / r.db) * 1000)} rows/s in DuckDB (${fmt(r.db, 0)} ms, of which ${fmt(r.sync, 0)} ms synchronous on the event loop), JS ${fmt(r.js, 0)} ms; all-in ${fmt((N / (r.db + r.js)) * 1000)} rows/s; CPU ${fmt(r.cpuPerRow, 1)} µs/row (all threads)`,
  ]),
  ['loadavg', (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()],
]);
