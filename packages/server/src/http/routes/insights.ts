import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { insightOutcomeRoutes as contract, type WindowQuery } from '@pulse/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.js';
import { DAY_MS, DECISIONS_READ_LIMIT, decisionInsights } from '../../insights/decisions.js';
import { scopedBenchmarks, scopedImpact, type InsightSources } from '../../insights/scoped.js';
import type { TenantScope } from '../../storage/query-runner.js';
import { guard } from '../auth.js';
import { listParam, timeParam } from '../query-params.js';

export interface InsightRouteDeps extends InsightSources {
  /** Now, epoch ms: the default window ends here, and reviews are overdue as of it. */
  clock: () => number;
}

/** The caller's scope and window ([from, to), `defaultDays` up to now unless given; at most 400 days). */
function scopeAndWindow(request: FastifyRequest, q: WindowQuery, now: number, defaultDays: number) {
  const scope: TenantScope = guard(request, 'summary:read', listParam(q.tenant));
  const to = Math.trunc(timeParam('to', q.to) ?? now);
  const from = Math.trunc(timeParam('from', q.from) ?? to - defaultDays * DAY_MS);
  if (from >= to) throw new ValidationError('from', 'must be before to');
  if (to - from > 400 * DAY_MS) throw new ValidationError('from', 'the window may span at most 400 days');
  return { scope, from, to };
}

/** GET /api/insights/decisions, /benchmarks and /impact. */
export function insightOutcomeRoutes(app: FastifyInstance, deps: InsightRouteDeps): void {
  const { store } = deps;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/api/insights/decisions', { schema: contract.getDecisions }, async (request) => {
    const now = deps.clock();
    const { scope, from, to } = scopeAndWindow(request, request.query, now, 90);
    const { records, truncated } = await store.decisions({ tenants: scope, to, limit: DECISIONS_READ_LIMIT });
    return decisionInsights(records, { from, to, asOf: Math.min(to, now), truncated });
  });

  api.get('/api/insights/benchmarks', { schema: contract.getBenchmarks }, async (request) => {
    const { scope, from, to } = scopeAndWindow(request, request.query, deps.clock(), 30);
    return scopedBenchmarks(store, scope, { from, to });
  });

  api.get('/api/insights/impact', { schema: contract.getImpact }, async (request) => {
    const { scope, from, to } = scopeAndWindow(request, request.query, deps.clock(), 30);
    return scopedImpact(deps, scope, { from, to });
  });
}
