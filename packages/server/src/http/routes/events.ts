import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { eventRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../storage/event-store.js';
import { guard, tenantFilter } from '../auth.js';
import { limitParam, listParam, timeParam } from '../query-params.js';

/** GET /api/events: what was stored, newest first, with keyset pagination. */
export function eventRoutes(app: FastifyInstance, store: EventStore): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get('/api/events', { schema: contract.getEvents }, async (request) => {
      const q = request.query;
      const scope = guard(request, 'events:read', listParam(q.tenant));
      const page = await store.listEvents({
        ...tenantFilter(scope),
        ...(q.event ? { event: q.event } : {}),
        ...(q.from ? { from: timeParam('from', q.from) } : {}),
        ...(q.to ? { to: timeParam('to', q.to) } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: limitParam(q.limit, 100, 10_000),
      });
      return {
        events: page.events.map((e) => ({
          uuid: e.uuid,
          event: e.event,
          distinctId: e.distinctId,
          tenantId: e.tenantId,
          timestamp: new Date(e.timestamp).toISOString(),
          ingestedAt: new Date(e.ingestedAt).toISOString(),
          properties: e.properties,
        })),
        nextCursor: page.nextCursor,
      };
    });
}
