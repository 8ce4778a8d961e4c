import type { QueryRunner, TenantScope } from '../storage/query-runner.js';
import { toCsv } from '../csv.js';
import { reportNamed, reportParams } from './definitions.js';

export interface ReportResult {
  name: string;
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
  /** The period the rows cover: [from, to) or, month to date, [monthStart, to). */
  window: { kind: 'range' | 'month-to-date'; from: string; to: string; monthStart: string };
}

/** Runs a named report over the caller's scope (the query runner enforces it). */
export async function runReport(
  queries: QueryRunner,
  name: string,
  scope: TenantScope,
  options: { now: number; from?: number; to?: number },
): Promise<ReportResult> {
  const report = reportNamed(name);
  const params = reportParams(options.now, options.from, options.to);
  const result = await queries.run(report.sql(params), scope, {
    timeoutMs: 30_000,
    maxRows: 100_000,
    maxBytes: 64 * 1024 * 1024,
  });
  const index = result.columns.map((c) => c.name);
  return {
    name: report.name,
    title: report.title,
    columns: report.columns,
    rows: result.rows.map((row) =>
      Object.fromEntries(report.columns.map((c) => [c, row[index.indexOf(c)] ?? null])),
    ),
    window: {
      kind: report.window,
      from: new Date(report.window === 'range' ? params.from : params.monthStart).toISOString(),
      to: new Date(params.to).toISOString(),
      monthStart: new Date(params.monthStart).toISOString(),
    },
  };
}

/** A report's rows as CSV, its columns in display order. */
export const reportCsv = (report: ReportResult): string =>
  toCsv(
    report.columns,
    report.rows.map((row) => report.columns.map((c) => row[c])),
  );
