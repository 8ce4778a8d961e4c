import type { ContributingEvent, ExplainEventPage, Explanation } from '@pulse/api';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { dateTime, fullDateTime, num, pct, text } from '../format';
import { navigate, withQuery, type Location } from '../router';

/** The query parameters that hold an open explanation, so its link reopens it exactly. */
const explainParams = ['explain', 'explainFrom', 'explainTo', 'explainTenant'] as const;
const PAGE = 100;

const iso = (t: number | string) => new Date(t).toISOString();

/**
 * The link that opens the explanation of `metric` over [from, to), on the page the user is on.
 * `tenant` narrows it to one tenant (a report row); without it the page's own scope applies.
 */
export function explainHref(
  metric: string,
  from: number | string,
  to: number | string,
  tenant?: string,
): string {
  const here = { path: location.pathname, query: new URLSearchParams(location.search) };
  return withQuery(here, {
    explain: metric,
    explainFrom: iso(from),
    explainTo: iso(to),
    explainTenant: tenant ?? null,
  });
}

/** Report columns that are numbers of the summary, computed the same way for the row's tenant. */
const reportCellMetrics: Record<string, Record<string, string>> = {
  'performance-dashboard': {
    negative_revenue_impact: 'negativeRevenueImpact',
    positive_revenue_impact: 'positiveRevenueImpact',
    business_performance_score: 'businessPerformanceScore',
    realized_savings: 'costOptimizationSavings',
    projected_savings: 'projectedSavings',
    avg_efficiency_score: 'operationalEfficiencyScore',
    strategic_decisions_tracked: 'strategicDecisionsTracked',
  },
};

/** The explanation link of a report cell, or null when the column is not a summary number. */
export function reportCellHref(
  report: { name: string; window: { from: string; to: string } },
  column: string,
  row: Record<string, unknown>,
): string | null {
  const metric = reportCellMetrics[report.name]?.[column];
  const tenant = row.tenant_id;
  return metric && typeof tenant === 'string'
    ? explainHref(metric, report.window.from, report.window.to, tenant)
    : null;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

const valueText = (v: number | null, unit: Explanation['unit']): string =>
  v === null
    ? 'no data'
    : unit === 'usd'
      ? usd.format(v)
      : unit === 'rate'
        ? pct(v, 2)
        : num(v, Number.isInteger(v) ? 0 : 2);

/** What the listed events make so far: their sum, count or mean, as the explanation says. */
function combined(events: readonly ContributingEvent[], combine: ExplainEventPage['combine']): number | null {
  const sum = events.reduce((s, e) => s + e.amount, 0);
  if (combine === 'count') return events.length;
  if (combine === 'mean') return events.length ? sum / events.length : null;
  return sum;
}

const details = (e: ContributingEvent) =>
  Object.entries(e.properties)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${text(v, JSON.stringify(v))}`)
    .join(' · ');

/**
 * The explanation of one number as a modal sheet: its formula, its inputs (each a link to its own
 * explanation) and its events, paged. Its state is in the URL; closing (Esc, the button) removes it.
 */
export function ExplainPanel(props: { loc: Location; from: number; to: number; tenant: string | null }) {
  const { loc } = props;
  const tenant = loc.query.get('explainTenant') ?? props.tenant;
  const base = {
    metric: loc.query.get('explain') ?? '',
    tenant: tenant ?? undefined,
    from: loc.query.get('explainFrom') ?? iso(props.from),
    to: loc.query.get('explainTo') ?? iso(props.to),
  };
  const key = qs(base);
  const dialog = useRef<HTMLDialogElement>(null);
  const [explanation, setExplanation] = useState<Explanation | null>(null);
  const [page, setPage] = useState<ExplainEventPage | null>(null);
  const [events, setEvents] = useState<ContributingEvent[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  useEffect(() => {
    let cancelled = false;
    setExplanation(null);
    setPage(null);
    setEvents([]);
    setError(null);
    api<Explanation>(`/api/explain${key}`)
      .then((x) => {
        if (cancelled) return;
        setExplanation(x);
        return x.eventsQuery && api<ExplainEventPage>(`${x.eventsQuery.href}&limit=${PAGE}`);
      })
      .then((p) => {
        if (cancelled || !p) return;
        setPage(p);
        setEvents(p.events);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));
      });
    return () => {
      cancelled = true;
    };
  }, [key]);

  const more = async (cursor: string) => {
    setBusy(true);
    try {
      const next = await api<ExplainEventPage>(`/api/explain/events${qs({ ...base, limit: PAGE, cursor })}`);
      setPage(next);
      setEvents((prev) => [...prev, ...next.events]);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));
    } finally {
      setBusy(false);
    }
  };

  const close = () => navigate(withQuery(loc, Object.fromEntries(explainParams.map((p) => [p, null]))));
  const amount = (v: number) => (explanation?.unit === 'usd' ? usd.format(v) : num(v, 2));
  const listed = page ? combined(events, page.combine) : null;

  return (
    <dialog
      ref={dialog}
      class="explain"
      aria-labelledby="explain-title"
      data-testid="explain"
      onClose={close}
    >
      <header class="explain-head">
        <h2 id="explain-title">{explanation ? explanation.label : 'Explanation'}</h2>
        <button type="button" class="icon" onClick={() => dialog.current?.close()}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
          <span class="sr-only">Close the explanation</span>
        </button>
      </header>
      {error && (
        <div class="refusal" role="alert">
          <strong>Could not explain {base.metric}</strong>
          <p>{error.message}</p>
        </div>
      )}
      {!explanation && !error && <p class="loading">Loading…</p>}
      {explanation && (
        <>
          <p class="explain-value" data-testid="explain-value" data-value={explanation.value ?? ''}>
            {valueText(explanation.value, explanation.unit)}
          </p>
          <p class="note">
            {fullDateTime(explanation.window.from)} – {fullDateTime(explanation.window.to)}
            {tenant ? ` · ${tenant}` : ' · all your tenants'} ·{' '}
            <a href={withQuery(loc, {})} data-testid="explain-link">
              Link to this explanation
            </a>
          </p>
          <h3>How it is computed</h3>
          <p data-testid="explain-formula">{explanation.formula}</p>
          {explanation.inputs.length > 0 && (
            <>
              <h3>Inputs</h3>
              <ul class="explain-inputs">
                {explanation.inputs.map((input) => (
                  <li key={input.label}>
                    {input.metric ? (
                      <a href={withQuery(loc, { explain: input.metric })}>{input.label}</a>
                    ) : (
                      input.label
                    )}
                    <strong>{valueText(input.value, input.unit)}</strong>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Events</h3>
          {!explanation.eventsQuery ? (
            <p class="note">None of its own: it is made of the inputs above.</p>
          ) : !page ? (
            <p class="loading">Loading events…</p>
          ) : (
            <>
              <p
                class="note"
                data-testid="explain-total"
                data-value={listed ?? ''}
                data-complete={page.nextCursor === null}
                aria-live="polite"
              >
                {num(events.length)} event{events.length === 1 ? '' : 's'} listed
                {page.nextCursor ? ' so far' : ''}; their {page.combine} makes the {page.yields}:{' '}
                <strong>{listed === null ? '—' : amount(listed)}</strong>
              </p>
              <ol class="explain-events">
                {events.map((e) => (
                  <li key={e.uuid} data-testid="explain-event" data-amount={e.amount}>
                    <span class="explain-amount">{page.combine === 'count' ? '1' : amount(e.amount)}</span>
                    <span>
                      {e.event.replace(/_event$/, '').replace(/_/g, ' ')} · {e.tenantId}
                    </span>
                    <time dateTime={e.timestamp} title={fullDateTime(e.timestamp)}>
                      {dateTime(e.timestamp)}
                    </time>
                    <small title={e.uuid}>{details(e)}</small>
                  </li>
                ))}
              </ol>
              {page.nextCursor && (
                <button
                  type="button"
                  class="secondary"
                  disabled={busy}
                  data-testid="explain-more"
                  onClick={() => page.nextCursor && void more(page.nextCursor)}
                >
                  {busy ? 'Loading…' : `Show ${PAGE} more`}
                </button>
              )}
            </>
          )}
        </>
      )}
    </dialog>
  );
}
