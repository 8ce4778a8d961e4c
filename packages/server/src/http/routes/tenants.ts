import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { tenantRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../storage/event-store.js';
import { listTenants } from '../../tenants/tenant-directory.js';
import { guard } from '../auth.js';
import { limitParam } from '../query-params.js';

/** GET /api/tenants: the tenants the caller may see that have events, keyset-paged by id. */
export function tenantRoutes(app: FastifyInstance, store: EventStore): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get('/api/tenants', { schema: contract.getTenants }, async (request) =>
      listTenants(store, guard(request, 'summary:read'), {
        limit: limitParam(request.query.limit, 200, 1000),
        cursor: request.query.cursor,
      }),
    );
}
