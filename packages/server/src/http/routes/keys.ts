import type { FastifyInstance } from 'fastify';
import { parseCreateKey, presentKey, type ApiKeys } from '../../access/api-keys.js';
import { auditDetail } from '../../access/audit-requests.js';
import { guard } from '../auth.js';

/** API keys: create (the key is shown once), list (never secrets), revoke. */
export function keyRoutes(app: FastifyInstance, keys: ApiKeys): void {
  app.post<{ Body: unknown }>('/api/keys', async (request, reply) => {
    guard(request, 'keys:manage');
    const input = parseCreateKey(request.body, Date.now());
    auditDetail(request, { role: input.role, tenants: input.tenants ?? 'all', name: input.name ?? null });
    const { id, key, record } = await keys.create(request.actor, input);
    auditDetail(request, { key_id: id });
    void reply.status(201).header('cache-control', 'no-store');
    return { ...presentKey(record, Date.now()), key };
  });

  app.get('/api/keys', async (request) => {
    guard(request, 'keys:manage');
    return { keys: await keys.list() };
  });

  app.delete<{ Params: { id: string } }>('/api/keys/:id', async (request) => {
    guard(request, 'keys:manage');
    auditDetail(request, { key_id: request.params.id });
    return await keys.revoke(request.params.id);
  });
}
