import duckdb, { type Vector } from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { parseIsoDateTime } from '@pulse/events';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { EventRows } from '../../ingestion/log-sink.js';
import { json } from './rows.js';
import type { Column } from './schema.js';

/**
 * A value the column writer does not turn into its column type itself (a number in a VARCHAR column, an
 * unsafe integer…): the caller loads that batch through DuckDB's own casts instead, which either store it
 * or refuse it with DuckDB's message.
 */
export class UnrepresentableValueError extends Error {}

const CHUNK = duckdb.vector_size();
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Beyond ±2^53 µs (year 2255) a TIMESTAMP's micros are no longer exact in a double.
const MAX_TIMESTAMP_MS = 9_007_199_254_740;

type Source = (event: CapturedEvent, ingestedAt: number) => unknown;
type Kind = 'uuid' | 'timestamp' | 'varchar' | 'double' | 'bigint' | 'boolean' | 'list' | 'json';

interface ColumnPlan {
  name: string;
  kind: Kind;
  source: Source;
}

const kindOf: Record<string, Kind> = {
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
function planOf(columns: readonly Column[]): ColumnPlan[] {
  const typed = new Set(columns.map((c) => c.name));
  return columns.map((c) => {
    const kind = kindOf[c.type];
    if (!kind) throw new Error(`no column writer for ${c.type} (${c.name})`);
    return { name: c.name, kind, source: sourceOf(c, typed) };
  });
}

function sourceOf(column: Column, typed: ReadonlySet<string>): Source {
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
function extrasOf(properties: Record<string, unknown>, typed: ReadonlySet<string>): string | null {
  let extras = '';
  for (const key in properties) {
    if (key === 'tenant_id' || typed.has(key)) continue;
    const value = properties[key];
    if (value === undefined) continue;
    extras += `${extras ? ',' : ''}${JSON.stringify(key)}:${json(value)}`;
  }
  return extras ? `{${extras}}` : null;
}

const plans = new Map<string, ColumnPlan[]>();

/** Scratch memory for one chunk's fixed-width column and its validity mask (reused across columns). */
const scratch = new ArrayBuffer(CHUNK * 16);
const words = new Uint32Array(scratch);
const doubles = new Float64Array(scratch);
const bytes = new Uint8Array(scratch);
const validity = new Uint32Array(CHUNK / 32);

function unrepresentable(column: string, value: unknown): never {
  throw new UnrepresentableValueError(`column ${column} cannot take ${JSON.stringify(value)} as it is`);
}

/** Writes a signed integer below 2^53 as a little-endian int64 at word `at`. */
function int64(at: number, value: number): void {
  words[at] = value >>> 0;
  words[at + 1] = Math.floor(value / 4294967296);
}

function uuidWords(at: number, uuid: string, column: string): void {
  if (!UUID_TEXT.test(uuid)) unrepresentable(column, uuid);
  // DuckDB's UUID is a hugeint (lower u64, upper i64, little-endian) with the top bit flipped for ordering.
  words[at] = parseInt(uuid.slice(28, 36), 16);
  words[at + 1] = parseInt(uuid.slice(19, 23) + uuid.slice(24, 28), 16);
  words[at + 2] = parseInt(uuid.slice(9, 13) + uuid.slice(14, 18), 16);
  words[at + 3] = (parseInt(uuid.slice(0, 8), 16) ^ 0x80000000) >>> 0;
}

/** Fills one column of rows `offset … offset + count` into its vector. */
function fillColumn(
  vector: Vector,
  plan: ColumnPlan,
  rows: readonly CapturedEvent[],
  at: readonly number[],
  offset: number,
  count: number,
): void {
  validity.fill(0xffffffff);
  let nulls = false;
  let listSize = 0;
  const values: unknown[] = new Array<unknown>(count);
  for (let i = 0; i < count; i++) {
    const value = plan.source(rows[offset + i] as CapturedEvent, at[offset + i] as number);
    values[i] = value;
    if (value === null || value === undefined) {
      nulls = true;
      validity[i >>> 5] = (validity[i >>> 5] as number) & ~(1 << (i & 31));
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
        int64(i * 2, value as number);
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
    if (plan.kind === 'list') fillListChild(vector, values as (readonly string[] | null)[], listSize);
    duckdb.copy_data_to_vector(vector, 0, scratch, 0, count * widthOf[plan.kind]);
  }
  if (nulls) {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, Math.ceil(count / 64) * 8);
  }
}

const widthOf: Record<Kind, number> = {
  uuid: 16,
  timestamp: 8,
  bigint: 8,
  double: 8,
  boolean: 1,
  list: 16,
  varchar: 16,
  json: 16,
};

function fillListChild(vector: Vector, lists: readonly (readonly string[] | null)[], size: number): void {
  duckdb.list_vector_reserve(vector, size);
  duckdb.list_vector_set_size(vector, size);
  const child = duckdb.list_vector_get_child(vector);
  let index = 0;
  for (const list of lists)
    if (list) for (const item of list) duckdb.vector_assign_string_element(child, index++, item);
}

/** Lets the event loop run between chunks: a large load is many milliseconds of synchronous work. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Appends events to `table` through DuckDB's appender, one data chunk of typed column vectors per 2,048
 * rows, built straight from the events (no JSON text in between). Runs inside the caller's transaction on
 * `connection`. Throws UnrepresentableValueError for a value it leaves to DuckDB's casts; the caller then
 * rolls back and loads the batch another way.
 */
export async function appendEvents(
  connection: DuckDBConnection,
  table: string,
  columns: readonly Column[],
  segments: readonly EventRows[],
): Promise<void> {
  let plan = plans.get(table);
  if (!plan) plans.set(table, (plan = planOf(columns)));
  const rows: CapturedEvent[] = [];
  const at: number[] = [];
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
      duckdb.data_chunk_reset(chunk.chunk);
      for (let c = 0; c < plan.length; c++)
        fillColumn(vectors[c] as Vector, plan[c] as ColumnPlan, rows, at, offset, count);
      duckdb.data_chunk_set_size(chunk.chunk, count);
      appender.appendDataChunk(chunk);
      await yieldToLoop();
    }
    appender.flushSync();
  } catch (error) {
    appender.clear(); // closing flushes: drop what was not flushed, the caller rolls back anyway
    throw error;
  } finally {
    appender.closeSync();
  }
}
