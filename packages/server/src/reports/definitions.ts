import type { ColumnDisplay, ValueKind } from '@pulse/events/format';
import { ValidationError } from '../errors.js';
import type { ReportName, ReportParams } from '../storage/analytics-reads.js';

export type { ReportParams };

/** What a named report is and how it is shown; each store computes its rows (AnalyticsReads.reportRows). */
export interface ReportDefinition {
  name: ReportName;
  title: string;
  description: string;
  /** Whether the report covers [from, to) or the month to date up to `to`. */
  window: 'range' | 'month-to-date';
  /** Columns in display order: the raw names head the CSV, the titles and kinds the tables people read. */
  columns: ColumnDisplay[];
}

const column = (name: string, title: string, kind: ValueKind): ColumnDisplay => ({ name, title, kind });

/**
 * The "Executive Performance Dashboard" report, with the catalog's real event names; savings
 * split into realized (implemented) and projected (identified) — rejected optimizations save nothing —
 * with the ROI on realized savings; decisions counted as distinct decision_id (one decision emits
 * several status events); window [from, to) instead of a fixed "now() − 30 days". The efficiency column is
 * the summary's operationalEfficiencyScore for the tenant (each metric's latest score, averaged), not a mean
 * of every reading: a metric read hourly would otherwise outweigh one read daily.
 */
const performanceDashboard: ReportDefinition = {
  name: 'performance-dashboard',
  window: 'range',
  title: 'Executive performance dashboard',
  description:
    'Per active tenant (joined with subscriptions): revenue impact, savings, efficiency, decisions, performance score and optimization ROI',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('plan_name', 'Plan', 'text'),
    column('current_period_start', 'Period start', 'date'),
    column('current_period_end', 'Period end', 'date'),
    column('negative_revenue_impact', 'Revenue lost', 'money'),
    column('positive_revenue_impact', 'Revenue gained', 'money'),
    column('business_performance_score', 'Performance score', 'score'),
    column('realized_savings', 'Realized savings', 'money'),
    column('projected_savings', 'Projected savings', 'money'),
    column('optimization_roi_percentage', 'Optimization ROI', 'percent'),
    column('avg_efficiency_score', 'Efficiency score', 'score'),
    column('strategic_decisions_tracked', 'Decisions tracked', 'count'),
  ],
};

/**
 * The "Monthly cost optimization summary" report over `cost_optimization_event`, with
 * implemented/identified counted on its `optimization_type`. Month to date (UTC).
 */
const costOptimization: ReportDefinition = {
  name: 'cost-optimization',
  window: 'month-to-date',
  title: 'Cost optimization, month to date',
  description:
    'Per tenant × optimization category: count, total and average savings, average ROI, implemented vs identified',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('optimization_category', 'Category', 'text'),
    column('optimization_count', 'Optimizations', 'count'),
    column('total_savings', 'Total savings', 'money'),
    column('avg_savings_percentage', 'Average savings', 'percent'),
    column('avg_roi', 'Average ROI', 'score'),
    column('implemented_count', 'Implemented', 'count'),
    column('identified_count', 'Identified', 'count'),
  ],
};

/**
 * Strategic decisions of the window and their outcomes: one row per (tenant, decision_id), with the newest
 * event's title, type and status, and the newest stated expected and actual impacts.
 */
const decisions: ReportDefinition = {
  name: 'decisions',
  window: 'range',
  title: 'Decisions and their outcomes',
  description:
    'Per strategic decision with an event in the window: latest status, expected and actual revenue and cost impact',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('decision_id', 'Decision id', 'text'),
    column('decision_title', 'Decision', 'text'),
    column('decision_type', 'Type', 'text'),
    column('status', 'Status', 'text'),
    column('expected_revenue_impact', 'Expected revenue', 'money'),
    column('actual_revenue_impact', 'Actual revenue', 'money'),
    column('expected_cost_impact', 'Expected cost', 'money'),
    column('actual_cost_impact', 'Actual cost', 'money'),
    column('last_update', 'Last update', 'time'),
  ],
};

/** Email deliverability per tenant: emails, bounce and spam rates weighted by email_count (as the health score). */
const deliverability: ReportDefinition = {
  name: 'deliverability',
  window: 'range',
  title: 'Email deliverability',
  description: 'Per tenant: emails, and bounce and spam rates weighted by email count',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('emails', 'Emails', 'count'),
    column('bounce_rate', 'Bounce rate', 'rate'),
    column('spam_rate', 'Spam rate', 'rate'),
  ],
};

/** Monthly run-rate per tenant: Σ total_cost of each resource's newest snapshot, month to date (UTC). */
const resourceCosts: ReportDefinition = {
  name: 'resource-costs',
  window: 'month-to-date',
  title: 'Resource costs, month to date',
  description: 'Per tenant: resources and their monthly run-rate (newest total_cost of each resource)',
  columns: [
    column('tenant_id', 'Tenant', 'text'),
    column('resources', 'Resources', 'count'),
    column('monthly_run_rate', 'Monthly run-rate', 'money'),
  ],
};

export const reports: Record<ReportName, ReportDefinition> = {
  'performance-dashboard': performanceDashboard,
  'cost-optimization': costOptimization,
  decisions,
  deliverability,
  'resource-costs': resourceCosts,
};

export function reportNamed(name: string): ReportDefinition {
  const report = Object.hasOwn(reports, name) ? reports[name as ReportName] : undefined;
  if (!report)
    throw new ValidationError(
      'report',
      `"${name}" is not a report; available: ${Object.keys(reports).join(', ')}`,
    );
  return report;
}

/** Default window: the last 30 days up to `now`; month start is UTC. */
export function reportParams(now: number, from?: number, to?: number): ReportParams {
  const end = to ?? now;
  const start = from ?? end - 30 * 86_400_000;
  if (start >= end) throw new ValidationError('from', 'must be before to');
  const d = new Date(end - 1);
  return { from: start, to: end, monthStart: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
}
