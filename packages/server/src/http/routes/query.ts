import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { reportCsv, runReport } from '../../reports/run-report.js';
import type { QueryRunner } from '../../storage/query-runner.js';
import { guard } from '../auth.js';
import { listParam, timeParam } from '../query-params.js';

export const QUERY_LIMITS = { timeoutMs: 10_000, maxRows: 50_000 };

/** Ad-hoc read-only SQL (POST /api/query) and the named reports (GET /api/reports/:name). */
export function queryRoutes(app: FastifyInstance, queries: QueryRunner): void {
  app.post<{ Body: { sql?: unknown; max_rows?: unknown } }>('/api/query', async (request) => {
    const scope = guard(request, 'query:run');
    const sql = request.body?.sql;
    if (typeof sql !== 'string' || !sql.trim())
      throw new ValidationError('sql', 'is required: {"sql": "SELECT …"}');
    const maxRows =
      request.body?.max_rows === undefined ? QUERY_LIMITS.maxRows : Number(request.body.max_rows);
    if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > QUERY_LIMITS.maxRows)
      throw new ValidationError('max_rows', `must be a whole number from 1 to ${QUERY_LIMITS.maxRows}`);
    return queries.run(sql, scope, { timeoutMs: QUERY_LIMITS.timeoutMs, maxRows });
  });

  app.get<{
    Params: { name: string };
    Querystring: { from?: string; to?: string; format?: string; tenant?: string | string[] };
  }>('/api/reports/:name', async (request, reply) => {
    const q = request.query;
    const scope = guard(request, 'reports:read', listParam(q.tenant));
    const from = timeParam('from', q.from);
    const to = timeParam('to', q.to);
    const report = await runReport(queries, request.params.name, scope, {
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
