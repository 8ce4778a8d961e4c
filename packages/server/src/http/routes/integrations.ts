import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { parseTenantMap } from '../../webhooks/tenant-map-input.js';
import type { Webhooks } from '../../webhooks/index.js';
import { providerNames } from '../../webhooks/provider.js';
import { guard } from '../auth.js';

const count = Type.Integer({ minimum: 0 });
const errorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() }),
});

export const providerStatusSchema = Type.Object({
  provider: Type.Union(providerNames.map((p) => Type.Literal(p))),
  configured: Type.Boolean(),
  endpoint: Type.String({ description: 'Path the provider posts to' }),
  lastAcceptedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  accepted: count,
  duplicates: count,
  refused: Type.Record(Type.String(), count, { description: 'Refused requests by reason' }),
  failed: count,
  lastError: Type.Union([Type.Object({ at: Type.String(), message: Type.String() }), Type.Null()]),
});

const tenantMapSchema = Type.Object(
  {
    domains: Type.Record(Type.String(), Type.String({ minLength: 1 })),
    stripeCustomers: Type.Record(Type.String(), Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type TenantMapBody = Static<typeof tenantMapSchema>;

const tenantMapView = Type.Object({
  configured: tenantMapSchema,
  stored: tenantMapSchema,
});

/** Provider webhooks as operators see them (admin only): status per provider, and the tenant map. */
export function integrationRoutes(app: FastifyInstance, webhooks: Webhooks): void {
  app.get(
    '/api/integrations',
    {
      schema: {
        response: { 200: Type.Object({ integrations: Type.Array(providerStatusSchema) }), 403: errorSchema },
      },
    },
    async (request) => {
      guard(request, 'integrations:manage');
      return {
        integrations: webhooks.status.list().map((s) => ({ ...s, endpoint: `/webhooks/${s.provider}` })),
      };
    },
  );

  app.get(
    '/api/integrations/tenant-map',
    { schema: { response: { 200: tenantMapView, 403: errorSchema } } },
    async (request) => {
      guard(request, 'integrations:manage');
      return webhooks.tenants.view();
    },
  );

  app.put<{ Body: TenantMapBody }>(
    '/api/integrations/tenant-map',
    {
      schema: { body: tenantMapSchema, response: { 200: tenantMapView, 400: errorSchema, 403: errorSchema } },
    },
    async (request) => {
      guard(request, 'integrations:manage');
      const map = parseTenantMap(request.body, (problem) => new ValidationError('body', problem));
      await webhooks.tenants.replace(map);
      return webhooks.tenants.view();
    },
  );
}
