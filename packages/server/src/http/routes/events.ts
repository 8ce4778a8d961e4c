import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../storage/event-store.js';
import { guard, tenantFilter } from '../auth.js';
import { limitParam, listParam, timeParam } from '../query-params.js';

interface EventsQuery {
  tenant?: string | string[];
  event?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

/** GET /api/events: what was stored, newest first, with keyset pagination. */
export function eventRoutes(app: FastifyInstance, store: EventStore): void {
  app.get<{ Querystring: EventsQuery }>('/api/events', async (request) => {
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
        distinct_id: e.distinctId,
        tenant_id: e.tenantId,
        timestamp: new Date(e.timestamp).toISOString(),
        ingested_at: new Date(e.ingestedAt).toISOString(),
        properties: e.properties,
      })),
      next_cursor: page.nextCursor,
    };
  });
}
