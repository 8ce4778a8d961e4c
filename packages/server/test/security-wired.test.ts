import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { main } from '../src/cli/index.js';

/** Keys and the audit trail through the real server (composition root, real DuckDB file). */
describe('security: keys and audit, wired', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const as = async (key: string, path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('a tenant_executive key reads its tenant, is refused another, and the refusal is audited', async () => {
    const created = await server.api<{ id: string; key: string }>('/api/keys', {
      body: { role: 'tenant_executive', tenants: ['acme'], name: 'acme board' },
    });
    expect(created.status).toBe(201);
    const { id, key } = created.body;
    expect((await as(key, '/api/summary?tenant=acme')).status).toBe(200);
    expect((await as(key, '/api/summary?tenant=globex')).status).toBe(403);
    expect((await as(key, '/api/summary')).status).toBe(200);

    // written before each response went out: no waiting
    const denied = (
      await server.api<{ records: Record<string, unknown>[] }>(`/api/audit?actor=${id}&result=denied`)
    ).body.records;
    expect(denied[0]).toMatchObject({ action: 'summary.read', scope: ['globex'], result: 'denied' });
    const ok = (await server.api<{ records: Record<string, unknown>[] }>(`/api/audit?actor=${id}&result=ok`))
      .body.records;
    expect(ok.map((r) => r.scope)).toEqual(expect.arrayContaining([['acme']]));

    expect((await server.api('/api/keys/' + id, { method: 'DELETE' })).status).toBe(200);
    expect((await as(key, '/api/summary?tenant=acme')).status).toBe(401);
    expect((await server.api<{ ok: boolean }>('/api/audit/verify')).body.ok).toBe(true);
  });

  it('the CLI verifies the trail', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => (out.push(chunk), true);
    try {
      const code = await main([
        'node',
        'pulse',
        'audit',
        'verify',
        '--url',
        server.url,
        '--key',
        server.adminKey,
      ]);
      expect(code).toBe(0);
      const keys = await main([
        'node',
        'pulse',
        'keys',
        'list',
        '--json',
        '--url',
        server.url,
        '--key',
        server.adminKey,
      ]);
      expect(keys).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toContain('audit trail intact');
  });
});
