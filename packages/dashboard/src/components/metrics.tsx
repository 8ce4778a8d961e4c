import { netRevenueImpact } from '@pulse/events/measures';
import type { Summary, Trend, TrendComparison } from '../types';
import { money, num } from '../format';

const arrows: Record<Trend, string> = { improving: '▲', stable: '▶', declining: '▼' };

function TrendBadge({
  trend,
  cmp,
  fmt,
}: {
  trend: Trend;
  cmp: TrendComparison;
  fmt: (v: number | null) => string;
}) {
  const change =
    cmp.change === null
      ? ''
      : cmp.basis === 'relative'
        ? ` ${cmp.change >= 0 ? '+' : ''}${(cmp.change * 100).toFixed(1)} %`
        : ` ${cmp.change >= 0 ? '+' : ''}${cmp.change.toFixed(1)} pts`;
  return (
    <p class={`trend trend-${trend}`}>
      <span aria-hidden="true">{arrows[trend]}</span>
      <span class="sr-only">{trend}</span>
      {change}
      <span class="previous"> · previous {fmt(cmp.previous)}</span>
    </p>
  );
}

/** The key metrics of the executive summary, each with its trend against the previous window. */
export function Metrics({ summary }: { summary: Summary }) {
  const k = summary.keyMetrics;
  const t = summary.trendAnalysis;
  const m = (v: number | null) => money(v, true);
  const score = (v: number | null) => num(v, 1);
  return (
    <section class="metrics" aria-label="Key metrics">
      <article
        class="card metric"
        data-testid="metric-monthlyRevenueProtection"
        data-value={k.monthlyRevenueProtection}
      >
        <h3>Revenue protection / month</h3>
        <p class="value">{money(k.monthlyRevenueProtection, true)}</p>
        <TrendBadge trend={t.revenueTrend} cmp={t.revenue} fmt={m} />
        <p class="note">
          net impact {money(netRevenueImpact(k.positiveRevenueImpact, k.negativeRevenueImpact), true)}
        </p>
      </article>
      <article
        class="card metric"
        data-testid="metric-negativeRevenueImpact"
        data-value={k.negativeRevenueImpact}
      >
        <h3>Revenue at risk</h3>
        <p class="value neg">{money(k.negativeRevenueImpact, true)}</p>
        <p class="note">
          vs {money(k.positiveRevenueImpact, true)} gained · score{' '}
          <span data-testid="metric-businessPerformanceScore" data-value={k.businessPerformanceScore}>
            {num(k.businessPerformanceScore, 1)}
          </span>
        </p>
      </article>
      <article
        class="card metric"
        data-testid="metric-costOptimizationSavings"
        data-value={k.costOptimizationSavings}
      >
        <h3>Realized savings</h3>
        <p class="value pos">{money(k.costOptimizationSavings, true)}</p>
        <TrendBadge trend={t.costTrend} cmp={t.cost} fmt={m} />
        <p class="note" data-testid="metric-projectedSavings" data-value={k.projectedSavings}>
          {money(k.projectedSavings, true)} projected
        </p>
      </article>
      <article
        class="card metric"
        data-testid="metric-operationalEfficiencyScore"
        data-value={k.operationalEfficiencyScore ?? ''}
      >
        <h3>Efficiency score</h3>
        <p class="value">{num(k.operationalEfficiencyScore, 1)}</p>
        <TrendBadge trend={t.efficiencyTrend} cmp={t.efficiency} fmt={score} />
      </article>
      <article
        class="card metric"
        data-testid="metric-strategicDecisionsTracked"
        data-value={k.strategicDecisionsTracked}
      >
        <h3>Decisions tracked</h3>
        <p class="value">{num(k.strategicDecisionsTracked)}</p>
        <p class="note">
          across {num(summary.tenants)} tenant{summary.tenants === 1 ? '' : 's'}
        </p>
      </article>
    </section>
  );
}

export function Actions({ summary }: { summary: Summary }) {
  return (
    <section class="card actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Recommended actions</h2>
      {summary.recommendedActions.length === 0 ? (
        <p class="empty">Nothing to recommend in this window.</p>
      ) : (
        <ol>
          {summary.recommendedActions.map((a) => (
            <li key={a.action}>
              <span class="stake">{money(a.atStake, true)}</span>
              <span class="action-text">{a.action}</span>
              <span class="meta">
                {a.tenantId} · {a.eventType.replace(/_event$/, '').replace(/_/g, ' ')}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
