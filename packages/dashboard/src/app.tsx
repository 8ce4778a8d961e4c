import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, session, setCsrf, whenUnauthorized } from './api';
import { alertStates, type AlertActions } from './components/alerts';
import { AlertsPage } from './components/alert-inbox';
import { SummaryPage, type PendingDelta } from './components/pages';
import { ReportsPage } from './components/reports';
import { DecisionsPage } from './components/decisions';
import { ExplainPanel } from './components/explain';
import { NotFoundPage } from './components/not-found';
import { SignIn } from './components/sign-in';
import { StaleBanner } from './components/states';
import { connectLive, type LiveStatus } from './live';
import { navigate, onLink, useLocation, withQuery, type Location } from './router';
import { chime } from './sound';
import { bootNow } from './prefetch';
import { TenantPicker, RangePicker, type FixedWindow } from './components/pickers';
import { useTheme } from './theme';
import { windowOf } from './window';
import type { AlertState, AlertView, LiveMessage, SessionBody } from './types';

/** `?state=` of the inbox; anything else is "open", so one tab is always selected (and focusable). */
const alertStateOf = (v: string | null): AlertState => alertStates.find((s) => s === v) ?? 'open';

/** Resolves when the first summary has arrived (or failed): the alert list loads after it. */
let summaryArrived: () => void = () => undefined;
const firstSummary = new Promise<void>((resolve) => (summaryArrived = resolve));

export function App() {
  const [auth, setAuth] = useState<SessionBody | null | 'loading'>('loading');
  const loc = useLocation();
  useEffect(() => {
    whenUnauthorized(() => {
      setCsrf(null);
      setAuth(null);
    });
    session
      .current()
      .then((s) => {
        setCsrf(s.csrfToken);
        setAuth(s);
      })
      .catch(() => setAuth(null));
  }, []);
  if (auth === 'loading') return <p class="loading">Loading…</p>;
  if (!auth)
    return (
      <SignIn
        onSignedIn={(s) => {
          setCsrf(s.csrfToken);
          setAuth(s);
          if (loc.path === '/sign-in') navigate('/', true);
        }}
      />
    );
  return (
    <Shell
      auth={auth}
      loc={loc}
      onExpired={() => {
        setCsrf(null);
        setAuth(null);
      }}
      onSignOut={() => {
        void session.signOut().finally(() => {
          setCsrf(null);
          setAuth(null);
        });
      }}
    />
  );
}

function Shell(props: { auth: SessionBody; loc: Location; onSignOut: () => void; onExpired: () => void }) {
  const { auth, loc, onSignOut, onExpired } = props;
  const [theme, toggleTheme] = useTheme();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  // When the live connection dropped: the figures on screen stopped following the server then.
  const [staleSince, setStaleSince] = useState<number | null>(null);
  const [alerts, setAlerts] = useState<Map<string, AlertView>>(new Map());
  /** Counts alert changes seen live or made here: the inbox reloads its pages when it moves. */
  const [alertChanges, setAlertChanges] = useState(0);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [tick, setTick] = useState(0);
  const [deltas, setDeltas] = useState<PendingDelta[]>([]);
  const [liveEvents, setLiveEvents] = useState(0);
  const [toast, setToast] = useState<AlertView | null>(null);
  // A period the shown page covers whatever the range says (a month-to-date report).
  const [fixedWindow, setFixedWindow] = useState<FixedWindow | null>(null);
  const [sound, setSound] = useState(() => localStorage.getItem('pulse.sound') === 'on');
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const refetchTimer = useRef<number | undefined>(undefined);
  const [now, setNow] = useState(bootNow);

  const tenantMatch = /^\/tenants\/([^/]+)/.exec(loc.path);
  const onSummaryPage = useRef(loc.path === '/' || tenantMatch !== null);
  const tenant = tenantMatch?.[1] ? decodeURIComponent(tenantMatch[1]) : null;
  const rangeKey = `${loc.query.get('range') ?? '30d'}|${loc.query.get('from') ?? ''}|${loc.query.get('to') ?? ''}`;
  const win = useMemo(() => windowOf(loc, now), [rangeKey, now]);

  const loadAlerts = useCallback(async () => {
    const [active, resolved] = await Promise.all([
      api<{ alerts: AlertView[] }>('/api/alerts?state=open,acknowledged&limit=2000'),
      api<{ alerts: AlertView[] }>('/api/alerts?state=resolved&limit=200'),
    ]);
    setAlerts(new Map([...resolved.alerts, ...active.alerts].map((a) => [a.id, a])));
  }, []);

  const upsert = useCallback((alert: AlertView, isNew: boolean) => {
    setAlerts((prev) => new Map(prev).set(alert.id, alert));
    setAlertChanges((n) => n + 1);
    if (isNew) {
      setFresh((prev) => new Set(prev).add(alert.id));
      window.setTimeout(
        () =>
          setFresh((prev) => {
            const next = new Set(prev);
            next.delete(alert.id);
            return next;
          }),
        8000,
      );
      if (alert.severity === 'critical') {
        setToast(alert);
        if (soundRef.current) chime();
      }
    }
  }, []);

  /** Exact figures shortly after a burst of deltas: pushed data triggers it, nothing polls. */
  const scheduleRefetch = useCallback(() => {
    if (refetchTimer.current !== undefined) return;
    refetchTimer.current = window.setTimeout(() => {
      refetchTimer.current = undefined;
      setNow(Date.now());
      setTick((t) => t + 1);
    }, 2000);
  }, []);

  useEffect(
    () =>
      connectLive({
        onStatus: (next) => {
          setStatus(next);
          if (next === 'live') setStaleSince(null);
          else if (next === 'reconnecting') setStaleSince((since) => since ?? Date.now());
        },
        // A refused upgrade does not say why: after two in a row, ask whether the session is still valid.
        onFailures: (count) => {
          if (count >= 2)
            session.current().catch((e: unknown) => {
              if (e instanceof ApiError && e.status === 401) onExpired();
            });
        },
        onCatchUp: (first) => {
          // The first load waits for the summary (first paint); later ones catch up at once.
          void (first && onSummaryPage.current ? firstSummary : Promise.resolve())
            .then(() => loadAlerts())
            .catch(() => undefined);
          if (!first) {
            setNow(Date.now());
            setTick((t) => t + 1);
          }
        },
        onMessage: (m: LiveMessage) => {
          if (m.type === 'events.delta') {
            let count = 0;
            for (const byType of Object.values(m.tenants))
              for (const d of Object.values(byType)) count += d.count;
            setLiveEvents((n) => n + count);
            setDeltas((prev) => [...prev, { receivedAt: Date.now(), tenants: m.tenants }]);
            scheduleRefetch();
          } else if (m.type === 'alert.transition') {
            upsert(m.alert, m.kind === 'opened' || m.kind === 'refired');
          } else if (m.type === 'alert.updated') {
            upsert(m.alert, false);
          }
        },
      }),
    [],
  );

  const onFetched = useCallback((startedAt: number) => {
    setDeltas((prev) => prev.filter((d) => d.receivedAt > startedAt));
    summaryArrived();
  }, []);

  const act = useCallback(
    (verb: 'ack' | 'resolve') => async (id: string, comment: string) => {
      const updated = await api<AlertView>(`/api/alerts/${encodeURIComponent(id)}/${verb}`, {
        body: comment.trim() ? { comment } : {},
      });
      upsert(updated, false);
    },
    [upsert],
  );
  const actions: AlertActions = useMemo(() => ({ acknowledge: act('ack'), resolve: act('resolve') }), [act]);
  const alertList = useMemo(() => [...alerts.values()], [alerts]);
  const openCount = alertList.filter(
    (a) => a.state === 'open' && a.outlook === 'risk' && (!tenant || a.tenantId === tenant),
  ).length;
  const scopeTenants = auth.user.tenants === 'all' ? null : auth.user.tenants;

  let page;
  if (loc.path === '/alerts' || loc.path.startsWith('/alerts/'))
    page = (
      <AlertsPage
        alerts={alertList}
        changes={alertChanges}
        actions={actions}
        fresh={fresh}
        filters={{
          state: alertStateOf(loc.query.get('state')),
          severity: loc.query.get('severity'),
          tenant: loc.query.get('tenant'),
          rule: loc.query.get('rule'),
          silenced: loc.query.get('silenced'),
        }}
        // Arrowing through the tabs replaces the entry, so Back leaves the inbox instead of replaying keys.
        onState={(s, via) => navigate(withQuery(loc, { state: s }), via === 'keyboard')}
        onFilter={(changes) => navigate(withQuery(loc, changes))}
      />
    );
  else if (loc.path === '/reports')
    page = <ReportsPage window={win} tenant={loc.query.get('tenant')} onFixedWindow={setFixedWindow} />;
  else if (loc.path === '/decisions') page = <DecisionsPage window={win} tenant={loc.query.get('tenant')} />;
  else if (loc.path !== '/' && !tenantMatch) page = <NotFoundPage path={loc.path} />;
  else
    page = (
      <main id="main" class="page">
        <h1>
          {tenant ? (
            <>
              <a href={withQuery(loc, {}, '/')}>Overview</a> <span aria-hidden="true">›</span> {tenant}
            </>
          ) : (
            'Executive overview'
          )}
        </h1>
        <SummaryPage
          tenant={tenant}
          window={win}
          tick={tick}
          deltas={deltas}
          onFetched={onFetched}
          alerts={alertList}
          actions={actions}
          fresh={fresh}
        />
      </main>
    );

  return (
    <div class="shell" onClick={onLink}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          <svg viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" />
            <path d="M5 17h6l3-8 4 14 3-6h6" />
          </svg>
          Pulse
        </a>
        <nav aria-label="Main">
          <a href={withQuery(loc, { state: null }, '/')} aria-current={loc.path === '/' ? 'page' : undefined}>
            Overview
          </a>
          <a href="/alerts" aria-current={loc.path.startsWith('/alerts') ? 'page' : undefined}>
            Alerts{' '}
            {openCount > 0 && (
              <span class="badge" data-testid="open-alerts">
                {openCount}
              </span>
            )}
          </a>
          <a
            href={withQuery(loc, { state: null }, '/reports')}
            aria-current={loc.path === '/reports' ? 'page' : undefined}
          >
            Reports
          </a>
          <a
            href={withQuery(loc, { state: null }, '/decisions')}
            aria-current={loc.path === '/decisions' ? 'page' : undefined}
          >
            Decisions
          </a>
        </nav>
        <div class="controls">
          <TenantPicker loc={loc} tenant={tenant} tenants={scopeTenants} />
          <RangePicker loc={loc} win={win} fixed={fixedWindow} />
          <span
            class={`live live-${status}`}
            role="status"
            data-testid="live-status"
            title={`${liveEvents} events received live`}
          >
            <span class="dot" aria-hidden="true" />
            {status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting' : 'Reconnecting'}
          </span>
          <button
            type="button"
            class="icon"
            aria-pressed={sound}
            title="Sound for new critical alerts"
            onClick={() => {
              localStorage.setItem('pulse.sound', sound ? 'off' : 'on');
              setSound(!sound);
              if (!sound) chime();
            }}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
              <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
              {!sound && <path d="M3 3l18 18" />}
            </svg>
            <span class="sr-only">Sound for critical alerts</span>
          </button>
          <button type="button" class="icon" onClick={toggleTheme} title="Toggle light/dark">
            <svg viewBox="0 0 24 24" aria-hidden="true">
              {theme === 'dark' ? (
                <>
                  <circle cx="12" cy="12" r="4" />
                  <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
                </>
              ) : (
                <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
              )}
            </svg>
            <span class="sr-only">Switch to {theme === 'dark' ? 'light' : 'dark'} theme</span>
          </button>
          <span class="user" title={auth.user.email}>
            {auth.user.email} <small>{auth.user.role.replace('_', ' ')}</small>
          </span>
          <button type="button" class="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
        {staleSince !== null && <StaleBanner since={staleSince} />}
      </header>
      {toast && (
        <div class="toast" role="alert" data-testid="toast">
          <span class="sev sev-critical">critical</span>
          <span>
            <strong>{toast.title}</strong> · {toast.tenantId}
          </span>
          <a href="/alerts">Open inbox</a>
          <button type="button" class="icon" onClick={() => setToast(null)}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M6 6l12 12M18 6L6 18" />
            </svg>
            <span class="sr-only">Dismiss</span>
          </button>
        </div>
      )}
      {page}
      {loc.query.has('explain') && (
        <ExplainPanel loc={loc} from={win.from} to={win.to} tenant={tenant ?? loc.query.get('tenant')} />
      )}
    </div>
  );
}
