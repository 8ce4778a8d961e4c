import { businessPerformanceScore, monthlyRevenueProtection, netRevenueImpact } from '@pulse/events/measures';
import { moneyTrend } from '@pulse/events/trend';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { fetchSummary, summaryUrl } from '../prefetch';
import { dateTime, label, money, num, text } from '../format';
import type { Report, Series, StoredEvent, Summary, TypeDelta } from '../types';
import type { AlertActions } from './alerts';
import { AlertList, CriticalAlerts } from './alerts';
import { Charts } from './charts';
import { reportCellHref } from './explain';
import { ImpactPanel } from './impact';
import { Health } from './health';
import { Actions, Metrics } from './metrics';
import { Tabs } from './tabs';
import type { AlertView } from '../types';

export interface Window {
  from: number;
  to: number;
  /** Rolling windows end "now" and take live deltas; a custom window is closed. */
  rolling: boolean;
}

/** Live deltas received since the last fetch, added to the fetched figures until the next one. */
export interface PendingDelta {
  receivedAt: number;
  tenants: Record<string, Record<string, TypeDelta>>;
}

function withDeltas(summary: Summary, deltas: PendingDelta[], tenant: string | null): Summary {
  if (!deltas.length) return summary;
  const k = { ...summary.keyMetrics };
  for (const d of deltas)
    for (const [t, byType] of Object.entries(d.tenants)) {
      if (tenant && t !== tenant) continue;
      for (const delta of Object.values(byType)) {
        k.negativeRevenueImpact += delta.negativeRevenueImpact ?? 0;
        k.positiveRevenueImpact += delta.positiveRevenueImpact ?? 0;
        k.costOptimizationSavings += delta.realizedSavings ?? 0;
        k.projectedSavings += delta.projectedSavings ?? 0;
      }
    }
  k.monthlyRevenueProtection = monthlyRevenueProtection(
    k.positiveRevenueImpact,
    Date.parse(summary.window.to) - Date.parse(summary.window.from),
  );
  k.businessPerformanceScore = businessPerformanceScore(k.positiveRevenueImpact, k.negativeRevenueImpact);
  // The trend cards show the compared quantity itself: move it, its change and its trend together.
  const t = summary.trendAnalysis;
  const revenue = moneyTrend(
    netRevenueImpact(k.positiveRevenueImpact, k.negativeRevenueImpact),
    t.revenue.previous ?? 0,
  );
  const cost = moneyTrend(k.costOptimizationSavings, t.cost.previous ?? 0);
  return {
    ...summary,
    keyMetrics: k,
    trendAnalysis: {
      ...t,
      revenueTrend: revenue.trend,
      revenue: revenue.comparison,
      costTrend: cost.trend,
      cost: cost.comparison,
    },
  };
}

export function Refusal({ error, what }: { error: ApiError; what: string }) {
  return (
    <div class="refusal" role="alert" data-testid="refusal">
      <strong>{error.status === 403 ? `Access refused: ${what}` : `Could not load ${what}`}</strong>
      <p>{error.message}</p>
      {error.status === 403 && (
        <p>
          <a href="/">Back to your overview</a>
        </p>
      )}
    </div>
  );
}

/** The executive summary of the scope (all visible tenants, or one tenant's drill-down). */
export function SummaryPage(props: {
  tenant: string | null;
  window: Window;
  tick: number;
  deltas: PendingDelta[];
  onFetched: (startedAt: number) => void;
  alerts: AlertView[];
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  theme: string;
}) {
  const { tenant, window: w, tick } = props;
  const [summary, setSummary] = useState<Summary | null>(null);
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let cancelled = false;
    const startedAt = Date.now();
    const params = qs({ tenant: tenant ?? undefined, from: Math.round(w.from), to: Math.round(w.to) });
    // The summary first (it is the first paint); the chart series after it, so they do not compete.
    fetchSummary(summaryUrl(tenant, w.from, w.to))
      .then((s) => {
        if (cancelled) return;
        setSummary(s);
        setError(null);
        props.onFetched(startedAt);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setSummary(null);
        setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e)));
        props.onFetched(startedAt);
      })
      .then(() => (cancelled ? undefined : api<Series>(`/api/series${params}`)))
      .then((s) => !cancelled && s && setSeries(s))
      .catch(() => !cancelled && setSeries(null));
    return () => {
      cancelled = true;
    };
    // props.onFetched is stable (from the shell); refetch on scope, window or a live catch-up tick.
  }, [tenant, w.from, w.to, tick]);

  useEffect(() => {
    if (summary && !performance.getEntriesByName('pulse:summary-rendered').length)
      performance.mark('pulse:summary-rendered');
  }, [summary]);

  if (error) return <Refusal error={error} what={tenant ? `tenant ${tenant}` : 'the summary'} />;
  if (!summary)
    return (
      <p class="loading" aria-busy="true">
        Loading the summary…
      </p>
    );
  const shown = w.rolling ? withDeltas(summary, props.deltas, tenant) : summary;
  const scoped = props.alerts.filter((a) => !tenant || a.tenantId === tenant);
  return (
    <div class="summary" data-testid="summary" data-from={summary.window.from} data-to={summary.window.to}>
      <CriticalAlerts alerts={scoped} actions={props.actions} fresh={props.fresh} />
      <div class="top-grid">
        <Health summary={summary} />
        <Actions summary={summary} />
      </div>
      <Metrics summary={shown} />
      <ImpactPanel tenant={tenant} window={w} tick={tick} />
      {series ? (
        <Charts series={series} tenant={tenant} theme={props.theme} />
      ) : (
        <p class="loading">Loading charts…</p>
      )}
      {tenant && (
        <TenantDetail
          tenant={tenant}
          tick={tick}
          window={w}
          alerts={scoped}
          actions={props.actions}
          fresh={props.fresh}
        />
      )}
    </div>
  );
}

interface EventsPage {
  events: StoredEvent[];
}

/** A tenant's page below its summary: decisions with their status, its alerts, its latest events. */
function TenantDetail(props: {
  tenant: string;
  tick: number;
  window: Window;
  alerts: AlertView[];
  actions: AlertActions;
  fresh: ReadonlySet<string>;
}) {
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [decisions, setDecisions] = useState<StoredEvent[]>([]);
  useEffect(() => {
    const base = {
      tenant: props.tenant,
      from: Math.round(props.window.from),
      to: Math.round(props.window.to),
    };
    void api<EventsPage>(`/api/events${qs({ ...base, limit: 50 })}`)
      .then((p) => setEvents(p.events))
      .catch(() => setEvents([]));
    void api<EventsPage>(`/api/events${qs({ ...base, event: 'strategic_decision_event', limit: 1000 })}`)
      .then((p) => {
        // Newest first: the first event of each decision_id carries its current status.
        const seen = new Map<string, StoredEvent>();
        for (const e of p.events) {
          const id = text(e.properties.decision_id, e.uuid);
          if (!seen.has(id)) seen.set(id, e);
        }
        setDecisions([...seen.values()]);
      })
      .catch(() => setDecisions([]));
  }, [props.tenant, props.tick, props.window.from, props.window.to]);
  const open = props.alerts.filter((a) => a.state !== 'resolved');
  return (
    <div class="tenant-detail">
      <section class="card" aria-labelledby="t-alerts">
        <h2 id="t-alerts">Alerts of {props.tenant}</h2>
        <AlertList
          alerts={open.slice(0, 20)}
          actions={props.actions}
          fresh={props.fresh}
          empty="No open alerts."
        />
      </section>
      <section class="card" aria-labelledby="t-decisions">
        <h2 id="t-decisions">Strategic decisions</h2>
        {decisions.length === 0 ? (
          <p class="empty">No decisions in this window.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Decision</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Expected revenue
                  </th>
                  <th scope="col">Last update</th>
                </tr>
              </thead>
              <tbody>
                {decisions.map((d) => (
                  <tr key={d.uuid}>
                    <td>{text(d.properties.decision_title, '—')}</td>
                    <td>{label(text(d.properties.decision_type, ''))}</td>
                    <td>
                      <span class={`status status-${text(d.properties.status, 'unknown')}`}>
                        {label(text(d.properties.status, 'unknown'))}
                      </span>
                    </td>
                    <td class="num">{money(d.properties.expected_revenue_impact as number | undefined)}</td>
                    <td>{dateTime(d.timestamp)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="t-events">
        <h2 id="t-events">Latest events</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.uuid}>
                  <td>{dateTime(e.timestamp)}</td>
                  <td>{e.event.replace(/_event$/, '').replace(/_/g, ' ')}</td>
                  <td class="details">{describe(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function describe(e: StoredEvent): string {
  const p = e.properties;
  switch (e.event) {
    case 'revenue_impact_event':
      return `${text(p.impact_type)} ${money(p.impact_amount as number)} · ${text(p.event_type, '')}`;
    case 'cost_optimization_event':
      return `${text(p.optimization_type)} ${money(p.savings_amount as number)} · ${text(p.optimization_category, '')}`;
    case 'operational_efficiency_event':
      return `${text(p.efficiency_metric)}: ${num(p.efficiency_score as number, 1)}`;
    case 'email_deliverability_event':
      return `${num(p.email_count as number)} emails · ${text(p.delivery_outcome)}`;
    case 'resource_usage_event':
      return `${text(p.resource_id, text(p.resource_type))} at ${num(p.utilization_percentage as number)} %`;
    case 'security_incident_event':
      return `${text(p.severity)} ${text(p.incident_type)}${p.affects_customer_data ? ' · customer data' : ''}`;
    case 'strategic_decision_event':
      return `${text(p.decision_title)} · ${text(p.status, '')}`;
    default:
      return '';
  }
}

const reportNames = ['performance-dashboard', 'cost-optimization'] as const;

function cell(column: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (/savings|revenue|cost|amount/.test(column) && !/count|percentage/.test(column)) return money(v);
    return num(v, Number.isInteger(v) ? 0 : 2);
  }
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return dateTime(v);
  return text(v, JSON.stringify(v));
}

/** The two named reports as tables, with a CSV download of exactly what is shown. */
export function ReportsPage(props: { window: Window; tenant: string | null }) {
  const [name, setName] = useState<(typeof reportNames)[number]>('performance-dashboard');
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const params = {
    from: Math.round(props.window.from),
    to: Math.round(props.window.to),
    tenant: props.tenant ?? undefined,
  };
  useEffect(() => {
    // A new choice starts clean, and a slower answer to an earlier choice must not overwrite it.
    let cancelled = false;
    setReport(null);
    setError(null);
    api<Report>(`/api/reports/${name}${qs(params)}`)
      .then((r) => !cancelled && setReport(r))
      .catch(
        (e: unknown) =>
          !cancelled && setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e))),
      );
    return () => {
      cancelled = true;
    };
  }, [name, params.from, params.to, params.tenant]);
  return (
    <main id="main" class="page">
      <h1>Reports</h1>
      <Tabs
        id="report"
        label="Report"
        keys={reportNames}
        selected={name}
        onSelect={setName}
        tab={(n) => label(n.replace('-', ' '))}
        aside={
          <a
            class="button secondary download"
            href={`/api/reports/${name}${qs({ ...params, format: 'csv' })}`}
            download={`${name}.csv`}
          >
            Download CSV
          </a>
        }
      >
        {error && <Refusal error={error} what={`the ${name} report`} />}
        {!report && !error && <p class="loading">Loading…</p>}
        {report && (
          <section class="card">
            <h2>{report.title}</h2>
            <p class="note">
              {dateTime(report.window.from)} – {dateTime(report.window.to)} · {report.rows.length} rows
            </p>
            <div class="table-wrap">
              <table data-testid={`report-${report.name}`}>
                <thead>
                  <tr>
                    {report.columns.map((c) => (
                      <th key={c} scope="col">
                        {label(c)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.rows.map((row, i) => (
                    <tr key={i}>
                      {report.columns.map((c) => {
                        const href = reportCellHref(report, c, row);
                        return (
                          <td key={c} class={typeof row[c] === 'number' ? 'num' : ''}>
                            {href ? <a href={href}>{cell(c, row[c])}</a> : cell(c, row[c])}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      </Tabs>
    </main>
  );
}
