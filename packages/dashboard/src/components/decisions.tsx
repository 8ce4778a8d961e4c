import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { day, label, money, num, pct } from '../format';
import type { DecisionInsights } from '../types';
import { Refusal, type Window } from './pages';

const days = (v: number | null) => (v === null ? '—' : `${num(v, 1)} d`);

const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** Median days to approve and to complete, per month, as bars on one scale (a month is too coarse for a time axis). */
function VelocityChart({ insights }: { insights: DecisionInsights }) {
  const months = insights.velocity.byMonth;
  const longest = Math.max(
    1,
    ...months.flatMap((m) => [m.proposedToApproved.medianDays ?? 0, m.proposedToCompleted.medianDays ?? 0]),
  );
  const bar = (value: number | null, color: string, what: string) => (
    <div class="velocity-bar">
      <span
        class="velocity-fill"
        style={{ width: `${((value ?? 0) / longest) * 100}%`, background: `var(${color})` }}
      />
      <span class="velocity-value">
        {days(value)} <span class="sr-only">{what}</span>
      </span>
    </div>
  );
  return (
    <div class="velocity" role="list" aria-label="Median days to approve and to complete, per month">
      <p class="velocity-legend" aria-hidden="true">
        <span style={{ background: 'var(--c1)' }} /> proposed → approved
        <span style={{ background: 'var(--c2)' }} /> proposed → completed
      </p>
      {months.map((m) => (
        <div class="velocity-month" role="listitem" data-month={m.month} key={m.month}>
          <span class="velocity-label">{monthName(m.month)}</span>
          <div>
            {bar(m.proposedToApproved.medianDays, '--c1', 'proposed to approved')}
            {bar(m.proposedToCompleted.medianDays, '--c2', 'proposed to completed')}
          </div>
        </div>
      ))}
    </div>
  );
}

/** Decisions: velocity per month, expected vs actual impact per decision, overdue reviews. */
export function DecisionsPage(props: { tenant: string | null; window: Window }) {
  const [insights, setInsights] = useState<DecisionInsights | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let cancelled = false;
    const params = qs({
      tenant: props.tenant ?? undefined,
      from: Math.round(props.window.from),
      to: Math.round(props.window.to),
    });
    api<DecisionInsights>(`/api/insights/decisions${params}`)
      .then((d) => !cancelled && (setInsights(d), setError(null)))
      .catch(
        (e: unknown) =>
          !cancelled && setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e))),
      );
    return () => {
      cancelled = true;
    };
  }, [props.tenant, props.window.from, props.window.to]);

  let body;
  if (error) body = <Refusal error={error} what="the decisions" />;
  else if (!insights)
    body = (
      <p class="loading" aria-busy="true">
        Loading the decisions…
      </p>
    );
  else {
    const v = insights.velocity;
    const t = insights.totals;
    body = (
      <div class="decisions" data-testid="decisions">
        <section class="metrics" aria-label="Decision velocity">
          {(
            [
              ['proposedToApproved', 'Proposed → approved'],
              ['approvedToCompleted', 'Approved → completed'],
              ['proposedToCompleted', 'Proposed → completed'],
            ] as const
          ).map(([stage, title]) => (
            <article
              class="card metric"
              data-testid={`velocity-${stage}`}
              data-value={v[stage].medianDays ?? ''}
            >
              <h3>{title}</h3>
              <p class="value">{days(v[stage].medianDays)}</p>
              <p class="note">
                median · p90 {days(v[stage].p90Days)} · {v[stage].count} decisions
              </p>
            </article>
          ))}
          <article class="card metric" data-testid="decisions-roi" data-value={t.realizedRoi ?? ''}>
            <h3>ROI realized</h3>
            <p class="value">{pct(t.realizedRoi, 0)}</p>
            <p class="note">
              actual {money(t.actualRevenueImpact, true)} revenue for {money(t.actualCostImpact, true)} cost
            </p>
          </article>
        </section>
        <section class="card" aria-labelledby="d-velocity">
          <h2 id="d-velocity">Velocity per month</h2>
          {v.byMonth.length ? (
            <VelocityChart insights={insights} />
          ) : (
            <p class="empty">No decision reached a milestone in this window.</p>
          )}
        </section>
        <section class="card" aria-labelledby="d-overdue">
          <h2 id="d-overdue">Overdue reviews ({insights.overdueReviews.length})</h2>
          {insights.overdueReviews.length === 0 ? (
            <p class="empty">No review is overdue.</p>
          ) : (
            <ul class="overdue" data-testid="overdue-reviews">
              {insights.overdueReviews.map((o) => (
                <li key={`${o.tenantId}/${o.decisionId}`}>
                  <strong>{o.title ?? o.decisionId}</strong> · {o.tenantId} · {label(o.status ?? 'unknown')} ·
                  review was due {day(Date.parse(o.nextReviewAt))} ({days(o.daysOverdue)} overdue)
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="d-table">
          <h2 id="d-table">Expected vs actual ({t.decisions} decisions)</h2>
          <div class="table-wrap">
            <table data-testid="decision-table">
              <thead>
                <tr>
                  <th scope="col">Decision</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Revenue expected
                  </th>
                  <th scope="col" class="num">
                    Revenue actual
                  </th>
                  <th scope="col" class="num">
                    Cost expected
                  </th>
                  <th scope="col" class="num">
                    Cost actual
                  </th>
                  <th scope="col" class="num">
                    ROI realized
                  </th>
                </tr>
              </thead>
              <tbody>
                {insights.decisions.map((d) => (
                  <tr key={`${d.tenantId}/${d.decisionId}`} data-decision={d.decisionId}>
                    <td>
                      {d.title ?? d.decisionId}
                      {d.overdue && <span class="badge"> review overdue</span>}
                    </td>
                    <td>{d.tenantId}</td>
                    <td>
                      <span class={`status status-${d.status ?? 'unknown'}`}>
                        {label(d.status ?? 'unknown')}
                      </span>
                    </td>
                    <td class="num">{money(d.expectedRevenueImpact)}</td>
                    <td class="num">{money(d.actualRevenueImpact)}</td>
                    <td class="num">{money(d.expectedCostImpact)}</td>
                    <td class="num">{money(d.actualCostImpact)}</td>
                    <td class="num">{pct(d.realizedRoi, 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    );
  }
  return (
    <main id="main" class="page">
      <h1>Decisions</h1>
      {body}
    </main>
  );
}
