import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { eventRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { reportCsv, runReport } from '../../reports/run-report.js';
import type { AnalyticsReads } from '../../storage/analytics-reads.js';
import type { QueryLimits, QueryRunner } from '../../storage/query-runner.js';
import { guard } from '../auth.js';
import { concurrencyGate } from '../../concurrency-gate.js';
import { listParam, timeParam } from '../query-params.js';

/** Ad-hoc query limits (PULSE_QUERY_*): maxRows is the largest `max_rows` a caller may ask for. */
export interface QuerySettings extends QueryLimits {
  concurrency: number;
}

/** SQL text longer than this is refused before DuckDB parses it. */
export const MAX_SQL_LENGTH = 100_000;

/** Ad-hoc read-only SQL (POST /api/query) and the named reports (GET /api/reports/:name). */
export function queryRoutes(
  app: FastifyInstance,
  { queries, analyticsReads }: { queries: QueryRunner; analyticsReads: Pick<AnalyticsReads, 'reportRows'> },
  settings: QuerySettings,
): void {
  // Bounds the memory DuckDB can spend on ad-hoc SQL at once; the rest wait or get 503.
  const gate = concurrencyGate(settings.concurrency, 32, 'ad-hoc queries');
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/api/query', { schema: contract.runQuery }, async (request) => {
    const startedAt = performance.now();
    const scope = guard(request, 'query:run');
    const { sql, max_rows: asked = request.body.maxRows } = request.body;
    if (!sql.trim()) throw new ValidationError('sql', 'is required: {"sql": "SELECT …"}');
    if (sql.length > MAX_SQL_LENGTH)
      throw new ValidationError('sql', `is ${sql.length} characters; at most ${MAX_SQL_LENGTH} are accepted`);
    const maxRows = asked ?? settings.maxRows;
    if (maxRows > settings.maxRows)
      throw new ValidationError('max_rows', `must be a whole number from 1 to ${settings.maxRows}`);
    const result = await gate(() =>
      queries.run(sql, scope, {
        timeoutMs: settings.timeoutMs,
        maxRows,
        maxBytes: settings.maxBytes,
        startedAt,
      }),
    );
    return { dialect: queries.dialect, ...result };
  });

  api.get('/api/reports/:name', { schema: contract.getReport }, async (request, reply) => {
    const q = request.query;
    const scope = guard(request, 'reports:read', listParam(q.tenant));
    const from = timeParam('from', q.from);
    const to = timeParam('to', q.to);
    const report = await runReport(analyticsReads, request.params.name, scope, {
      now: Date.now(),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    });
    if (q.format === 'csv' || request.headers.accept === 'text/csv')
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report.name}.csv"`)
        .send(reportCsv(report));
    return report;
  });
}
