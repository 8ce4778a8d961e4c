import { HOUR_MS, clamp, round } from './format.js';
import type { Random } from './random.js';
import type { TenantState } from './state.js';
import type { TenantProfile } from './tenants.js';

type Direction = 'improving' | 'stable' | 'declining';

interface Metric {
  name: string;
  /** Values at quality 0 and 1 (lower can be better: response times, latency, unit cost). */
  worst: number;
  best: number;
  target: number;
  digits: number;
  recommendations: readonly string[];
  impact: Readonly<Record<Direction, string>>;
}

const m = (
  name: string,
  [worst, best, target, digits]: [number, number, number, number],
  recommendations: string[],
  [improving, stable, declining]: [string, string, string],
): Metric => ({
  name,
  worst,
  best,
  target,
  digits,
  recommendations: Object.freeze(recommendations),
  impact: Object.freeze({ improving, stable, declining }),
});

const metrics: readonly Metric[] = [
  m(
    'email_delivery_rate',
    [88, 99.6, 99, 1],
    ['Optimize IP warmup', 'Improve content quality'],
    ['Reduced customer churn risk', 'Inbox placement steady', 'More customer emails missing the inbox'],
  ),
  m(
    'support_response_time',
    [14, 0.8, 2, 1],
    ['Add tier-1 auto-triage', 'Publish self-serve answers for top tickets'],
    [
      'Faster answers lift renewal sentiment',
      'Support load absorbed by the current team',
      'Backlog growing; enterprise SLAs at risk',
    ],
  ),
  m(
    'ticket_resolution_rate',
    [68, 97, 92, 1],
    ['Route tickets by product area', 'Expand the knowledge base'],
    ['Fewer escalations to engineering', 'Resolution rate holding', 'Reopened tickets rising'],
  ),
  m(
    'api_p95_latency_ms',
    [1800, 110, 300, 0],
    ['Cache hot queries', 'Profile the slowest endpoints'],
    ['Snappier product experience', 'Latency within budget', 'Slow pages driving support tickets'],
  ),
  m(
    'deployment_frequency',
    [1, 28, 15, 1],
    ['Automate release checks', 'Shrink batch size of changes'],
    ['Features reach customers sooner', 'Release cadence steady', 'Releases slipping; fixes wait longer'],
  ),
  m(
    'onboarding_completion_rate',
    [35, 90, 75, 1],
    ['Shorten the setup checklist', 'Trigger help when users stall'],
    ['More trials reach first value', 'Activation holding', 'New accounts stalling in setup'],
  ),
  m(
    'invoice_collection_rate',
    [82, 99.5, 98, 1],
    ['Enable smart payment retries', 'Offer ACH for annual plans'],
    ['Cash collected faster', 'Collections on plan', 'Receivables ageing'],
  ),
  m(
    'infrastructure_cost_per_customer',
    [9, 1.5, 3, 2],
    ['Right-size compute', 'Tier storage by access pattern'],
    ['Gross margin widening', 'Unit cost steady', 'Unit cost eroding gross margin'],
  ),
];

export interface MetricState {
  metric: Metric;
  /** This metric's quality relative to the tenant's health, and a slow random walk around it. */
  offset: number;
  walk: number;
  /** Moving average of recent readings' quality: trend_direction compares the reading with it. */
  smoothed: number;
  startQuality: number;
  baselineValue: number;
}

/** Four to six metrics per tenant; email_delivery_rate always, since bounce spikes move it. */
export function metricStates(profile: TenantProfile, rng: Random): MetricState[] {
  const others = metrics.slice(1).filter(() => rng.chance(0.55));
  while (others.length < 3) {
    const extra = rng.pick(metrics.slice(1));
    if (!others.includes(extra)) others.push(extra);
  }
  return [metrics[0] as Metric, ...others.slice(0, 5)].map((metric) => {
    const offset = rng.range(-0.12, 0.12);
    const startQuality = clamp(profile.healthStart + offset, 0.02, 0.98);
    return {
      metric,
      offset,
      walk: 0,
      smoothed: Number.NaN,
      startQuality,
      baselineValue: round(valueAt(metric, startQuality), metric.digits),
    };
  });
}

function valueAt(metric: Metric, quality: number): number {
  return metric.worst + (metric.best - metric.worst) * quality;
}

/** An operational_efficiency_event: score and trend follow the tenant's health curve. */
export function efficiencyReading(t: TenantState, s: MetricState): Record<string, unknown> {
  const { rng, profile } = t;
  const { metric } = s;
  s.walk = s.walk * 0.95 + rng.bell() * 0.006;
  let quality = t.health + s.offset + s.walk;
  if (metric === metrics[0] && t.ts < t.email.spikeUntil + 24 * HOUR_MS) quality -= 0.3;
  quality = clamp(quality, 0.02, 0.98);
  // Against the average of the last readings (≈ a week at one a day): the drift shows, day-to-day noise less.
  const delta = Number.isNaN(s.smoothed) ? profile.healthSlope / 10 : quality - s.smoothed;
  s.smoothed = Number.isNaN(s.smoothed) ? quality : s.smoothed * 0.8 + quality * 0.2;
  const direction: Direction = delta > 0.012 ? 'improving' : delta < -0.012 ? 'declining' : 'stable';
  const score = clamp(round(32 + 66 * quality + rng.bell() * 1.2, 1), 0, 100);
  const change = quality - s.startQuality;
  return {
    tenant_id: profile.id,
    efficiency_metric: metric.name,
    current_value: round(valueAt(metric, quality), metric.digits),
    baseline_value: s.baselineValue,
    target_value: metric.target,
    efficiency_score: score,
    trend_direction: direction,
    cost_impact: Math.round(change * 2500 * profile.size),
    customer_impact: Math.round(profile.size * (200 + 3000 * Math.abs(change))),
    operational_impact: metric.impact[direction],
    recommendations: metric.recommendations,
    tracking_date: t.iso,
    requires_executive_attention: score < 65 || (direction === 'declining' && score < 75),
  };
}
