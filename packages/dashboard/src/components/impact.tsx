import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { money, num, pct } from '../format';
import type { BusinessImpact } from '../types';
import type { Window } from './pages';

type Trend = BusinessImpact['decisionVelocity']['trend'];
const arrows = { improving: '▲', stable: '▶', declining: '▼' } as const;
const days = (v: number | null) => (v === null ? '—' : `${num(v, 1)} d`);

function Change({ trend, change, previous }: { trend: Trend; change: number | null; previous: string }) {
  if (trend === null) return <p class="trend">no data in the previous period</p>;
  return (
    <p class={`trend trend-${trend}`}>
      <span aria-hidden="true">{arrows[trend]}</span>
      <span class="sr-only">{trend}</span>
      {change === null ? '' : ` ${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`}
      <span class="previous"> · previous {previous}</span>
    </p>
  );
}

/** What Pulse changed, on the overview: each number of GET /api/insights/impact with its trend. */
export function ImpactPanel(props: { tenant: string | null; window: Window; tick: number }) {
  const [impact, setImpact] = useState<BusinessImpact | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    const params = qs({
      tenant: props.tenant ?? undefined,
      from: Math.round(props.window.from),
      to: Math.round(props.window.to),
    });
    api<BusinessImpact>(`/api/insights/impact${params}`)
      .then((i) => !cancelled && (setImpact(i), setError(null)))
      .catch((e: unknown) => !cancelled && setError(e instanceof ApiError ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [props.tenant, props.window.from, props.window.to, props.tick]);

  if (error) return <p class="note">Business impact unavailable: {error}</p>;
  if (!impact) return <p class="loading">Loading business impact…</p>;
  const { decisionVelocity: v, identification: id, savingsRealization: s, captureSuccess: c } = impact;
  return (
    <section class="card impact" aria-labelledby="impact-title" data-testid="impact">
      <h2 id="impact-title">Business impact</h2>
      <div class="metrics">
        <article class="metric" data-testid="impact-velocity" data-value={v.current.medianDays ?? ''}>
          <h3>Decision velocity</h3>
          <p class="value">{days(v.current.medianDays)}</p>
          <p class="note">
            median proposed → completed · p90 {days(v.current.p90Days)} · {v.current.count} decisions
          </p>
          <Change trend={v.trend} change={v.change} previous={days(v.previous.medianDays)} />
        </article>
        <article
          class="metric"
          data-testid="impact-identification"
          data-value={id.toAlert.current.medianDays ?? ''}
        >
          <h3>Issue identification</h3>
          <p class="value">{days(id.toAlert.current.medianDays)}</p>
          <p class="note">
            median first event → alert · to acknowledgement {days(id.toAcknowledge.current.medianDays)} ·{' '}
            {id.toAlert.current.count} incidents
          </p>
          <Change
            trend={id.toAlert.trend}
            change={id.toAlert.change}
            previous={days(id.toAlert.previous.medianDays)}
          />
        </article>
        <article class="metric" data-testid="impact-savings" data-value={s.current.share ?? ''}>
          <h3>Savings realized</h3>
          <p class="value">{pct(s.current.share)}</p>
          <p class="note">
            {money(s.current.realized, true)} of {money(s.current.identified, true)} identified
          </p>
          <Change trend={s.trend} change={s.change} previous={pct(s.previous.share)} />
        </article>
        <article class="metric" data-testid="impact-capture" data-value={c.current.rate ?? ''}>
          <h3>Capture success</h3>
          <p class={`value ${c.current.rate !== null && c.current.rate < c.target ? 'neg' : ''}`}>
            {pct(c.current.rate, 2)}
          </p>
          <p class="note">
            {num(c.current.accepted)} of {num(c.current.received)} events accepted · target {pct(c.target)}
          </p>
          <Change trend={c.trend} change={c.change} previous={pct(c.previous.rate, 2)} />
        </article>
      </div>
    </section>
  );
}
