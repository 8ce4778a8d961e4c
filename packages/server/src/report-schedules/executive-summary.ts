import type { ExecutiveSummary, Trend, TrendComparison } from '../analytics/summary-types.js';
import { change, money, percent, score } from '@pulse/events/format';
import { col, type Metric, type SectionDefinition } from './section-types.js';

const arrow: Record<Trend, string> = {
  improving: '▲ improving',
  stable: '► stable',
  declining: '▼ declining',
};

function compared(
  label: string,
  comparison: TrendComparison,
  trend: Trend,
  format: (n: number) => string,
): Metric {
  const diff =
    comparison.change === null
      ? ''
      : ` (${comparison.basis === 'relative' ? change(comparison.change) : `${comparison.change > 0 ? '+' : ''}${score(comparison.change)} pts`})`;
  return {
    label,
    value: comparison.current === null ? '—' : format(comparison.current),
    previous: comparison.previous === null ? '—' : format(comparison.previous),
    trend: `${arrow[trend]}${diff}`,
  };
}

/** The headline figures of the executive summary, in the order the dashboard shows them. */
export function summaryMetrics(s: ExecutiveSummary): Metric[] {
  const k = s.keyMetrics;
  const t = s.trendAnalysis;
  const plain = (label: string, value: string): Metric => ({ label, value, previous: null, trend: null });
  return [
    plain('Health score', s.overallBusinessHealth === null ? '—' : `${score(s.overallBusinessHealth)} / 100`),
    compared('Net revenue impact', t.revenue, t.revenueTrend, money),
    compared('Realized savings', t.cost, t.costTrend, money),
    compared('Operational efficiency', t.efficiency, t.efficiencyTrend, score),
    plain('Monthly revenue protection', money(k.monthlyRevenueProtection)),
    plain('Projected savings', money(k.projectedSavings)),
    plain('Business performance score', percent(k.businessPerformanceScore)),
    plain('Strategic decisions tracked', String(k.strategicDecisionsTracked)),
  ];
}

const componentNames = {
  revenue: 'Revenue',
  efficiency: 'Efficiency',
  deliverability: 'Deliverability',
  cost: 'Cost',
  resources: 'Resources',
} as const;

/** Health score with its components, key metrics against the previous period, critical alerts, actions. */
export const executiveSummary: SectionDefinition = {
  id: 'executive-summary',
  title: 'Executive summary',
  async build({ analytics, tenants, period }) {
    const s = await analytics.summarize({ tenants }, period);
    const components = (Object.keys(componentNames) as (keyof typeof componentNames)[]).map((name) => {
      const c = s.healthComponents[name];
      return {
        component: componentNames[name],
        score: c.score,
        weight: c.weight,
        effective_weight: c.effectiveWeight,
      };
    });
    return {
      id: 'executive-summary',
      title: 'Executive summary',
      note: 'The same figures as the dashboard and GET /api/summary for this scope and period. The health score is the weighted mean of the components with data; trends compare with the period of the same length just before.',
      metrics: summaryMetrics(s),
      charts: [
        {
          id: 'health-components',
          title: 'Health components (0–100)',
          format: score,
          items: components.map((c) => ({ label: c.component, value: c.score })),
        },
      ],
      tables: [
        {
          name: 'health-components',
          title: 'Health components',
          columns: [
            col('component', 'Component', 'text'),
            col('score', 'Score', 'score'),
            col('weight', 'Weight', 'score'),
            col('effective_weight', 'Effective weight', 'score'),
          ],
          rows: components,
        },
        {
          name: 'critical-alerts',
          title: 'Open critical alerts',
          columns: [
            col('tenant_id', 'Tenant', 'text'),
            col('message', 'Alert', 'text'),
            col('count', 'Count', 'count'),
            col('first_seen', 'First seen', 'time'),
            col('last_seen', 'Last seen', 'time'),
          ],
          rows: s.criticalAlerts.map((a) => ({
            tenant_id: a.tenantId,
            message: a.message ?? a.rule,
            count: a.count,
            first_seen: new Date(a.firstSeen).toISOString(),
            last_seen: new Date(a.lastSeen).toISOString(),
          })),
        },
        {
          name: 'recommended-actions',
          title: 'Recommended actions',
          columns: [
            col('action', 'Action', 'text'),
            col('at_stake', 'At stake', 'money'),
            col('tenant_id', 'Tenant', 'text'),
          ],
          rows: s.recommendedActions.map((a) => ({
            action: a.action,
            at_stake: a.atStake,
            tenant_id: a.tenantId,
          })),
        },
      ],
    };
  },
};
