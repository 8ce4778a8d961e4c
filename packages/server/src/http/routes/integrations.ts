import { integrationsRoutes as contract } from '@pulse/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { parseTenantMap } from '../../webhooks/tenant-map-input.js';
import type { SourceStatusBoard } from '../../integrations/source-status.js';
import type { Webhooks } from '../../webhooks/index.js';
import { guard } from '../auth.js';

/**
 * Integrations as operators see them (admin only): status per provider webhook and per scheduled source,
 * and the tenant map.
 */
export function integrationRoutes(
  app: FastifyInstance,
  webhooks: Webhooks,
  sources: SourceStatusBoard,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/integrations', { schema: contract.listIntegrations }, async (request) => {
    guard(request, 'integrations:manage');
    return {
      integrations: webhooks.status.list().map((s) => ({ ...s, endpoint: `/webhooks/${s.provider}` })),
      sources: sources.list(),
    };
  });

  api.get('/api/integrations/tenant-map', { schema: contract.getTenantMap }, async (request) => {
    guard(request, 'integrations:manage');
    return webhooks.tenants.view();
  });

  api.put('/api/integrations/tenant-map', { schema: contract.putTenantMap }, async (request) => {
    guard(request, 'integrations:manage');
    const map = parseTenantMap(request.body, (problem) => new ValidationError('body', problem));
    await webhooks.tenants.replace(map);
    return webhooks.tenants.view();
  });
}
