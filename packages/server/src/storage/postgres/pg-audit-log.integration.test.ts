import { expect, it } from 'vitest';
import type { AuditEntry } from '../../access/audit-chain.js';
import { sql } from '../../sql.js';
import { runAuditLogContract } from '../audit-log.contract.js';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { query } from './pg-client.js';
import { PgAuditLog } from './pg-audit-log.js';

const entry = (process: string, i: number): AuditEntry => ({
  at: Date.UTC(2026, 10, 25) + i,
  actor: { kind: 'api_key', id: process, role: 'admin' },
  action: 'keys.create',
  scope: 'all',
  detail: { i },
  result: 'ok',
  requestId: `${process}-${i}`,
});

describeWithPostgres('PostgreSQL audit log', (postgres) => {
  runAuditLogContract('PostgreSQL', async () => {
    const pool = await postgres.freshPool();
    return {
      store: await PgAuditLog.open(pool),
      reopen: () => PgAuditLog.open(pool),
      edit: async (seq: number) => {
        await query(
          pool,
          sql`UPDATE audit_log SET result = CASE result WHEN 'ok' THEN 'denied' ELSE 'ok' END WHERE seq = ${seq}`,
        );
      },
      remove: async (seq: number) => {
        await query(pool, sql`DELETE FROM audit_log WHERE seq = ${seq}`);
      },
      close: () => pool.end(),
    };
  });

  it('two processes appending at once write one unbroken chain', async () => {
    // Two pools are two processes as far as PostgreSQL can tell: separate connections, separate queues.
    const pools = await postgres.freshPools(2);
    const [a, b] = await Promise.all(pools.map((pool) => PgAuditLog.open(pool)));
    if (!a || !b) throw new Error('two logs expected');
    // Each process appends one record after another, so both keep sealing onto a head the other moves.
    const appendAll = async (log: PgAuditLog, name: string) => {
      for (let i = 0; i < 100; i++) await log.append(entry(name, i));
    };
    await Promise.all([appendAll(a, 'a'), appendAll(b, 'b')]);
    const report = await a.verify();
    expect(report).toMatchObject({ ok: true, records: 200, problem: null });
    const written = await b.list({ order: 'asc' });
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});
