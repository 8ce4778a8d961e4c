import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import type { IngestPipeline } from '../../ingestion/pipeline.js';
import type { EventStore, QuarantinedEvent } from '../../storage/event-store.js';
import { guard, tenantFilter } from '../auth.js';
import { limitParam, listParam } from '../query-params.js';

function present(q: QuarantinedEvent) {
  return {
    id: q.id,
    received_at: new Date(q.receivedAt).toISOString(),
    batch_index: q.batchIndex,
    event: q.event.event,
    uuid: q.event.uuid,
    distinct_id: q.event.distinctId,
    timestamp: new Date(q.event.timestamp).toISOString(),
    properties: q.event.properties,
    issues: q.issues,
  };
}

/** The quarantine: business events kept aside with their reasons, replayable once fixed. */
export function quarantineRoutes(app: FastifyInstance, store: EventStore, pipeline: IngestPipeline): void {
  app.get<{ Querystring: { tenant?: string | string[]; event?: string; limit?: string } }>(
    '/api/quarantine',
    async (request) => {
      const scope = guard(request, 'quarantine:read', listParam(request.query.tenant));
      const items = await store.listQuarantine({
        ...tenantFilter(scope),
        ...(request.query.event ? { event: request.query.event } : {}),
        limit: limitParam(request.query.limit, 100, 10_000),
      });
      return { quarantined: items.map(present) };
    },
  );

  app.post<{ Body: { ids?: unknown; all?: unknown; fixes?: unknown } }>(
    '/api/quarantine/replay',
    async (request) => {
      guard(request, 'quarantine:replay');
      const body = request.body ?? {};
      const fixes = body.fixes ?? {};
      if (
        typeof fixes !== 'object' ||
        Array.isArray(fixes) ||
        Object.values(fixes).some((f) => typeof f !== 'object' || f === null || Array.isArray(f))
      )
        throw new ValidationError(
          'fixes',
          'must map quarantine ids to objects of corrected properties, e.g. {"<id>": {"impact_amount": 100}}',
        );
      let ids: string[];
      if (body.all === true) ids = (await store.listQuarantine({ limit: 100_000 })).map((q) => q.id);
      else if (Array.isArray(body.ids) && body.ids.length && body.ids.every((i) => typeof i === 'string'))
        ids = body.ids;
      else
        throw new ValidationError(
          'body',
          'must be {"ids": ["<quarantine id>", …], "fixes"?: {…}} or {"all": true}',
        );
      const result = await pipeline.replay(ids, fixes as Record<string, Record<string, unknown>>);
      const found = new Set([...result.replayed, ...result.stillInvalid.map((q) => q.id)]);
      return {
        replayed: result.replayed,
        still_invalid: result.stillInvalid.map(present),
        not_found: ids.filter((id) => !found.has(id)),
      };
    },
  );
}
