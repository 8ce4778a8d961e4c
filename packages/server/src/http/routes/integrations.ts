import { integrationsRoutes as contract } from '@pulse/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { parseTenantMap } from '../../webhooks/tenant-map-input.js';
import type { Webhooks } from '../../webhooks/index.js';
import { guard } from '../auth.js';

/** Provider webhooks as operators see them (admin only): status per provider, and the tenant map. */
export function integrationRoutes(app: FastifyInstance, webhooks: Webhooks): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/integrations', { schema: contract.listIntegrations }, async (request) => {
    guard(request, 'integrations:manage');
    return {
      integrations: webhooks.status.list().map((s) => ({ ...s, endpoint: `/webhooks/${s.provider}` })),
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
