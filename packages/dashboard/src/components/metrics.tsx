import type { ComponentChildren } from 'preact';
import type { Summary, Trend, TrendComparison } from '../types';
import { compactMoney, money, num } from '../format';
import { explainHref } from './explain';

const arrows: Record<Trend, string> = { improving: '▲', stable: '▶', declining: '▼' };

type Format = (v: number | null) => string;

const changeText = (cmp: TrendComparison): string =>
  cmp.change === null
    ? ''
    : cmp.basis === 'relative'
      ? ` ${cmp.change >= 0 ? '+' : ''}${(cmp.change * 100).toFixed(1)} %`
      : ` ${cmp.change >= 0 ? '+' : ''}${cmp.change.toFixed(1)} pts`;

/**
 * One KPI card: one quantity, and when the summary compares it with the previous window, that same
 * quantity's previous value and change (its `current` is the headline), so the three never disagree.
 */
function Kpi(props: {
  id: string;
  /** The summary's window, which the explanation link covers. */
  window: Summary['window'];
  title: string;
  value: number | null;
  format: Format;
  tone?: 'pos' | 'neg';
  comparison?: { trend: Trend; cmp: TrendComparison };
  children?: ComponentChildren;
}) {
  const c = props.comparison;
  return (
    <article
      class="card metric"
      data-testid={`metric-${props.id}`}
      data-value={props.value ?? ''}
      data-previous={c ? (c.cmp.previous ?? '') : undefined}
      data-change={c ? (c.cmp.change ?? '') : undefined}
      data-basis={c?.cmp.basis}
    >
      <h3>
        <a
          class="explain-link"
          href={explainHref(props.id, props.window.from, props.window.to)}
          title="How is this computed?"
        >
          {props.title}
        </a>
      </h3>
      <p class={props.tone ? `value ${props.tone}` : 'value'}>{props.format(props.value)}</p>
      {c && (
        <p class={`trend trend-${c.trend}`}>
          <span aria-hidden="true">{arrows[c.trend]}</span>
          <span class="sr-only">{c.trend}</span>
          {changeText(c.cmp)}
          <span class="previous"> · previous window {props.format(c.cmp.previous)}</span>
        </p>
      )}
      {props.children}
    </article>
  );
}

/** The key metrics of the executive summary, each with its trend against the previous window. */
export function Metrics({ summary }: { summary: Summary }) {
  const k = summary.keyMetrics;
  const t = summary.trendAnalysis;
  const score = (v: number | null) => num(v, 1);
  return (
    <section class="metrics" aria-label="Key metrics">
      <Kpi
        window={summary.window}
        id="netRevenueImpact"
        title="Net revenue impact"
        value={t.revenue.current}
        format={compactMoney}
        comparison={{ trend: t.revenueTrend, cmp: t.revenue }}
      >
        <p class="note">gained − lost in the window</p>
      </Kpi>
      <Kpi
        window={summary.window}
        id="negativeRevenueImpact"
        title="Revenue at risk"
        value={k.negativeRevenueImpact}
        format={compactMoney}
        tone="neg"
      >
        <p class="note">
          vs {compactMoney(k.positiveRevenueImpact)} gained · score{' '}
          <a
            href={explainHref('businessPerformanceScore', summary.window.from, summary.window.to)}
            data-testid="metric-businessPerformanceScore"
            data-value={k.businessPerformanceScore}
          >
            {num(k.businessPerformanceScore, 1)}
          </a>
        </p>
      </Kpi>
      <Kpi
        window={summary.window}
        id="costOptimizationSavings"
        title="Realized savings"
        value={t.cost.current}
        format={compactMoney}
        tone="pos"
        comparison={{ trend: t.costTrend, cmp: t.cost }}
      >
        <p class="note">
          <a
            href={explainHref('projectedSavings', summary.window.from, summary.window.to)}
            data-testid="metric-projectedSavings"
            data-value={k.projectedSavings}
          >
            {compactMoney(k.projectedSavings)} projected
          </a>
        </p>
      </Kpi>
      <Kpi
        window={summary.window}
        id="operationalEfficiencyScore"
        title="Efficiency score"
        value={t.efficiency.current}
        format={score}
        comparison={{ trend: t.efficiencyTrend, cmp: t.efficiency }}
      />
      <Kpi
        window={summary.window}
        id="strategicDecisionsTracked"
        title="Decisions tracked"
        value={k.strategicDecisionsTracked}
        format={(v) => num(v)}
      >
        <p class="note">
          across {num(summary.tenants)} tenant{summary.tenants === 1 ? '' : 's'}
        </p>
      </Kpi>
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
