import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { summaryRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { chartSeries, type SeriesDeps } from '../../analytics/series.js';
import { ValidationError } from '../../errors.js';
import type { TenantScope } from '../../storage/query-runner.js';
import { guard } from '../auth.js';
import { listParam, timeParam } from '../query-params.js';

const DAY = 86_400_000;

/** GET /api/series?from=&to=&tenant=: the dashboard's chart series for the caller's scope. */
export function seriesRoutes(app: FastifyInstance, deps: SeriesDeps): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get('/api/series', { schema: contract.getSeries }, async (request) => {
      const q = request.query;
      const scope: TenantScope = guard(request, 'summary:read', listParam(q.tenant));
      const to = timeParam('to', q.to) ?? Date.now();
      const from = timeParam('from', q.from) ?? to - 30 * DAY;
      if (from >= to) throw new ValidationError('from', 'must be before to');
      if (to - from > 400 * DAY) throw new ValidationError('from', 'the window may span at most 400 days');
      return chartSeries(deps, scope, Math.trunc(from), Math.trunc(to));
    });
}
