import { bounceRateLimit } from '@pulse/events/measures';
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

/** Why each component scores what it scores: the health formula with this window's inputs. */
function explain(name: ComponentName, c: HealthComponent): string {
  const i = c.inputs;
  switch (name) {
    case 'revenue':
      return `50 + performance score / 2. Positive ${money(i.positive)} vs negative ${money(i.negative)} from ${num(i.events)} events: performance score ${num(i.businessPerformanceScore, 1)}.`;
    case 'efficiency':
      return `Mean of the latest efficiency_score of each metric per tenant: ${num(i.operationalEfficiencyScore, 1)} over ${num(i.metrics)} metrics.`;
    case 'deliverability':
      return `100 × (1 − bounce rate / ${pct(bounceRateLimit, 0)}). Email-weighted bounce rate ${pct(i.bounceRate)} over ${num(i.emails)} emails.`;
    case 'cost':
      return `100 × realized / (realized + projected) savings: ${money(i.realized)} realized, ${money(i.projected)} projected.`;
    case 'resources':
      return `Share of resources marked cost-efficient in their latest snapshot: ${num(i.costEfficient)} of ${num(i.resources)}.`;
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
                  : explain(name, c)}
              </p>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
