import type { ComponentName, HealthComponent, Summary } from '../types';
import { money, num, pct } from '../format';
import { explainHref } from './explain';

const names: Record<ComponentName, string> = {
  revenue: 'Revenue',
  efficiency: 'Efficiency',
  deliverability: 'Deliverability',
  cost: 'Cost',
  resources: 'Resources',
};

/** The inputs each component scores from in this window; its formula is in its explanation (the link). */
function inputsOf(name: ComponentName, c: HealthComponent): string {
  const i = c.inputs;
  switch (name) {
    case 'revenue':
      return `Positive ${money(i.positive)} vs negative ${money(i.negative)} from ${num(i.events)} events: performance score ${num(i.businessPerformanceScore, 1)}.`;
    case 'efficiency':
      return `Efficiency score ${num(i.operationalEfficiencyScore, 1)} over ${num(i.metrics)} metrics.`;
    case 'deliverability':
      return `Email-weighted bounce rate ${pct(i.bounceRate)} over ${num(i.emails)} emails.`;
    case 'cost':
      return `${money(i.realized)} realized, ${money(i.projected)} projected savings.`;
    case 'resources':
      return `${num(i.costEfficient)} of ${num(i.resources)} resources cost-efficient in their latest snapshot.`;
  }
}

export const tone = (score: number | null): 'good' | 'warn' | 'bad' | 'none' =>
  score === null ? 'none' : score >= 75 ? 'good' : score >= 50 ? 'warn' : 'bad';

/** The health score as a ring, with its five weighted components; each explains itself on hover or focus. */
export function Health({ summary }: { summary: Summary }) {
  const score = summary.overallBusinessHealth;
  const r = 52;
  const circumference = 2 * Math.PI * r;
  const filled = score === null ? 0 : (score / 100) * circumference;
  const components = Object.entries(summary.healthComponents) as [ComponentName, HealthComponent][];
  const href = (metric: string) => explainHref(metric, summary.window.from, summary.window.to);
  return (
    <section class="card health" aria-labelledby="health-title">
      <h2 id="health-title">
        <a class="explain-link" href={href('overallBusinessHealth')} title="How is this computed?">
          Business health
        </a>
      </h2>
      <div class="health-body">
        <div class={`ring tone-${tone(score)}`}>
          <svg viewBox="0 0 120 120" aria-hidden="true">
            <circle cx="60" cy="60" r={r} class="ring-track" />
            <circle
              cx="60"
              cy="60"
              r={r}
              class="ring-value"
              stroke-dasharray={`${filled} ${circumference}`}
              transform="rotate(-90 60 60)"
            />
          </svg>
          <div class="ring-label">
            <strong data-testid="health-score" data-value={score ?? ''}>
              {score === null ? '—' : num(score)}
            </strong>
            <span>of 100</span>
          </div>
        </div>
        <ul class="components">
          {components.map(([name, c]) => (
            <li
              key={name}
              class={`component tone-${tone(c.score)}`}
              tabIndex={0}
              aria-describedby={`why-${name}`}
            >
              <div class="component-head">
                <a class="explain-link" href={href(`health.${name}`)} data-testid={`explain-health-${name}`}>
                  {names[name]}
                </a>
                <span class="weight" title="nominal weight (effective weight after renormalisation)">
                  {Math.round(c.weight * 100)} %
                  {c.score !== null && c.effectiveWeight !== c.weight
                    ? ` → ${Math.round(c.effectiveWeight * 100)} %`
                    : ''}
                </span>
                <strong data-testid={`health-${name}`}>{c.score === null ? 'no data' : num(c.score)}</strong>
              </div>
              <div class="bar" aria-hidden="true">
                <span style={{ width: `${c.score ?? 0}%` }} />
              </div>
              <p class="why" role="tooltip" id={`why-${name}`}>
                {c.score === null
                  ? 'No data in this window: left out, the other weights renormalised.'
                  : `${inputsOf(name, c)} Open it for how it is computed.`}
              </p>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
