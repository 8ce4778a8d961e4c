import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from './audit-chain.js';
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

  async function serve(log: ReturnType<typeof slowLog>, onError?: (error: unknown) => void) {
    const app = Fastify();
    apps.push(app);
    auditRequests(app, log, onError ? { onError } : {});
    app.get('/api/summary', async () => ({ ok: true }));
    app.post('/api/keys', async (_request, reply) => reply.code(201).send({ id: 'k1' }));
    app.get('/api/alerts/:id', async () => {
      throw Object.assign(new Error('alert a1 not found'), { statusCode: 404 });
    });
    await app.ready();
    return app;
  }

  it('writes the record before the response goes out, for successes, changes and errors', async () => {
    const log = slowLog(60);
    const app = await serve(log);
    for (const [method, path, status, action] of [
      ['GET', '/api/summary?tenant=acme', 200, 'summary.read'],
      ['POST', '/api/keys', 201, 'keys.create'],
      ['GET', '/api/alerts/a1', 404, 'alerts.read'],
    ] as const) {
      const before = log.written.length;
      const response = await app.inject({ method, url: path });
      const answeredAt = performance.now();
      expect(response.statusCode).toBe(status);
      expect(log.written).toHaveLength(before + 1);
      const record = log.written.at(-1);
      expect(record?.entry.action).toBe(action);
      expect(record?.at).toBeLessThanOrEqual(answeredAt);
    }
    expect(log.written.map((w) => w.entry.result)).toEqual(['ok', 'ok', 'error']);
    expect(log.written[0]?.entry.scope).toEqual(['acme']);
  });

  it('a failed audit write is reported and the response still goes out unchanged', async () => {
    const errors: unknown[] = [];
    const app = await serve(slowLog(5, true), (error) => errors.push(error));
    const response = await app.inject({ method: 'POST', url: '/api/keys' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: 'k1' });
    expect(errors).toHaveLength(1);
  });
});
