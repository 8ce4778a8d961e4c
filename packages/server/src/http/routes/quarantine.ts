import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { eventRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import type { IngestPipeline } from '../../ingestion/pipeline.js';
import type { EventStore, QuarantinedEvent } from '../../storage/event-store.js';
import { guard, tenantFilter } from '../auth.js';
import { limitParam, listParam } from '../query-params.js';

function present(q: QuarantinedEvent) {
  return {
    id: q.id,
    receivedAt: new Date(q.receivedAt).toISOString(),
    batchIndex: q.batchIndex,
    event: q.event.event,
    uuid: q.event.uuid,
    distinctId: q.event.distinctId,
    timestamp: new Date(q.event.timestamp).toISOString(),
    properties: q.event.properties,
    issues: q.issues,
  };
}

/** The quarantine: business events kept aside with their reasons, replayable once fixed. */
export function quarantineRoutes(app: FastifyInstance, store: EventStore, pipeline: IngestPipeline): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/quarantine', { schema: contract.getQuarantine }, async (request) => {
    const scope = guard(request, 'quarantine:read', listParam(request.query.tenant));
    const items = await store.listQuarantine({
      ...tenantFilter(scope),
      ...(request.query.event ? { event: request.query.event } : {}),
      limit: limitParam(request.query.limit, 100, 10_000),
    });
    return { quarantined: items.map(present) };
  });

  api.post('/api/quarantine/replay', { schema: contract.replayQuarantine }, async (request) => {
    guard(request, 'quarantine:replay');
    const { ids: listed, all, fixes = {} } = request.body;
    let ids: string[];
    if (all === true) ids = (await store.listQuarantine({ limit: 100_000 })).map((q) => q.id);
    else if (listed?.length) ids = listed;
    else
      throw new ValidationError(
        'body',
        'must be {"ids": ["<quarantine id>", …], "fixes"?: {…}} or {"all": true}',
      );
    const result = await pipeline.replay(ids, fixes);
    const found = new Set([...result.replayed, ...result.stillInvalid.map((q) => q.id)]);
    return {
      replayed: result.replayed,
      stillInvalid: result.stillInvalid.map(present),
      notFound: ids.filter((id) => !found.has(id)),
    };
  });
}
