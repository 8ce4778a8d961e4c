import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { insightOutcomeRoutes as contract, type WindowQuery } from '@pulse/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Rule } from '../../alerts/rule-model.js';
import { ValidationError } from '../../errors.js';
import { benchmarks } from '../../insights/benchmarks.js';
import { DAY_MS, DECISIONS_READ_LIMIT, decisionInsights } from '../../insights/decisions.js';
import { businessImpact, captureDays, dayText } from '../../insights/impact.js';
import type { InsightStore } from '../../storage/insight-store.js';
import type { TenantScope } from '../../storage/query-runner.js';
import { guard } from '../auth.js';
import { listParam, timeParam } from '../query-params.js';

/** Alerts one impact answer reads at most (the newest of its two periods). */
const ALERTS_READ_LIMIT = 20_000;

export interface InsightRouteDeps {
  store: InsightStore;
  rules: { rules(): readonly Rule[] };
  /** Now, epoch ms: the default window ends here, and reviews are overdue as of it. */
  clock: () => number;
  /** Stores the capture counts still in memory, so an answer includes every capture so far. */
  flushCaptureCounts?: () => Promise<void>;
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
    // Every tenant's totals: a percentile is a position among all of them, whoever asks.
    return benchmarks(await store.tenantTotals({ from, to }), scope, { from, to });
  });

  api.get('/api/insights/impact', { schema: contract.getImpact }, async (request) => {
    const { scope, from, to } = scopeAndWindow(request, request.query, deps.clock(), 30);
    const current = { from, to };
    const previous = { from: from - (to - from), to: from };
    const visible = (t: { tenantId: string }) => scope === 'all' || scope.includes(t.tenantId);
    await deps.flushCaptureCounts?.();
    const days = { first: captureDays(previous).first, last: captureDays(current).last };
    const [decisions, alerts, totalsNow, totalsBefore, capture] = await Promise.all([
      store.decisions({ tenants: scope, to, limit: DECISIONS_READ_LIMIT }),
      store.alertTimings({ tenants: scope, from: previous.from, to, limit: ALERTS_READ_LIMIT }),
      store.tenantTotals(current),
      store.tenantTotals(previous),
      store.captureCounts({ tenants: scope, fromDay: dayText(days.first), toDay: dayText(days.last) }),
    ]);
    const absenceRules = new Set(
      deps.rules
        .rules()
        .filter((r) => r.condition.kind === 'overdue')
        .map((r) => r.id),
    );
    return businessImpact({
      current,
      previous,
      decisions: decisions.records,
      alerts,
      absenceRules,
      totals: { current: totalsNow.filter(visible), previous: totalsBefore.filter(visible) },
      capture,
    });
  });
}
