import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from './audit-chain.js';
import { apiErrorHandler } from '../http/errors.js';
import { auditRequests } from './audit-requests.js';

/** An audit log whose writes take `delayMs` and can fail; it notes when each write finished. */
function slowLog(delayMs: number, fail = false) {
  const written: { entry: AuditEntry; at: number }[] = [];
  return {
    written,
    append: async (entry: AuditEntry) => {
      await new Promise((r) => setTimeout(r, delayMs));
      if (fail) throw new Error('disk full');
      written.push({ entry, at: performance.now() });
      return { ...entry, seq: written.length, prevHash: '', hash: '' };
    },
  };
}

describe('auditRequests', () => {
  const apps: ReturnType<typeof Fastify>[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function serve(log: ReturnType<typeof slowLog>, applied: string[] = []) {
    const app = Fastify();
    apps.push(app);
    app.setErrorHandler(apiErrorHandler);
    auditRequests(app, log);
    app.get('/api/summary', async () => ({ ok: true }));
    app.post('/api/keys', async (_request, reply) => {
      applied.push('k1');
      return reply.code(201).send({ id: 'k1' });
    });
    app.get('/api/alerts/:id', async () => {
      throw Object.assign(new Error('alert a1 not found'), { statusCode: 404 });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  it('writes the record before the response goes out, for successes, changes and errors', async () => {
    const log = slowLog(60);
    const url = await serve(log);
    for (const [method, path, status, action] of [
      ['GET', '/api/summary?tenant=acme', 200, 'summary.read'],
      ['POST', '/api/keys', 201, 'keys.create'],
      ['GET', '/api/alerts/a1', 404, 'alerts.read'],
    ] as const) {
      const before = log.written.length;
      const response = await fetch(`${url}${path}`, { method });
      const answeredAt = performance.now();
      expect(response.status).toBe(status);
      expect(log.written).toHaveLength(before + (method === 'POST' ? 2 : 1));
      const record = log.written.at(-1);
      expect(record?.entry.action).toBe(action);
      expect(record?.at).toBeLessThanOrEqual(answeredAt);
    }
    // the change was recorded as started before its handler ran, then its outcome
    expect(log.written.map((w) => w.entry.result)).toEqual(['ok', 'started', 'ok', 'error']);
    expect(log.written[0]?.entry.scope).toEqual(['acme']);
  });

  it('a failed audit write refuses a read with 503 and no data', async () => {
    const url = await serve(slowLog(5, true));
    const response = await fetch(`${url}/api/summary`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('audit_unavailable');
    expect(body.error.message).toContain('disk full');
    expect(JSON.stringify(body)).not.toContain('"ok":true');
  });

  it('a change whose started record cannot be written is refused before it runs', async () => {
    const applied: string[] = [];
    const url = await serve(slowLog(5, true), applied);
    const response = await fetch(`${url}/api/keys`, { method: 'POST' });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('audit_unavailable');
    expect(applied).toEqual([]);
  });
});
