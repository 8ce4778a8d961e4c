import { date, dateTime, type ColumnDisplay } from '@pulse/events/format';
import type { AnalyticsReads } from '../storage/analytics-reads.js';
import type { TenantScope } from '../storage/query-runner.js';
import { toCsv } from '../csv.js';
import { reportNamed, reportParams, type ReportDefinition, type ReportParams } from './definitions.js';

export interface ReportResult {
  name: string;
  title: string;
  columns: string[];
  /** Each column's title and kind, for tables people read (CSV keeps the raw names and values). */
  columnDisplay: ColumnDisplay[];
  rows: Record<string, unknown>[];
  /** The period the rows cover, [from, to) or, month to date, [monthStart, to), and that period in words. */
  window: { kind: 'range' | 'month-to-date'; from: string; to: string; monthStart: string; label: string };
}

/** The period a report's rows cover, from its definition: what every label of it must say. */
function reportWindow(report: ReportDefinition, params: ReportParams): ReportResult['window'] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const from = report.window === 'range' ? params.from : params.monthStart;
  const label =
    report.window === 'range'
      ? `${dateTime(from)} – ${dateTime(params.to)}`
      : `Month to date: ${date(from)} – ${date(params.to - 1)} (UTC)`;
  return {
    kind: report.window,
    from: iso(from),
    to: iso(params.to),
    monthStart: iso(params.monthStart),
    label,
  };
}

/** Runs a named report over the caller's scope (the store's reads enforce it). */
export async function runReport(
  reads: Pick<AnalyticsReads, 'reportRows'>,
  name: string,
  scope: TenantScope,
  options: { now: number; from?: number; to?: number },
): Promise<ReportResult> {
  const report = reportNamed(name);
  const params = reportParams(options.now, options.from, options.to);
  const rows = await reads.reportRows(report.name, params, scope);
  const columns = report.columns.map((c) => c.name);
  return {
    name: report.name,
    title: report.title,
    columns,
    columnDisplay: report.columns,
    rows: rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null]))),
    window: reportWindow(report, params),
  };
}

/** A report's rows as CSV, its columns in display order. */
export const reportCsv = (report: ReportResult): string =>
  toCsv(
    report.columns,
    report.rows.map((row) => report.columns.map((c) => row[c])),
  );
