// The column-wise load path measured by bench/loader-paths.mjs (ADR 0002, "Column chunks instead of
// read_json"): typed DuckDB data chunks built straight from captured events, appended per table through
// DuckDB's appender with @duckdb/node-bindings (a dependency of @duckdb/node-api). It stores the same rows as
// the NDJSON + read_json path (the bench compares the stores), but it did not pay in the server, so it
// lives here.
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk } from '@duckdb/node-api';
import { parseIsoDateTime } from '../../packages/events/dist/index.js';

/** As rows.ts writes a value into NDJSON text. */
const json = (value) =>
  typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
/** A value the writer does not convert itself (the server build then loaded the batch through read_json). */
export class UnrepresentableValueError extends Error {}
const CHUNK = duckdb.vector_size();
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Beyond ±2^53 µs (year 2255) a TIMESTAMP's micros are no longer exact in a double.
const MAX_TIMESTAMP_MS = 9_007_199_254_740;
const kindOf = {
  UUID: 'uuid',
  TIMESTAMP: 'timestamp',
  VARCHAR: 'varchar',
  DOUBLE: 'double',
  BIGINT: 'bigint',
  BOOLEAN: 'boolean',
  'VARCHAR[]': 'list',
  JSON: 'json',
};
/** Where each column of an event table comes from (the same split as rows.ts' NDJSON line). */
function planOf(columns) {
  const typed = new Set(columns.map((c) => c.name));
  return columns.map((c) => {
    const kind = kindOf[c.type];
    if (!kind) throw new Error(`no column writer for ${c.type} (${c.name})`);
    return { name: c.name, kind, source: sourceOf(c, typed) };
  });
}
function sourceOf(column, typed) {
  switch (column.name) {
    case 'uuid':
      return (e) => e.uuid;
    case 'event':
      return (e) => e.event;
    case 'tenant_id':
      return (e) => (typeof e.properties.tenant_id === 'string' ? e.properties.tenant_id : null);
    case 'distinct_id':
      return (e) => e.distinctId;
    case 'timestamp':
      return (e) => e.timestamp;
    case 'ingested_at':
      return (_e, at) => at;
    case 'properties':
      return (e) => extrasOf(e.properties, typed);
  }
  const name = column.name;
  if (column.type === 'TIMESTAMP')
    return (e) => {
      const value = e.properties[name];
      return typeof value === 'string' ? parseIsoDateTime(value) : value;
    };
  return (e) => e.properties[name];
}
/** Properties without a typed column as one JSON object text, or null when there are none. */
function extrasOf(properties, typed) {
  let extras = '';
  for (const key in properties) {
    if (key === 'tenant_id' || typed.has(key)) continue;
    const value = properties[key];
    if (value === undefined) continue;
    extras += `${extras ? ',' : ''}${JSON.stringify(key)}:${json(value)}`;
  }
  return extras ? `{${extras}}` : null;
}
const plans = new Map();
/** Scratch memory for one chunk's fixed-width column and its validity mask (reused across columns). */
const scratch = new ArrayBuffer(CHUNK * 16);
const words = new Uint32Array(scratch);
const doubles = new Float64Array(scratch);
const bytes = new Uint8Array(scratch);
const validity = new Uint32Array(CHUNK / 32);
function unrepresentable(column, value) {
  throw new UnrepresentableValueError(`column ${column} cannot take ${JSON.stringify(value)} as it is`);
}
/** Writes a signed integer below 2^53 as a little-endian int64 at word `at`. */
function int64(at, value) {
  words[at] = value >>> 0;
  words[at + 1] = Math.floor(value / 4294967296);
}
function uuidWords(at, uuid, column) {
  if (!UUID_TEXT.test(uuid)) unrepresentable(column, uuid);
  // DuckDB's UUID is a hugeint (lower u64, upper i64, little-endian) with the top bit flipped for ordering.
  words[at] = parseInt(uuid.slice(28, 36), 16);
  words[at + 1] = parseInt(uuid.slice(19, 23) + uuid.slice(24, 28), 16);
  words[at + 2] = parseInt(uuid.slice(9, 13) + uuid.slice(14, 18), 16);
  words[at + 3] = (parseInt(uuid.slice(0, 8), 16) ^ 0x80000000) >>> 0;
}
/** Fills one column of rows `offset … offset + count` into its vector. */
function fillColumn(vector, plan, rows, at, offset, count) {
  validity.fill(0xffffffff);
  let nulls = false;
  let listSize = 0;
  const values = new Array(count);
  for (let i = 0; i < count; i++) {
    const value = plan.source(rows[offset + i], at[offset + i]);
    values[i] = value;
    if (value === null || value === undefined) {
      nulls = true;
      validity[i >>> 5] = validity[i >>> 5] & ~(1 << (i & 31));
      continue;
    }
    switch (plan.kind) {
      case 'uuid':
        if (typeof value !== 'string') unrepresentable(plan.name, value);
        uuidWords(i * 4, value, plan.name);
        break;
      case 'timestamp':
        if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_TIMESTAMP_MS)
          unrepresentable(plan.name, value);
        int64(i * 2, value * 1000);
        break;
      case 'bigint':
        if (!Number.isSafeInteger(value)) unrepresentable(plan.name, value);
        int64(i * 2, value);
        break;
      case 'double':
        if (typeof value !== 'number') unrepresentable(plan.name, value);
        doubles[i] = value + 0; // -0 becomes 0, as it does in JSON text
        break;
      case 'boolean':
        if (typeof value !== 'boolean') unrepresentable(plan.name, value);
        bytes[i] = value ? 1 : 0;
        break;
      case 'varchar':
      case 'json':
        if (typeof value !== 'string') unrepresentable(plan.name, value);
        break;
      case 'list':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
          unrepresentable(plan.name, value);
        // A list entry is (offset u64, length u64) into the child vector.
        int64(i * 4, listSize);
        int64(i * 4 + 2, value.length);
        listSize += value.length;
        break;
    }
  }
  if (plan.kind === 'varchar' || plan.kind === 'json') {
    for (let i = 0; i < count; i++) {
      const text = values[i];
      if (typeof text === 'string') duckdb.vector_assign_string_element(vector, i, text);
    }
  } else {
    if (plan.kind === 'list') fillListChild(vector, values, listSize);
    duckdb.copy_data_to_vector(vector, 0, scratch, 0, count * widthOf[plan.kind]);
  }
  if (nulls) {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, Math.ceil(count / 64) * 8);
  }
}
const widthOf = {
  uuid: 16,
  timestamp: 8,
  bigint: 8,
  double: 8,
  boolean: 1,
  list: 16,
  varchar: 16,
  json: 16,
};
function fillListChild(vector, lists, size) {
  duckdb.list_vector_reserve(vector, size);
  duckdb.list_vector_set_size(vector, size);
  const child = duckdb.list_vector_get_child(vector);
  let index = 0;
  for (const list of lists)
    if (list) for (const item of list) duckdb.vector_assign_string_element(child, index++, item);
}
/** Lets the event loop run between chunks: a large load is many milliseconds of synchronous work. */
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
/**
 * Appends events to `table` through DuckDB's appender, one data chunk of typed column vectors per 2,048
 * rows, built straight from the events (no JSON text in between). Runs inside the caller's transaction on
 * `connection`. Throws UnrepresentableValueError for a value it leaves to DuckDB's casts; the caller then
 * rolls back and loads the batch another way.
 */
/** CPU spent filling vectors vs in DuckDB's append and flush (both synchronous on the calling thread), µs. */
export const split = { fill: 0, append: 0 };
const cpuSince = (start) => {
  const d = process.cpuUsage(start);
  return d.user + d.system;
};

export async function appendEvents(connection, table, columns, segments) {
  let plan = plans.get(table);
  if (!plan) plans.set(table, (plan = planOf(columns)));
  const rows = [];
  const at = [];
  for (const segment of segments)
    for (const event of segment.events) {
      rows.push(event);
      at.push(segment.ingestedAt);
    }
  const appender = await connection.createAppender(table);
  try {
    const types = plan.map((_, i) => appender.columnType(i));
    const chunk = DuckDBDataChunk.create(types);
    const vectors = plan.map((_, i) => duckdb.data_chunk_get_vector(chunk.chunk, i));
    for (let offset = 0; offset < rows.length; offset += CHUNK) {
      const count = Math.min(CHUNK, rows.length - offset);
      const t0 = process.cpuUsage();
      duckdb.data_chunk_reset(chunk.chunk);
      for (let c = 0; c < plan.length; c++) fillColumn(vectors[c], plan[c], rows, at, offset, count);
      duckdb.data_chunk_set_size(chunk.chunk, count);
      const t1 = process.cpuUsage();
      appender.appendDataChunk(chunk);
      split.fill += cpuSince(t0) - cpuSince(t1);
      split.append += cpuSince(t1);
      await yieldToLoop();
    }
    const t2 = process.cpuUsage();
    appender.flushSync();
    split.append += cpuSince(t2);
  } catch (error) {
    appender.clear(); // closing flushes: drop what was not flushed, the caller rolls back anyway
    throw error;
  } finally {
    appender.closeSync();
  }
}

/** One load as the sink does it: every table's events, then the log position, in one transaction. */
export async function loadChunks(connection, tables, position) {
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const { table, columns, segments } of tables)
      await appendEvents(connection, table, columns, segments);
    await connection.run(`INSERT OR REPLACE INTO ingest_log_state VALUES (1, ${Math.trunc(position)})`);
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
  await connection.run('COMMIT');
}
