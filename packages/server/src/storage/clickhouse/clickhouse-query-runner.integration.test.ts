import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import type { QueryLimits } from '../query-runner.js';
import { describeWithClickHouse } from '../../../test/helpers/clickhouse.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

const limits: QueryLimits = { timeoutMs: 10_000, maxRows: 100, maxBytes: 1_000_000 };

const event = (i: number, tenant: string): CapturedEvent => ({
  uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
  event: 'revenue_impact_event',
  distinctId: 'ops',
  timestamp: Date.UTC(2026, 0, 10) + i,
  properties: { tenant_id: tenant, impact_amount: 100 * i, impact_type: 'negative' },
});

describeWithClickHouse('ClickHouse ad-hoc query runner', (clickhouse) => {
  let store: ClickHouseEventStore;
  beforeAll(async () => {
    store = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    const events = [1, 2, 3].map((i) => event(i, i === 3 ? 'globex' : 'acme'));
    await store.commit({ events, quarantined: [], releasedQuarantineIds: [], ingestedAt: Date.now() });
  });
  afterAll(async () => {
    await store?.close();
  });
  const run = (sql: string, scope: readonly string[] | 'all' = 'all', over: Partial<QueryLimits> = {}) =>
    store.queryRunner().run(sql, scope, { ...limits, ...over });
  const refusal = (sql: string, scope: readonly string[] | 'all' = 'all', over: Partial<QueryLimits> = {}) =>
    run(sql, scope, over).then(
      () => null,
      (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
    );

  it('answers in ClickHouse SQL over its events table, 64-bit integers as numbers', async () => {
    const result = await run(
      'SELECT tenant_id, count() AS n, sum(impact_amount) AS s FROM events FINAL GROUP BY tenant_id ORDER BY tenant_id',
    );
    expect(store.queryRunner().dialect).toBe('clickhouse');
    expect(result.columns).toEqual([
      { name: 'tenant_id', type: 'String' },
      { name: 'n', type: 'UInt64' },
      { name: 's', type: 'Nullable(Float64)' },
    ]);
    expect(result.rows).toEqual([
      ['acme', 2, 300],
      ['globex', 1, 300],
    ]);
    expect(result.truncated).toBe(false);
  });

  it('cuts at max rows and says so; a trailing comment cannot swallow the limit', async () => {
    const result = await run('SELECT number FROM system.numbers -- no end', 'all', { maxRows: 5 });
    expect(result.rows).toEqual([[0], [1], [2], [3], [4]]);
    expect(result.truncated).toBe(true);
  });

  it('refuses a tenant-scoped caller: nothing proves a query stays within its tenants', async () => {
    const refused = await refusal('SELECT count() FROM events', ['acme']);
    expect(refused?.code).toBe('forbidden');
    expect(refused?.message).toMatch(/every tenant/);
  });

  it.each([
    ["SELECT * FROM file('x.csv', 'CSV', 'a String')", 'invalid_request'],
    ["SELECT * FROM url('http://127.0.0.1:1/', 'CSV', 'a String')", 'invalid_request'],
    ["SELECT * FROM remote('127.0.0.1', system.one)", 'invalid_request'],
    ['SELECT 1 SETTINGS readonly = 0', 'invalid_request'],
    ["INSERT INTO events (event) VALUES ('x')", 'invalid_query'],
    ['DROP TABLE events', 'invalid_query'],
    ['SELECT 1; DROP TABLE events', 'invalid_query'],
  ])('refuses %s', async (sql, code) => {
    expect((await refusal(sql))?.code).toBe(code);
    expect((await run('SELECT count() FROM events FINAL')).rows).toEqual([[3]]);
  });

  it('stops a query at the time limit', async () => {
    expect((await refusal('SELECT count() FROM system.numbers', 'all', { timeoutMs: 1000 }))?.code).toBe(
      'query_timeout',
    );
  });

  it('refuses a result larger than max bytes', async () => {
    const refused = await refusal(`SELECT '${'x'.repeat(1000)}' FROM system.numbers`, 'all', {
      maxRows: 100,
      maxBytes: 10_000,
    });
    expect(refused?.code).toBe('result_too_large');
  });
});
