import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuditEntry } from '../src/access/audit-chain.js';
import type { AuditLog } from '../src/storage/audit-log.js';
import type { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

/**
 * The store's audit log behind a switch at the storage boundary: while a fault is on, its writes (or
 * reads) fail as they do on a full disk, before reaching DuckDB.
 */
function faultyAuditLog(log: AuditLog) {
  const faults = {
    writes: false,
    reads: false,
    everyNthWrite: 0,
    /** Fails only the records this picks. */
    writesOf: null as ((entry: AuditEntry) => boolean) | null,
  };
  let writes = 0;
  const diskFull = () => Promise.reject(new Error('IO Error: No space left on device'));
  const wrapped: AuditLog = {
    append: (entry) => {
      writes += 1;
      const nth = faults.everyNthWrite > 0 && writes % faults.everyNthWrite === 0;
      return faults.writes || nth || faults.writesOf?.(entry) ? diskFull() : log.append(entry);
    },
    list: (filter) => (faults.reads ? diskFull() : log.list(filter)),
    verify: (head) => (faults.reads ? diskFull() : log.verify(head)),
    flush: () => log.flush(),
  };
  return { faults, wrapped };
}

const TENANT = 'tenant-failclosed';

interface Answer {
  status: number;
  requestId: string | null;
  text: string;
}

interface AuditRow {
  action: string;
  result: string;
  requestId: string;
  detail: Record<string, unknown>;
}

describe('the audit trail fails closed', () => {
  const dataDir = temporaryDirectory('pulse-audit-fail-');
  let server: TestServer;
  let faults: ReturnType<typeof faultyAuditLog>['faults'];

  const call = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      text: await response.text(),
    };
  };

  /** Every read of business data the API offers, each answering data that names the tenant when it works. */
  const reads: { path: string; body?: unknown; names: string }[] = [
    { path: `/api/summary?tenant=${TENANT}`, names: 'summary' },
    {
      path: '/api/query',
      body: { sql: `SELECT tenant_id FROM events WHERE tenant_id = '${TENANT}'` },
      names: TENANT,
    },
    { path: `/api/events?tenant=${TENANT}`, names: TENANT },
    { path: `/api/alerts?tenant=${TENANT}`, names: 'alerts' },
    { path: `/api/series?tenant=${TENANT}`, names: 'series' },
    { path: `/api/reports/performance-dashboard?tenant=${TENANT}`, names: 'rows' },
    { path: `/api/reports/performance-dashboard?tenant=${TENANT}&format=csv`, names: 'tenant' },
    { path: `/api/subscriptions?tenant=${TENANT}`, names: TENANT },
    { path: '/api/audit', names: 'records' },
  ];

  const trail = async () =>
    (JSON.parse((await call('/api/audit?limit=10000')).text) as { records: AuditRow[] }).records;

  const liveUpgrade = () =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/live`, {
        headers: { authorization: `Bearer ${server.adminKey}` },
      });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_request, response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      ws.once('error', reject);
    });

  beforeAll(async () => {
    server = await startTestServer({}, dataDir, {
      wrapAuditLog: (log) => {
        const faulty = faultyAuditLog(log);
        faults = faulty.faults;
        return faulty.wrapped;
      },
    });
    const captured = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        batch: [{ event: '$pageview', distinct_id: 'u1', properties: { tenant_id: TENANT } }],
      }),
    });
    expect(captured.status).toBe(200);
    await server.storage.subscriptions.upsert([
      {
        tenantId: TENANT,
        status: 'active',
        planName: 'pro',
        priceMonthly: 10,
        currentPeriodStart: null,
        currentPeriodEnd: null,
        updatedAt: Date.now(),
      },
    ]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses every data read with 503 audit_unavailable and no data while records cannot be written', async () => {
    for (const read of reads) expect((await call(read.path, read)).status, read.path).toBe(200);

    faults.writes = true;
    for (const read of reads) {
      const answer = await call(read.path, read);
      expect(answer.status, read.path).toBe(503);
      const body = JSON.parse(answer.text) as { error: { code: string; message: string; requestId: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe('audit_unavailable');
      expect(body.error.message).toContain('No space left on device');
      expect(body.error.requestId).toBe(answer.requestId);
      expect(answer.text).not.toContain(TENANT);
    }
    expect(await liveUpgrade()).toBe(503);
    faults.writes = false;
    expect(await liveUpgrade()).toBe(101);
  });

  it('refuses a change unapplied when its record cannot be written', async () => {
    const keysBefore = (JSON.parse((await call('/api/keys')).text) as { keys: unknown[] }).keys.length;
    faults.writes = true;
    const created = await call('/api/keys', { body: { role: 'analyst', name: 'while-failing' } });
    const user = await call('/api/users', {
      body: { email: 'failing@example.com', password: 'a long enough password 1', role: 'viewer' },
    });
    faults.writes = false;
    expect([created.status, user.status]).toEqual([503, 503]);
    expect(created.text).not.toContain('pulse_');
    expect(JSON.parse(created.text)).toMatchObject({ error: { code: 'audit_unavailable' } });
    expect(created.text).not.toContain('may have been applied');
    const keys = (JSON.parse((await call('/api/keys')).text) as { keys: { name: string | null }[] }).keys;
    expect(keys).toHaveLength(keysBefore);
    expect(keys.map((k) => k.name)).not.toContain('while-failing');
    const users = JSON.parse((await call('/api/users')).text) as { users: { email: string }[] };
    expect(users.users.map((u) => u.email)).not.toContain('failing@example.com');

    // once writes work again, a change is recorded as started, then with its outcome
    const applied = await call('/api/keys', { body: { role: 'analyst', name: 'after-failing' } });
    expect(applied.status).toBe(201);
    const records = (await trail()).filter((r) => r.requestId === applied.requestId);
    expect(records.map((r) => r.result).sort()).toEqual(['ok', 'started']);
  });

  it('a change whose outcome record fails is answered 503, its started record already in the trail', async () => {
    faults.writesOf = (entry) => entry.action === 'keys.create' && entry.result !== 'started';
    const created = await call('/api/keys', { body: { role: 'analyst', name: 'outcome-unrecorded' } });
    faults.writesOf = null;
    expect(created.status).toBe(503);
    expect(created.text).not.toContain('pulse_'); // the secret is not handed out
    expect(JSON.parse(created.text)).toMatchObject({
      error: { code: 'audit_unavailable', message: expect.stringContaining('may have been applied') },
    });
    const records = (await trail()).filter((r) => r.requestId === created.requestId);
    expect(records.map((r) => [r.action, r.result])).toEqual([['keys.create', 'started']]);
  });

  it('verify reports the records it knows were not written, and a trail it cannot read', async () => {
    const verify = await call('/api/audit/verify');
    expect(verify.status).toBe(200);
    const report = JSON.parse(verify.text) as {
      ok: boolean;
      problem: unknown;
      failedWrites: { count: number; lastError: string };
    };
    expect(report.ok).toBe(false);
    expect(report.problem).toBeNull(); // the chain of what was written is intact
    expect(report.failedWrites.count).toBeGreaterThan(0);
    expect(report.failedWrites.lastError).toContain('No space left on device');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`pulse_audit_write_failures_total ${report.failedWrites.count}`);

    faults.reads = true;
    const unreadable = await call('/api/audit/verify');
    faults.reads = false;
    expect(unreadable.status).toBe(503);
    expect(JSON.parse(unreadable.text)).toMatchObject({ error: { code: 'audit_unavailable' } });
  });

  it('after the failure clears, every read answered 200 has its record', async () => {
    const answers = await Promise.all(reads.map((read) => call(read.path, read)));
    expect(answers.map((a) => a.status)).toEqual(reads.map(() => 200));
    const ids = new Set((await trail()).filter((r) => r.result === 'ok').map((r) => r.requestId));
    for (const answer of answers) expect(ids.has(answer.requestId ?? '')).toBe(true);
  });

  it('under concurrent reads with intermittent failures, the 200 answers and their records match one to one', async () => {
    faults.everyNthWrite = 3;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const read = reads[i % 2] as (typeof reads)[number];
        return call(read.path, read);
      }),
    );
    faults.everyNthWrite = 0;
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    expect(served.length + refused.length).toBe(answers.length);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) expect(answer.text).not.toContain(TENANT);

    const asked = new Set(answers.map((a) => a.requestId));
    const recorded = (await trail()).filter(
      (r) => asked.has(r.requestId) && (r.action === 'summary.read' || r.action === 'query.run'),
    );
    expect(recorded.every((r) => r.result === 'ok')).toBe(true);
    expect(recorded.map((r) => r.requestId).sort()).toEqual(served.map((a) => a.requestId).sort());
  });

  it('verify finds records it wrote that are gone from the end of the trail', async () => {
    const intact = JSON.parse((await call('/api/audit/verify')).text) as { head: { seq: number } };
    const sql = await (server.store as DuckDbEventStore).connect();
    try {
      await sql.run(`DELETE FROM audit_log WHERE seq > ${intact.head.seq - 2}`);
    } finally {
      sql.closeSync();
    }
    const report = JSON.parse((await call('/api/audit/verify')).text) as {
      ok: boolean;
      problem: { kind: string; seq: number };
    };
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: 'removed' });
  });
});
