import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  GENESIS_HASH,
  hashRecord,
  seal,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
} from './audit-chain.js';
import { actionFor } from './audit-requests.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');

const entry = (i: number): AuditEntry => ({
  at: T0 + i * 1000,
  actor: { kind: 'api_key', id: `k${i % 3}`, role: 'analyst' },
  action: i % 2 ? 'summary.read' : 'query.run',
  scope: i % 2 ? 'all' : ['acme', 'globex'],
  detail: { sql: `SELECT ${i}`, nested: { b: 1, a: [1, 'x'] } },
  result: 'ok',
  requestId: `req-${i}`,
});

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 1; i <= n; i++) out.push(seal(entry(i), out.at(-1) ?? null));
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('the client request id in the hash', () => {
  it('leaves a record without one hashed as before it existed, and seals one that has it', () => {
    const record = seal(entry(1), null);
    const older = createHash('sha256')
      .update(
        canonicalJson([
          1,
          new Date(record.at).toISOString(),
          ['api_key', 'k1', 'analyst'],
          'summary.read',
          'all',
          record.detail,
          'ok',
          'req-1',
          GENESIS_HASH,
        ]),
      )
      .digest('hex');
    expect(record.hash).toBe(older);
    const withClient = seal({ ...entry(1), clientRequestId: 'trace-1' }, null);
    expect(withClient.hash).not.toBe(older);
    expect(verifyChain([{ ...withClient, clientRequestId: 'trace-2' }]).problem?.kind).toBe('edited');
    expect(verifyChain([{ ...withClient, clientRequestId: null }]).problem?.kind).toBe('edited');
  });
});

describe('seal', () => {
  it('numbers records from 1 and links each to the previous hash', () => {
    const records = chain(3);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    expect(records[1]?.prevHash).toBe(records[0]?.hash);
    expect(records[2]?.hash).toBe(hashRecord(records[2] as AuditRecord));
  });

  it('covers every field: changing any one changes the hash', () => {
    const [r] = chain(1) as [AuditRecord];
    const variants: Partial<AuditRecord>[] = [
      { seq: 2 },
      { at: r.at + 1 },
      { actor: { ...r.actor, id: 'other' } },
      { actor: { ...r.actor, role: 'admin' } },
      { action: 'keys.create' },
      { scope: ['acme'] },
      { detail: { sql: 'SELECT 2' } },
      { result: 'denied' },
      { requestId: 'req-x' },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const v of variants) expect(hashRecord({ ...r, ...v })).not.toBe(r.hash);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(verifyChain(chain(10))).toMatchObject({ ok: true, records: 10, problem: null });
    expect(verifyChain([])).toEqual({ ok: true, records: 0, head: null, problem: null });
  });

  it('names an edited record', () => {
    const records = chain(6);
    records[3] = { ...(records[3] as AuditRecord), detail: { sql: 'SELECT nothing' } };
    expect(verifyChain(records).problem).toMatchObject({ seq: 4, kind: 'edited' });
  });

  it('names a removed record, at the start, in the middle and at the tail (with a head)', () => {
    const records = chain(6);
    expect(verifyChain(records.filter((r) => r.seq !== 3)).problem).toMatchObject({
      seq: 3,
      kind: 'removed',
    });
    expect(verifyChain(records.slice(1)).problem).toMatchObject({ seq: 1, kind: 'removed' });
    const head = verifyChain(records).head ?? { seq: 0, hash: '' };
    expect(verifyChain(records.slice(0, 4)).ok).toBe(true);
    expect(verifyChain(records.slice(0, 4), head).problem).toMatchObject({ seq: 6, kind: 'removed' });
  });

  it('names swapped records (seqs exchanged)', () => {
    const records = chain(6);
    const a = records[2] as AuditRecord;
    const b = records[3] as AuditRecord;
    records[2] = { ...b, seq: 3 };
    records[3] = { ...a, seq: 4 };
    const problem = verifyChain(records).problem;
    expect(problem).toMatchObject({ seq: 3, kind: 'reordered' });
    expect(problem?.message).toContain('written as seq 4');
  });

  it('names a removal hidden by renumbering the records after it', () => {
    const records = chain(6)
      .filter((r) => r.seq !== 3)
      .map((r) => (r.seq > 3 ? { ...r, seq: r.seq - 1 } : r));
    expect(verifyChain(records).problem).toMatchObject({ seq: 3, kind: 'removed' });
  });
});

describe('actionFor (the documented route → action mapping)', () => {
  it.each([
    ['GET', '/api/summary', 'summary.read'],
    ['GET', '/api/events', 'events.read'],
    ['POST', '/api/query', 'query.run'],
    ['GET', '/api/reports/:name', 'report.read'],
    ['POST', '/api/keys', 'keys.create'],
    ['GET', '/api/keys', 'keys.list'],
    ['DELETE', '/api/keys/:id', 'keys.revoke'],
    ['POST', '/api/subscriptions/import', 'subscriptions.import'],
    ['PUT', '/api/subscriptions/:tenant', 'subscriptions.set'],
    ['DELETE', '/api/subscriptions/:tenant', 'subscriptions.delete'],
    ['POST', '/api/quarantine/replay', 'quarantine.replay'],
    ['POST', '/api/alerts/:id/ack', 'alerts.ack'],
    ['GET', '/api/alerts/:id', 'alerts.read'],
    ['GET', '/api/audit', 'audit.read'],
    ['GET', '/api/audit/verify', 'audit.verify'],
  ])('%s %s → %s', (method, route, action) => {
    expect(actionFor(method, route)).toBe(action);
  });
});
