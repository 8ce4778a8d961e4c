import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { summaryRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import type { Analytics } from '../../analytics/analytics.js';
import { presentSummary } from '../../analytics/present-summary.js';
import { ValidationError } from '../../errors.js';
import type { EventStore } from '../../storage/event-store.js';
import { unknownTenants } from '../../tenants/tenant-directory.js';
import { guard } from '../auth.js';
import { listParam, timeParam } from '../query-params.js';

/**
 * GET /api/summary?tenant=&from=&to=: the executive summary for the caller's scope, naming the requested
 * tenants that have no events at all (with the nearest names the caller may see).
 */
export function summaryRoutes(app: FastifyInstance, analytics: Analytics, store: EventStore): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get('/api/summary', { schema: contract.getSummary }, async (request) => {
      const q = request.query;
      const named = listParam(q.tenant);
      const scope = guard(request, 'summary:read', named);
      const to = timeParam('to', q.to) ?? Date.now();
      const from = timeParam('from', q.from) ?? to - 30 * 86_400_000;
      if (from >= to) throw new ValidationError('from', 'must be before to');
      const [summary, unknown] = await Promise.all([
        analytics.summarize({ tenants: scope }, { from, to }),
        unknownTenants(store, named, guard(request, 'summary:read')),
      ]);
      return presentSummary(summary, unknown);
    });
}
