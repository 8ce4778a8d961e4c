import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { money } from '../format';
import type { Silence } from '@pulse/api';
import type { AlertGroup, AlertState, AlertView } from '../types';
import { AlertList, AlertRow, alertStates, type AlertActions } from './alerts';
import { RelativeTime } from './relative-time';
import { Tabs, type TabVia } from './tabs';

/** The inbox filters, as the URL holds them (so a filtered view is linkable). */
export interface InboxFilters {
  state: AlertState;
  severity: string | null;
  tenant: string | null;
  rule: string | null;
  silenced: string | null;
}

type Page<T> = { items: T[]; nextCursor: string | null; error: string | null };
const PAGE_SIZE = 25;

/** The API query of the filters (and a page cursor). */
function query(filters: InboxFilters, extra: Record<string, string | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) q.set(k, v);
  return q.toString();
}

/**
 * Pages of groups (or alerts) for one query: the first page reloads when the query or `revision` changes,
 * "Show more" appends the next page by its cursor.
 */
function usePages<T>(path: string, key: 'groups' | 'alerts', search: string, revision: unknown) {
  const [page, setPage] = useState<Page<T> | null>(null);
  const fetchPage = async (cursor: string | null): Promise<Page<T>> => {
    try {
      const body = await api<Record<string, unknown> & { nextCursor: string | null }>(
        `${path}?${search}&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      return { items: body[key] as T[], nextCursor: body.nextCursor, error: null };
    } catch (e) {
      return { items: [], nextCursor: null, error: e instanceof ApiError ? e.message : String(e) };
    }
  };
  useEffect(() => {
    let current = true;
    void fetchPage(null).then((p) => current && setPage(p));
    return () => {
      current = false;
    };
  }, [search, revision]);
  const more = async () => {
    if (!page?.nextCursor) return;
    const next = await fetchPage(page.nextCursor);
    setPage({ items: [...page.items, ...next.items], nextCursor: next.nextCursor, error: next.error });
  };
  return { page, more };
}

/** Occurrences over time as a small line; the counts are in its label for screen readers. */
function Sparkline({ group }: { group: AlertGroup }) {
  const { counts } = group.sparkline;
  const max = Math.max(1, ...counts);
  const step = 100 / Math.max(1, counts.length - 1);
  const points = counts.map((c, i) => `${(i * step).toFixed(1)},${(18 - (c / max) * 16).toFixed(1)}`);
  const days = Math.round((Date.parse(group.sparkline.to) - Date.parse(group.sparkline.from)) / 86_400_000);
  return (
    <svg
      class="sparkline"
      viewBox="0 0 100 20"
      preserveAspectRatio="none"
      role="img"
      aria-label={`${group.occurrences} occurrences over the last ${days} days`}
    >
      <polyline points={points.join(' ')} />
    </svg>
  );
}

const muteChoices = [
  ['60', '1 hour'],
  ['1440', '1 day'],
  ['10080', '1 week'],
] as const;

/** One tenant + rule: a plain alert row when it holds one alert, else a row with counts that expands. */
function GroupRow(props: {
  group: AlertGroup;
  filters: InboxFilters;
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  revision: unknown;
  onMute: (group: AlertGroup, minutes: number) => Promise<void>;
  onUnmute: (mute: Silence) => Promise<void>;
}) {
  const { group, filters } = props;
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (group.alerts === 1)
    return <AlertRow alert={group.latest} actions={props.actions} fresh={props.fresh.has(group.latest.id)} />;
  const attempt = async (action: () => Promise<void>) => {
    setError(null);
    await action().catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  };
  const mute = (minutes: string) => attempt(() => props.onMute(group, Number(minutes)));
  const held = group.mute;
  return (
    <li
      class={`alert alert-group alert-${group.severity}`}
      data-group={`${group.tenantId}/${group.rule}`}
      data-state={filters.state}
    >
      <div class="alert-main">
        <span class={`sev sev-${group.severity}`}>{group.severity}</span>
        <div class="alert-text">
          <strong title={group.latest.summary}>{group.title}</strong>
          <p class="meta">
            <a href={`/alerts?tenant=${encodeURIComponent(group.tenantId)}`}>{group.tenantId}</a> ·{' '}
            {group.ruleName} · <span class="group-count">{group.alerts} alerts</span>
            {group.occurrences > group.alerts ? ` (${group.occurrences} occurrences)` : ''} · first{' '}
            <RelativeTime value={group.firstSeen} />, last <RelativeTime value={group.lastSeen} />
            {group.mute ? ` · muted until ${new Date(group.mute.until).toLocaleString()}` : ''}
          </p>
        </div>
        <Sparkline group={group} />
        {group.amount !== null && <span class="amount">{money(group.amount, true)}</span>}
        <div class="alert-buttons">
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'} {group.alerts} alerts
          </button>
          {held ? (
            <button
              type="button"
              class="secondary"
              aria-label={`Unmute ${group.ruleName} for ${group.tenantId}`}
              onClick={() => void attempt(() => props.onUnmute(held))}
            >
              Unmute
            </button>
          ) : (
            <label class="mute">
              <span class="sr-only">
                Mute {group.ruleName} for {group.tenantId}
              </span>
              <select value="" onChange={(e) => void mute(e.currentTarget.value)}>
                <option value="">Mute…</option>
                {muteChoices.map(([minutes, label]) => (
                  <option key={minutes} value={minutes}>
                    for {label}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {open && <GroupAlerts {...props} />}
    </li>
  );
}

function GroupAlerts(props: {
  group: AlertGroup;
  filters: InboxFilters;
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  revision: unknown;
}) {
  const { group, filters } = props;
  const search = query(filters, { tenant: group.tenantId, rule: group.rule, outlook: group.outlook });
  const { page, more } = usePages<AlertView>('/api/alerts', 'alerts', search, props.revision);
  if (!page) return <p class="loading">Loading…</p>;
  return (
    <div class="group-alerts">
      <AlertList alerts={page.items} actions={props.actions} fresh={props.fresh} empty="No alerts." />
      <More page={page} onMore={more} what="alerts" />
    </div>
  );
}

function More<T>({ page, onMore, what }: { page: Page<T>; onMore: () => Promise<void>; what: string }) {
  return (
    <>
      {page.error && (
        <p class="error" role="alert">
          {page.error}
        </p>
      )}
      {page.nextCursor && (
        <p class="more">
          <button type="button" class="secondary" onClick={() => void onMore()}>
            Show more {what}
          </button>
        </p>
      )}
    </>
  );
}

/** Groups of one outlook under the filters, paged. */
function GroupList(props: {
  outlook: 'risk' | 'opportunity';
  filters: InboxFilters;
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  revision: unknown;
  empty: string;
  onMute: (group: AlertGroup, minutes: number) => Promise<void>;
  onUnmute: (mute: Silence) => Promise<void>;
}) {
  const search = query(props.filters, { outlook: props.outlook });
  const { page, more } = usePages<AlertGroup>('/api/alerts/groups', 'groups', search, props.revision);
  if (!page) return <p class="loading">Loading…</p>;
  return (
    <>
      {page.items.length ? (
        <ul class="alerts" data-outlook={props.outlook}>
          {page.items.map((g) => (
            <GroupRow key={`${g.tenantId}/${g.rule}`} group={g} {...props} />
          ))}
        </ul>
      ) : (
        !page.error && <p class="empty">{props.empty}</p>
      )}
      <More page={page} onMore={more} what="groups" />
    </>
  );
}

const choices = {
  severity: ['critical', 'high', 'medium'],
  silenced: ['include', 'only'],
} as const;

/** Filter controls: each change is a new URL. */
function FilterBar(props: {
  filters: InboxFilters;
  known: AlertView[];
  onFilter: (changes: Partial<Record<keyof InboxFilters, string | null>>) => void;
}) {
  const { filters, onFilter } = props;
  const tenants = useMemo(
    () => [...new Set([...props.known.map((a) => a.tenantId), filters.tenant ?? ''])].filter(Boolean).sort(),
    [props.known, filters.tenant],
  );
  const rules = useMemo(() => {
    const byId = new Map(props.known.map((a) => [a.rule, a.ruleName]));
    if (filters.rule && !byId.has(filters.rule)) byId.set(filters.rule, filters.rule);
    return [...byId].sort((a, b) => a[1].localeCompare(b[1]));
  }, [props.known, filters.rule]);
  const select = (
    name: keyof InboxFilters,
    label: string,
    options: readonly (readonly [string, string])[],
  ) => (
    <label>
      {label}
      <select
        name={name}
        value={filters[name] ?? ''}
        onChange={(e) => onFilter({ [name]: e.currentTarget.value || null })}
      >
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
      {select('severity', 'Severity', [['', 'Any'], ...choices.severity.map((s) => [s, s] as const)])}
      {select('tenant', 'Alerts of tenant', [['', 'All tenants'], ...tenants.map((t) => [t, t] as const)])}
      {select('rule', 'Rule', [['', 'All rules'], ...rules])}
      {select('silenced', 'Snoozed and muted', [
        ['', 'Hidden'],
        ['include', 'Shown'],
        ['only', 'Only these'],
      ])}
    </form>
  );
}

/**
 * The inbox: filters (in the URL), open / acknowledged / resolved tabs over the risks grouped by tenant +
 * rule, and the opportunities (good news) listed apart. Pages come from the server by cursor; the live
 * alert stream only says when to reload them.
 */
export function AlertsPage(props: {
  alerts: AlertView[];
  /** Moves when an alert changes (live or by an action here). */
  changes: number;
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  filters: InboxFilters;
  onState: (s: AlertState, via: TabVia) => void;
  onFilter: (changes: Partial<Record<keyof InboxFilters, string | null>>) => void;
}) {
  const { filters } = props;
  const [changed, setChanged] = useState(0);
  // Reload the pages when an alert arrives or changes, or after a snooze or mute from here.
  const revision = `${props.changes}|${changed}`;
  const actions: AlertActions = useMemo(
    () => ({
      ...props.actions,
      snooze: async (id, minutes) => {
        await api(`/api/alerts/${encodeURIComponent(id)}/snooze`, { body: { minutes } });
        setChanged((n) => n + 1);
      },
      unsilence: async (alert) => {
        if (!alert.silence) return;
        await api(
          alert.silence.kind === 'snooze'
            ? `/api/alerts/${encodeURIComponent(alert.id)}/snooze`
            : `/api/alert-mutes/${encodeURIComponent(alert.silence.id)}`,
          { method: 'DELETE' },
        );
        setChanged((n) => n + 1);
      },
    }),
    [props.actions],
  );
  const onMute = async (group: AlertGroup, minutes: number) => {
    await api('/api/alert-mutes', { body: { tenant: group.tenantId, rule: group.rule, minutes } });
    setChanged((n) => n + 1);
  };
  const onUnmute = async (mute: Silence) => {
    await api(`/api/alert-mutes/${encodeURIComponent(mute.id)}`, { method: 'DELETE' });
    setChanged((n) => n + 1);
  };
  const risks = props.alerts.filter(
    (a) => a.outlook === 'risk' && (!filters.tenant || a.tenantId === filters.tenant),
  );
  const shared = { filters, actions, fresh: props.fresh, revision, onMute, onUnmute };
  return (
    <main id="main" class="page">
      <h1>Alerts{filters.tenant ? ` · ${filters.tenant}` : ''}</h1>
      <FilterBar filters={filters} known={props.alerts} onFilter={props.onFilter} />
      <Tabs
        id="alert-state"
        label="Alert state"
        keys={alertStates}
        selected={filters.state}
        onSelect={props.onState}
        panelClass="card"
        tab={(s) => (
          <>
            {s[0]?.toUpperCase()}
            {s.slice(1)} <span class="count">{risks.filter((a) => a.state === s).length}</span>
          </>
        )}
      >
        <GroupList outlook="risk" empty={`No ${filters.state} alerts.`} {...shared} />
      </Tabs>
      <section class="card opportunities" aria-labelledby="opportunities-title" data-testid="opportunities">
        <h2 id="opportunities-title">Opportunities</h2>
        <p class="meta">Good news, such as identified savings: worth a look, never paged.</p>
        <GroupList outlook="opportunity" empty={`No ${filters.state} opportunities.`} {...shared} />
      </section>
    </main>
  );
}
