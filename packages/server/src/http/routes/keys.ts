import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { parseCreateKey, presentKey, type ApiKeys } from '../../access/api-keys.js';
import { auditDetail } from '../../access/audit-requests.js';
import { guard } from '../auth.js';

/** API keys: create (the key is shown once), list (never secrets), revoke. */
export function keyRoutes(app: FastifyInstance, keys: ApiKeys): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/api/keys', { schema: contract.createKey }, async (request, reply) => {
    guard(request, 'keys:manage');
    const input = parseCreateKey(request.body, Date.now());
    auditDetail(request, { role: input.role, tenants: input.tenants ?? 'all', name: input.name ?? null });
    const { id, key, record } = await keys.create(request.actor, input);
    auditDetail(request, { key_id: id });
    void reply.status(201).header('cache-control', 'no-store');
    return { ...presentKey(record, Date.now()), key };
  });

  api.get('/api/keys', { schema: contract.listKeys }, async (request) => {
    guard(request, 'keys:manage');
    return { keys: await keys.list() };
  });

  api.delete('/api/keys/:id', { schema: contract.revokeKey }, async (request) => {
    guard(request, 'keys:manage');
    auditDetail(request, { key_id: request.params.id });
    return await keys.revoke(request.params.id);
  });
}
