import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

/** The audit table as stores made before client request ids were kept created it. */
const olderAuditTableSql = `CREATE TABLE audit_log (
  seq BIGINT NOT NULL, "at" TIMESTAMP NOT NULL, actor_kind VARCHAR NOT NULL, actor_id VARCHAR NOT NULL,
  actor_role VARCHAR, action VARCHAR NOT NULL, scope VARCHAR NOT NULL, detail VARCHAR NOT NULL,
  result VARCHAR NOT NULL, request_id VARCHAR, prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL)`;

/** Two records chained and hashed as those stores did: sha256 over the 9-field JSON array. */
async function writeOlderStore(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  try {
    await c.run(olderAuditTableSql);
    let prev = '0'.repeat(64);
    for (const seq of [1, 2]) {
      const at = Date.UTC(2026, 0, seq);
      const fields = [
        seq,
        new Date(at).toISOString(),
        ['api_key', 'bootstrap-admin', 'admin'],
        'summary.read',
        ['acme'],
        { method: 'GET' },
        'ok',
        `req-${seq}`,
        prev,
      ];
      const hash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
      await c.run(
        `INSERT INTO audit_log VALUES (${seq}, epoch_ms(${at}), 'api_key', 'bootstrap-admin', 'admin', 'summary.read', '["acme"]', '{"method":"GET"}', 'ok', 'req-${seq}', '${prev}', '${hash}')`,
      );
      prev = hash;
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

interface AuditRow {
  seq: number;
  requestId: string;
  clientRequestId: string | null;
}

describe('request ids in the audit trail', () => {
  const dataDir = temporaryDirectory('pulse-audit-ids-');
  let server: TestServer;

  const get = async (path: string, clientId?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        ...(clientId !== undefined ? { 'x-request-id': clientId } : {}),
      },
    });
    return {
      status: response.status,
      id: response.headers.get('x-request-id') ?? '',
      body: await response.text(),
    };
  };
  const records = async () =>
    (JSON.parse((await get('/api/audit?limit=10000')).body) as { records: AuditRow[] }).records;
  const verify = async () =>
    JSON.parse((await get('/api/audit/verify')).body) as { ok: boolean; records: number };

  beforeAll(async () => {
    await writeOlderStore(join(dataDir, 'pulse.duckdb'));
    server = await startTestServer({}, dataDir);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a store made before the change, and its older records still verify', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, problem: null });
    const older = (await records()).filter((r) => r.seq <= 2);
    expect(older.map((r) => [r.requestId, r.clientRequestId])).toEqual([
      ['req-2', null],
      ['req-1', null],
    ]);
  });

  it('keys the audit record by the server id, whatever the client sends', async () => {
    const first = await get('/api/summary');
    const huge = await get('/api/summary', 'x'.repeat(8192));
    const colliding = await get('/api/summary', first.id);
    const unsafe = await get('/api/summary', 'abc def<script>');
    for (const answer of [first, huge, colliding, unsafe]) {
      expect(answer.status).toBe(200);
      expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set([first.id, huge.id, colliding.id, unsafe.id]).size).toBe(4);

    const trail = await records();
    expect(trail.every((r) => r.requestId.length <= 64)).toBe(true);
    const byId = (id: string) => trail.filter((r) => r.requestId === id);
    expect(byId(first.id)).toHaveLength(1); // the colliding one did not take its key
    expect(byId(huge.id)[0]?.clientRequestId).toBeNull();
    expect(byId(unsafe.id)[0]?.clientRequestId).toBeNull();
    expect(byId(colliding.id)[0]?.clientRequestId).toBe(first.id);
  });

  it('keeps a safe client id beside the server id, in errors, the API and the CLI', async () => {
    const refused = await get('/api/summary?from=not-a-time', 'trace-42:abc');
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { requestId: refused.id } });
    const record = (await records()).find((r) => r.requestId === refused.id);
    expect(record?.clientRequestId).toBe('trace-42:abc');

    const cli = await runCli(
      {},
      'audit',
      'list',
      '--url',
      server.url,
      '--key',
      server.adminKey,
      '--limit',
      '20',
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('clientRequestId');
    expect(cli.stdout).toContain('trace-42:abc');
  });

  it('verifies across a restart: older and newer records in one chain', async () => {
    const before = await verify();
    expect(before.ok).toBe(true);
    await server.close();
    server = await startTestServer({}, dataDir);
    const after = await verify();
    expect(after.ok).toBe(true);
    expect(after.records).toBeGreaterThan(before.records);
  });
});
