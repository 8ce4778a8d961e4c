import type { ReportSection } from '@pulse/api';
import { runReport, type ReportResult } from '../reports/run-report.js';
import { percent } from '@pulse/events/format';
import { executiveSummary } from './executive-summary.js';
import { benchmarksSection, forecasts, impact } from './insight-sections.js';
import { mediumAlerts } from './medium-alerts.js';
import type { Chart } from './charts.js';
import { col, type Column, type SectionContext, type SectionDefinition } from './section-types.js';

/** A named report (reports/definitions.ts) over the section's scope and period. */
const named = (name: string, { reads, tenants, period, now }: SectionContext): Promise<ReportResult> =>
  runReport(reads, name, tenants, { now, from: period.from, to: period.to });

const TOP = 10;

/** Of a named report's columns, these, titled and formatted as the report defines them (as on the dashboard). */
function shown(report: ReportResult, names: readonly string[]): Column[] {
  return names.map((name) => {
    const display = report.columnDisplay.find((c) => c.name === name);
    if (!display) throw new Error(`report ${report.name} has no column ${name}`);
    return col(name, display.title, display.kind);
  });
}

/** Per active tenant: revenue impact, savings, efficiency, decisions, performance score and ROI. */
const performanceDashboard: SectionDefinition = {
  id: 'performance-dashboard',
  title: 'Performance per tenant',
  async build(context) {
    const report = await named('performance-dashboard', context);
    const columns = shown(report, [
      'tenant_id',
      'plan_name',
      'positive_revenue_impact',
      'negative_revenue_impact',
      'business_performance_score',
      'realized_savings',
      'projected_savings',
      'optimization_roi_percentage',
      'avg_efficiency_score',
      'strategic_decisions_tracked',
    ]);
    return {
      id: this.id,
      title: this.title,
      note: `${report.title}: tenants with an active subscription, ordered by performance score ((positive − negative) / (positive + negative) × 100). ROI: realized savings / monthly price × 100.`,
      metrics: [],
      charts: [
        {
          id: 'performance-top',
          title: `Performance score, top ${TOP} tenants`,
          format: percent,
          items: report.rows.slice(0, TOP).map((r) => ({
            label: String(r.tenant_id),
            value: Number(r.business_performance_score),
          })),
        },
      ],
      tables: [{ name: 'performance-dashboard', title: this.title, columns, rows: report.rows }],
    };
  },
};

/** A section that shows one named report as its table (raw in the CSV), with an optional top-N chart. */
function namedReportSection(spec: {
  id: ReportSection;
  title: string;
  note: string;
  /** The report's columns to show, by name. */
  columns: readonly string[];
  chart?: (rows: ReportResult['rows']) => Chart;
}): SectionDefinition {
  return {
    id: spec.id,
    title: spec.title,
    async build(context) {
      const report = await named(spec.id, context);
      return {
        id: spec.id,
        title: spec.title,
        // Says the period the figures cover: a month-to-date report does not cover the schedule's period.
        note: report.window.kind === 'range' ? spec.note : `${report.window.label}. ${spec.note}`,
        metrics: [],
        charts: spec.chart ? [spec.chart(report.rows)] : [],
        tables: [
          { name: spec.id, title: report.title, columns: shown(report, spec.columns), rows: report.rows },
        ],
      };
    },
  };
}

const costOptimization = namedReportSection({
  id: 'cost-optimization',
  title: 'Cost optimization',
  note: `Per tenant and category. Implemented optimizations are realized savings; identified ones projected.`,
  columns: [
    'tenant_id',
    'optimization_category',
    'optimization_count',
    'total_savings',
    'avg_roi',
    'implemented_count',
    'identified_count',
  ],
});

const decisions = namedReportSection({
  id: 'decisions',
  title: 'Decisions and outcomes',
  note: 'Each strategic decision with an event in the period (events of one decision share its decision_id), with its newest status and stated impacts: expected against actual.',
  columns: [
    'tenant_id',
    'decision_title',
    'status',
    'expected_revenue_impact',
    'actual_revenue_impact',
    'expected_cost_impact',
    'actual_cost_impact',
  ],
});

const deliverability = namedReportSection({
  id: 'deliverability',
  title: 'Email deliverability',
  note: 'Bounce and spam rates are weighted by each event’s email_count, as in the health score’s deliverability component (which reaches 0 at a 15 % bounce rate).',
  columns: ['tenant_id', 'emails', 'bounce_rate', 'spam_rate'],
  chart: (rows) => ({
    id: 'bounce-rates',
    title: `Bounce rate, top ${TOP} tenants`,
    format: (n) => percent(n * 100),
    items: rows
      .filter((r) => r.bounce_rate !== null)
      .slice(0, TOP)
      .map((r) => ({ label: String(r.tenant_id), value: Number(r.bounce_rate) })),
  }),
});

const costsVsBudget: SectionDefinition = {
  id: 'costs-vs-budget',
  title: 'Costs against budget',
  async build(context) {
    const [report, budgets] = await Promise.all([named('resource-costs', context), context.budgets()]);
    const visible = (t: string) => context.tenants === 'all' || context.tenants.includes(t);
    const monthly = new Map(
      budgets
        .filter((b) => b.resourceType === null && visible(b.tenantId))
        .map((b) => [b.tenantId, b.monthlyUsd]),
    );
    const costs = new Map(report.rows.map((r) => [String(r.tenant_id), r]));
    const rows = [...new Set([...costs.keys(), ...monthly.keys()])].sort().map((tenant) => {
      const runRate = costs.has(tenant) ? Number(costs.get(tenant)?.monthly_run_rate) : null;
      const budget = monthly.get(tenant) ?? null;
      return {
        tenant_id: tenant,
        monthly_run_rate: runRate,
        monthly_budget: budget,
        budget_used_percentage:
          runRate !== null && budget ? Math.round((runRate / budget) * 10_000) / 100 : null,
      };
    });
    return {
      id: this.id,
      title: this.title,
      note: 'Monthly run-rate: the sum of each resource’s newest total_cost this month (UTC), against the tenant’s monthly budget (PUT /api/budgets).',
      metrics: [],
      charts: [
        {
          id: 'budget-use',
          title: 'Share of monthly budget used',
          format: percent,
          items: rows
            .filter((r) => r.budget_used_percentage !== null)
            .sort((a, b) => (b.budget_used_percentage ?? 0) - (a.budget_used_percentage ?? 0))
            .slice(0, TOP)
            .map((r) => ({ label: r.tenant_id, value: r.budget_used_percentage })),
        },
      ],
      tables: [
        {
          name: 'costs-vs-budget',
          title: this.title,
          columns: [
            col('tenant_id', 'Tenant', 'text'),
            col('monthly_run_rate', 'Monthly run-rate', 'money'),
            col('monthly_budget', 'Monthly budget', 'money'),
            col('budget_used_percentage', 'Used', 'percent'),
          ],
          rows,
        },
      ],
    };
  },
};

/** Every section, the default ones first in their order; a new one is one more entry. */
export const sections: Record<ReportSection, SectionDefinition> = {
  'executive-summary': executiveSummary,
  'performance-dashboard': performanceDashboard,
  'cost-optimization': costOptimization,
  decisions,
  deliverability,
  'costs-vs-budget': costsVsBudget,
  'medium-alerts': mediumAlerts,
  forecasts,
  impact,
  benchmarks: benchmarksSection,
};

/** Builds the asked sections in order, one at a time (they share the store). */
export async function buildSections(ids: readonly ReportSection[], context: SectionContext) {
  const built = [];
  for (const id of ids) built.push(await sections[id].build(context));
  return built;
}
