import { benchmarkKpis, type Benchmarks } from '@pulse/api';
import { netRevenueImpact, weightedMean } from '@pulse/events/measures';
import type { TenantScope } from '../storage/query-runner.js';
import type { TenantTotals } from '../storage/insight-store.js';
import { percentileRank, quantile } from './benchmarks-quantiles.js';

type Kpi = (typeof benchmarkKpis)[number];

/** The KPIs tenants are compared on, each higher-is-better; null: the tenant has no data for it. */
const definitions: Record<
  Kpi,
  { label: string; unit: 'usd' | 'percent' | 'score'; value: (t: TenantTotals) => number | null }
> = {
  netRevenueImpact: {
    label: 'Net revenue impact',
    unit: 'usd',
    value: (t) => (t.revenue ? netRevenueImpact(t.revenue.positive, t.revenue.negative) : null),
  },
  realizedSavings: { label: 'Realized savings', unit: 'usd', value: (t) => t.savings?.realized ?? null },
  deliverability: {
    label: 'Deliverability (emails not bounced)',
    unit: 'percent',
    value: (t) => {
      const bounce = t.email ? weightedMean(t.email.bouncedWeight, t.email.emails) : null;
      return bounce === null ? null : (1 - bounce) * 100;
    },
  },
  efficiency: {
    label: 'Operational efficiency score',
    unit: 'score',
    value: (t) => (t.efficiency?.readings ? t.efficiency.sum / t.efficiency.readings : null),
  },
};

/**
 * Each KPI's percentiles over every tenant with a value (whoever asks), then what the caller may see: a
 * caller who sees every tenant gets the distribution and every tenant; a scoped caller only its own
 * tenants' values and percentiles — no distribution, no other tenant's value or id.
 */
export function benchmarks(
  totals: readonly TenantTotals[],
  scope: TenantScope,
  window: { from: number; to: number },
): Benchmarks {
  const visible = (tenant: string) => scope === 'all' || scope.includes(tenant);
  const ownTenants = scope === 'all' ? totals.map((t) => t.tenantId).sort() : [...new Set(scope)].sort();
  const byTenant = new Map(totals.map((t) => [t.tenantId, t]));
  return {
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    kpis: benchmarkKpis.map((kpi) => {
      const { label, unit, value } = definitions[kpi];
      const values = totals.flatMap((t) => value(t) ?? []);
      const at = (q: number) => quantile(values, q) as number;
      return {
        kpi,
        label,
        unit,
        compared: values.length,
        distribution:
          scope === 'all' && values.length
            ? { p10: at(0.1), p25: at(0.25), p50: at(0.5), p75: at(0.75), p90: at(0.9) }
            : null,
        tenants: ownTenants.filter(visible).map((tenantId) => {
          const totalsOf = byTenant.get(tenantId);
          const own = totalsOf ? value(totalsOf) : null;
          return {
            tenantId,
            value: own,
            percentile: own === null ? null : percentileRank(own, values),
          };
        }),
      };
    }),
  };
}
