import type { ReportSection } from '@pulse/api';
import type { Analytics } from '../analytics/analytics.js';
import type { Alert } from '../alerts/types.js';
import type { InsightSources } from '../insights/scoped.js';
import type { AlertFilter, Budget } from '../storage/alert-store.js';
import type { AnalyticsReads } from '../storage/analytics-reads.js';
import type { ForecastSeriesStore } from '../storage/forecast-series-store.js';
import type { Chart } from './charts.js';
import type { ValueKind } from '@pulse/events/format';
import type { Tenants } from './scope.js';

/** What a section reads from: everything already narrowed to one recipient's tenants. */
export interface SectionContext {
  tenants: Tenants;
  period: { from: number; to: number };
  now: number;
  analytics: Analytics;
  reads: Pick<AnalyticsReads, 'reportRows'>;
  budgets: () => Promise<Budget[]>;
  alerts: (filter: AlertFilter) => Promise<Alert[]>;
  /** The insight modules' stores; the sections pass them the recipient's tenants. */
  insights: InsightSources;
  forecastSeries: ForecastSeriesStore;
  /** Links into the dashboard (null without PULSE_PUBLIC_URL). */
  publicUrl: string | null;
}

/** One headline figure: formatted for people, with the previous period's value and the trend when known. */
export interface Metric {
  label: string;
  value: string;
  previous: string | null;
  trend: string | null;
}

export interface Column {
  key: string;
  label: string;
  kind: ValueKind;
}

/** A table: shown formatted in HTML and PDF, written raw to its own CSV file. */
export interface ReportTable {
  /** The CSV file's name, without extension. */
  name: string;
  title: string;
  columns: Column[];
  rows: Record<string, unknown>[];
}

export interface SectionContent {
  id: ReportSection;
  title: string;
  /** How the figures are defined, in a sentence or two. */
  note: string;
  metrics: Metric[];
  charts: Chart[];
  tables: ReportTable[];
}

/** A report section: adding one is one entry in the registry (sections.ts). */
export interface SectionDefinition {
  id: ReportSection;
  title: string;
  build(context: SectionContext): Promise<SectionContent>;
}

export const col = (key: string, label: string, kind: ValueKind): Column => ({ key, label, kind });
