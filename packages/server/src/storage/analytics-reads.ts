import type { TenantScope } from './query-runner.js';

/**
 * The reads behind the executive summary, the dashboard's charts and the named reports, engine-neutral:
 * each engine's adapter answers them in its own SQL over its own tables (storage/duckdb/ for the
 * embedded store). Rebuild and edge rows are columnar, as the engine's driver hands them over: a rebuild
 * is millions of rows, and row objects would cost several times the statement itself.
 */
export interface AnalyticsReads {
  /**
   * Every business event aggregated per (tenant, UTC day) as analytics/facts.ts + day-rollup.ts compute
   * them (see RowKind), from one snapshot of the store; with `after`, only the events that snapshot of
   * the rollups does not hold.
   */
  rebuildRows(lateGraceMs: number, after?: Applied): Promise<RebuildRows>;
  /** The raw summary events of some UTC days, with the properties analytics/facts.ts reads. */
  edgeFacts(requests: readonly DayRequest[]): Promise<EdgeFactRows>;
  /** How many retention runs deleted events so far: rollups saved before a later run are stale. */
  eventDeletions(): Promise<number>;
  /** The dashboard's chart series of a scope over [from, to), in buckets of an hour or a UTC day. */
  chartSeries(scope: TenantScope, window: SeriesWindow): Promise<ChartSeriesRows>;
  /** A named report's rows over a scope, each keyed by the report's column names. */
  reportRows(name: ReportName, params: ReportParams, scope: TenantScope): Promise<ReportRow[]>;
}

/**
 * Kinds of rebuild rows, with the columns each uses. Tenant ids and keys (`tenant`, `key`) are indexes
 * into the dictionary rows of the same result: reading a number from a driver is several times cheaper
 * than reading a string.
 */
export const RowKind = {
  /** key = id, text = the string (a tenant id or a key) */
  dictionary: 0,
  /** a = Σ positive impact_amount, b = Σ negative, c = events */
  revenue: 1,
  /** a = Σ savings_amount implemented, b = Σ identified */
  cost: 2,
  /** a = Σ email_count, b = Σ bounce_rate × email_count, over events with a bounce_rate */
  email: 3,
  /** key = efficiency_metric, ts = latest timestamp, a = its score (lowest on a same-ms tie) */
  efficiency: 4,
  /** key = resource_id, ts = latest timestamp, a = ResourceState (lowest on a same-ms tie) */
  resource: 5,
  /** key = decision_id */
  decision: 6,
  /** key = action, a = stake, ts/uuid = source event, eventType = its type's index in summaryEventTypes;
   * the top 5 by stake per day, ties at the 5th kept */
  action: 7,
  /** a = latest ingested_at of a late event */
  late: 8,
  /** a tenant with any business event (no day) */
  tenant: 9,
  /** ts = newest ingested_at in the snapshot; one row per uuid ingested at that instant (uuid) */
  highWater: 10,
} as const;

/** Rebuild rows as columns of equal length: numbers (NULL as NaN), strings (NULL as null). */
export interface RebuildRows {
  rows: number;
  kind: Float64Array;
  tenant: Float64Array;
  /** The UTC day number (epoch ms / day). */
  day: Float64Array;
  key: Float64Array;
  ts: Float64Array;
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
  uuid: (string | null)[];
  eventType: Float64Array;
  text: (string | null)[];
}

/** Events a snapshot of the rollups already holds: those ingested before `ingestedAt` and the listed
 * ones ingested at it. */
export interface Applied {
  ingestedAt: number;
  uuids: readonly string[];
}

/** One UTC day (epoch ms / day) of raw events, for some tenants or all. */
export interface DayRequest {
  day: number;
  tenants: readonly string[] | 'all';
}

/** Raw events as columns: event type (its index in summaryEventTypes), times in epoch ms, properties JSON. */
export interface EdgeFactRows {
  rows: number;
  event: Float64Array;
  tenant: (string | null)[];
  timestamp: Float64Array;
  ingestedAt: Float64Array;
  uuid: (string | null)[];
  properties: (string | null)[];
}

export interface SeriesWindow {
  from: number;
  to: number;
  bucket: 'hour' | 'day';
}

/** Chart series; `t` is a bucket's start (epoch ms), sums over no rows are 0, rates over none null. */
export interface ChartSeriesRows {
  revenue: { t: number; negative: number; positive: number }[];
  savings: { t: number; realized: number; projected: number }[];
  /** The 8 metrics with the lowest latest score in the window, each bucket's mean score. */
  efficiency: { t: number; metric: string; score: number }[];
  deliverability: { t: number; bounceRate: number | null; spamRate: number | null; emails: number }[];
  /** The whole window per email provider; the risk level of each provider's latest report. */
  providers: {
    provider: string;
    emails: number;
    bounceRate: number | null;
    spamRate: number | null;
    riskLevel: string | null;
  }[];
  /** Σ of each resource's latest cost per bucket. */
  runRate: { t: number; cost: number }[];
  /** The 12 most utilized resources at their latest reading. */
  utilization: {
    tenantId: string;
    resourceId: string;
    resourceType: string;
    utilization: number | null;
    totalCost: number | null;
  }[];
  /** Tenants with events in the window (at most 1000). */
  tenants: string[];
}

export type ReportName =
  'performance-dashboard' | 'cost-optimization' | 'decisions' | 'deliverability' | 'resource-costs';

/** Parameters a named report takes; times are epoch ms, UTC. */
export interface ReportParams {
  from: number;
  to: number;
  /** For month-to-date reports: the start of the month `to` falls in. */
  monthStart: number;
}

/** Times as ISO 8601, integers beyond 2^53 as strings. */
export type ReportValue = string | number | boolean | null;
export type ReportRow = Record<string, ReportValue>;
