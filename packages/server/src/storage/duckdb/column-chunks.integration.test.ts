import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { EventRows, LoadBatch } from '../../ingestion/log-sink.js';
import { sectionOf } from '../../ingestion/log-record.js';
import { generateEvents } from '../../seed/index.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { allTables } from './schema.js';
import { ident, runAndReadAll, sql } from './sql.js';

/** Groups as the loader hands them to the sink: per table, NDJSON parts and the events they came from. */
async function loadAndRead(columnChunks: boolean, groups: EventRows[]) {
  const store = await DuckDbEventStore.open({ path: ':memory:' });
  const sink = await store.logSink({ columnChunks });
  const byTable = new Map<string, { rows: number; parts: Buffer[]; events: EventRows[] }>();
  for (const { ingestedAt, events } of groups) {
    const perTable = new Map<string, { rows: string[]; events: CapturedEvent[] }>();
    for (const event of events) {
      const { table, row } = sink.encode(event, ingestedAt);
      const entry = perTable.get(table) ?? { rows: [], events: [] };
      entry.rows.push(row);
      entry.events.push(event);
      perTable.set(table, entry);
    }
    for (const [table, { rows, events: held }] of perTable) {
      const entry = byTable.get(table) ?? { rows: 0, parts: [], events: [] };
      entry.rows += rows.length;
      entry.parts.push(sectionOf(table, rows).bytes);
      entry.events.push({ ingestedAt, events: held });
      byTable.set(table, entry);
    }
  }
  const batch: LoadBatch = {
    tables: [...byTable].map(([table, entry]) => ({ table, ...entry })),
    quarantine: [],
  };
  await sink.load(batch, 42);
  const tables: Record<string, unknown[]> = {};
  for (const { table } of allTables)
    tables[table] = (
      await runAndReadAll(store.readConnection, sql`SELECT * FROM ${ident(table)} ORDER BY uuid`)
    ).getRowObjectsJson();
  const position = await sink.loadedPosition();
  sink.close();
  await store.close();
  return { tables, position };
}

const seeded = (count: number): CapturedEvent[] => {
  const events: CapturedEvent[] = [];
  for (const event of generateEvents({ tenants: 50, days: 10, seed: 5, includeGeneric: true })) {
    events.push(event);
    if (events.length >= count) break;
  }
  return events;
};

const uuid = (i: number) => `0190a2b3-c4d5-7e6f-8a9b-${i.toString(16).padStart(12, '0')}`;

/** Values at the edges of each column kind: NULLs, empty lists, offsets, unicode, NUL, nested extras. */
const edges: CapturedEvent[] = [
  {
    uuid: uuid(1),
    event: 'strategic_decision_event',
    distinctId: 'd "quoted" \\ é 𝄞',
    timestamp: Date.UTC(2026, 1, 3, 4, 5, 6, 789),
    properties: {
      tenant_id: 'tenant-a',
      tracking_date: '2026-02-03T04:05:06.789+02:00',
      decision_date: '2026-02-03',
      next_review_date: '2026-02-03 10:00:00',
      factors_considered: [],
      alternative_options: ['a', 'b\u0000c', 'ü'],
      expected_revenue_impact: -0.5,
      priority_decision: false,
      nested: { deep: [1, 'two', null, { three: true }] },
      $lib: 'posthog-node',
      nothing: null,
    },
  },
  {
    uuid: uuid(2),
    event: 'email_deliverability_event',
    distinctId: 'd2',
    timestamp: -86_400_000,
    properties: { email_count: 9_007_199_254_740_991, requires_immediate_attention: true },
  },
  {
    uuid: uuid(3),
    event: '$pageview',
    distinctId: 'd3',
    timestamp: 0,
    properties: { tenant_id: 42, $current_url: 'https://example.test/?q="x"' },
  },
];

describe('column chunks: the same rows as read_json', () => {
  it('stores every column kind exactly as the NDJSON path does, across chunk boundaries and groups', async () => {
    // > 2,048 rows of one table in one load: NULLs in one chunk must not leak into the next.
    const events = [...edges, ...seeded(6_000)];
    const groups = [
      { ingestedAt: Date.UTC(2026, 5, 1), events: events.slice(0, 2_500) },
      { ingestedAt: Date.UTC(2026, 5, 1, 0, 0, 1), events: events.slice(2_500) },
    ];
    const viaJson = await loadAndRead(false, groups);
    const viaChunks = await loadAndRead(true, groups);
    expect(viaChunks.position).toBe(42);
    expect(Object.values(viaChunks.tables).flat()).toHaveLength(events.length);
    expect(viaChunks.tables).toEqual(viaJson.tables);
  });

  it('a value it does not convert itself goes through DuckDB casts, as before', async () => {
    // A number where the catalog has a string, and an integer past 2^53: DuckDB's casts decide.
    const odd: CapturedEvent[] = [
      {
        uuid: uuid(10),
        event: 'revenue_impact_event',
        distinctId: 'd10',
        timestamp: 1_000,
        properties: { tenant_id: 't', impact_type: 5, affected_emails: 2 ** 60 },
      },
    ];
    const groups = [{ ingestedAt: 1_000, events: odd }];
    const viaChunks = await loadAndRead(true, groups);
    expect(viaChunks.tables).toEqual((await loadAndRead(false, groups)).tables);
    expect(viaChunks.tables.ev_revenue_impact_event).toHaveLength(1);
  });
});
