import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../access/audit-chain.js';
import { runAuditLogContract } from '../audit-log.contract.js';
import { auditJournalIn } from '../audit-journal.js';
import { DuckDbAuditLog } from './duckdb-audit-log.js';
import { DuckDbEventStore } from './duckdb-event-store.js';
import { run, sql as statement } from './sql.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');

const entry = (i: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: T0 + i * 1000,
  actor: { kind: 'api_key', id: i % 2 ? 'k-odd' : 'k-even', role: 'analyst' },
  action: i % 2 ? 'summary.read' : 'query.run',
  scope: ['acme'],
  detail: { sql: `SELECT '${i}' AS "O'Brien"`, i },
  result: i % 5 === 0 ? 'denied' : 'ok',
  requestId: `req-${i}`,
  ...over,
});

runAuditLogContract('DuckDB', async () => {
  const events = await DuckDbEventStore.open({
    path: join(temporaryDirectory('pulse-audit-'), 'pulse.duckdb'),
  });
  const tamper = await events.connect();
  return {
    store: await DuckDbAuditLog.open(events),
    reopen: () => DuckDbAuditLog.open(events),
    edit: async (seq: number) => {
      await run(
        tamper,
        statement`UPDATE audit_log SET result = CASE result WHEN 'ok' THEN 'denied' ELSE 'ok' END WHERE seq = ${seq}`,
      );
    },
    remove: async (seq: number) => {
      await run(tamper, statement`DELETE FROM audit_log WHERE seq = ${seq}`);
    },
    close: () => events.close(),
  };
});

// The same contract with the audit journal in front of the table (as `pulse serve` opens it).
runAuditLogContract('DuckDB behind the audit journal', async () => {
  const dir = temporaryDirectory('pulse-audit-');
  const events = await DuckDbEventStore.open({ path: join(dir, 'pulse.duckdb') });
  const tamper = await events.connect();
  const journal = auditJournalIn(join(dir, 'audit-journal'), null);
  let current = await DuckDbAuditLog.open(events, { journal });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await DuckDbAuditLog.open(events, { journal });
      return current;
    },
    edit: async (seq: number) => {
      await current.flush();
      await run(
        tamper,
        statement`UPDATE audit_log SET result = CASE result WHEN 'ok' THEN 'denied' ELSE 'ok' END WHERE seq = ${seq}`,
      );
    },
    remove: async (seq: number) => {
      await current.flush();
      await run(tamper, statement`DELETE FROM audit_log WHERE seq = ${seq}`);
    },
    close: async () => {
      await current.close();
      await events.close();
    },
  };
});

describe('DuckDbAuditLog', () => {
  let store: DuckDbEventStore;
  let log: DuckDbAuditLog;
  let sql: DuckDBConnection;

  beforeEach(async () => {
    store = await DuckDbEventStore.open({
      path: join(temporaryDirectory('pulse-audit-'), 'pulse.duckdb'),
    });
    log = await DuckDbAuditLog.open(store);
    sql = await store.connect();
  });
  afterEach(async () => {
    await store.close();
  });

  const appendMany = async (n: number) => {
    for (let i = 1; i <= n; i++) await log.append(entry(i));
  };

  it('serialises concurrent appends into one linear chain', async () => {
    const records = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(entry(i + 1))));
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    const report = await log.verify();
    expect(report).toMatchObject({ ok: true, records: 300, problem: null });
    expect(report.head?.seq).toBe(300);
  });

  it('a large batch (staged, not a VALUES list) round-trips exactly, nulls and quotes included', async () => {
    const entries = Array.from({ length: 120 }, (_, i) =>
      entry(i + 1, {
        actor: { kind: 'system', id: 'pulse', role: null },
        requestId: i % 3 ? null : `req-'${i}'`,
        scope: i % 2 ? 'all' : ['acme', "o'neil"],
        detail: {
          title: `Revenue loss — "customer" ${i}\nline`,
          amount: i * 1.5,
          nested: { ok: i % 2 === 0 },
        },
      }),
    );
    const written = await Promise.all(entries.map((e) => log.append(e)));
    const read = await log.list({ order: 'asc' });
    expect(read).toEqual(written);
    expect((await log.verify()).ok).toBe(true);
  });

  it('a listing includes every record appended before it was asked for, even if not yet written', async () => {
    const pending = Array.from({ length: 5 }, (_, i) => log.append(entry(i + 1)));
    expect((await log.list()).map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    await Promise.all(pending);
  });

  it('continues the chain after reopening the table', async () => {
    await appendMany(3);
    const again = await DuckDbAuditLog.open(store);
    expect((await again.append(entry(4))).seq).toBe(4);
    expect((await again.verify()).ok).toBe(true);
  });

  it('round-trips records exactly (quotes, nested detail) and filters them', async () => {
    await appendMany(10);
    const [newest] = await log.list({ limit: 1 });
    expect(newest).toMatchObject({
      seq: 10,
      action: 'query.run',
      detail: { sql: `SELECT '10' AS "O'Brien"`, i: 10 },
    });
    expect((await log.list({ actor: 'k-odd' })).map((r) => r.seq)).toEqual([9, 7, 5, 3, 1]);
    expect((await log.list({ result: 'denied', order: 'asc' })).map((r) => r.seq)).toEqual([5, 10]);
    expect((await log.list({ action: 'query.*' })).length).toBe(5);
    expect((await log.list({ from: T0 + 3000, to: T0 + 6000, order: 'asc' })).map((r) => r.seq)).toEqual([
      3, 4, 5,
    ]);
  });

  it('verify names a record edited through SQL', async () => {
    await appendMany(8);
    await sql.run(`UPDATE audit_log SET detail = '{"i":5,"sql":"SELECT 1"}' WHERE seq = 5`);
    expect((await log.verify()).problem).toMatchObject({ seq: 5, kind: 'edited' });
  });

  it('verify names a record whose result was flipped from denied to ok', async () => {
    await appendMany(8);
    await sql.run(`UPDATE audit_log SET result = 'ok' WHERE seq = 5`);
    const report = await log.verify();
    expect(report.ok).toBe(false);
    expect(report.problem?.seq).toBe(5);
    expect(report.problem?.message).toContain('seq 5');
  });

  it('verify names a record deleted through SQL', async () => {
    await appendMany(8);
    await sql.run('DELETE FROM audit_log WHERE seq = 4');
    expect((await log.verify()).problem).toMatchObject({ seq: 4, kind: 'removed' });
  });

  it('verify names two records swapped through SQL', async () => {
    await appendMany(8);
    await sql.run('UPDATE audit_log SET seq = CASE seq WHEN 3 THEN 4 ELSE 3 END WHERE seq IN (3, 4)');
    const problem = (await log.verify()).problem;
    expect(problem).toMatchObject({ seq: 3, kind: 'reordered' });
    expect(problem?.message).toContain('written as seq 4');
  });

  it('verify with an earlier head detects a removed tail', async () => {
    await appendMany(6);
    const head = (await log.verify()).head ?? { seq: 0, hash: '' };
    await sql.run('DELETE FROM audit_log WHERE seq >= 5');
    expect((await log.verify()).ok).toBe(true); // a chain alone cannot see a cut tail…
    expect((await log.verify(head)).problem).toMatchObject({ seq: 6, kind: 'removed' }); // …its head can
  });
});
