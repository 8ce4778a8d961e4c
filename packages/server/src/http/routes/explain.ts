import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { explainRoutes as contract } from '@pulse/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isMetricId, metricIds } from '../../analytics/explained-metrics.js';
import { ValidationError } from '../../errors.js';
import {
  explainEvents,
  explainMetric,
  type ExplainDeps,
  type ExplainRequest,
} from '../../explain/explain.js';
import { guard } from '../auth.js';
import { limitParam, listParam, timeParam } from '../query-params.js';

const DAY = 86_400_000;
/** The longest window an explanation reads, as for the chart series. */
const MAX_WINDOW_DAYS = 400;

interface WindowQuery {
  metric?: string;
  tenant?: string | string[];
  from?: string;
  to?: string;
}

function explainRequest(request: FastifyRequest, q: WindowQuery): ExplainRequest {
  const asked = listParam(q.tenant);
  const tenants = guard(request, 'summary:read', asked);
  if (q.metric === undefined || !isMetricId(q.metric))
    throw new ValidationError(
      'metric',
      `must be one of ${metricIds.join(', ')}; received ${JSON.stringify(q.metric)}`,
    );
  const to = timeParam('to', q.to) ?? Date.now();
  const from = timeParam('from', q.from) ?? to - 30 * DAY;
  if (from >= to) throw new ValidationError('from', 'must be before to');
  if (to - from > MAX_WINDOW_DAYS * DAY)
    throw new ValidationError('from', `the window may span at most ${MAX_WINDOW_DAYS} days`);
  return {
    metric: q.metric,
    scope: { tenants },
    window: { from: Math.trunc(from), to: Math.trunc(to) },
    ...(asked?.length ? { askedTenants: asked } : {}),
  };
}

/** GET /api/explain and GET /api/explain/events: how a summary number is computed, within the caller's scope. */
export function explainRoutes(app: FastifyInstance, deps: ExplainDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/explain', { schema: contract.getExplanation }, async (request) =>
    explainMetric(deps, explainRequest(request, request.query)),
  );
  api.get('/api/explain/events', { schema: contract.getEvents }, async (request) => {
    const q = request.query;
    return explainEvents(deps, explainRequest(request, q), {
      limit: limitParam(q.limit, 100, 500),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
  });
}
