import { useState } from 'preact/hooks';
import type { AlertState, AlertView } from '../types';
import { money } from '../format';
import { ApiError } from '../api';
import { RelativeTime } from './relative-time';
import { Tabs, type TabVia } from './tabs';

export interface AlertActions {
  acknowledge: (id: string, comment: string) => Promise<void>;
  resolve: (id: string, comment: string) => Promise<void>;
}

function AlertRow({ alert, actions, fresh }: { alert: AlertView; actions: AlertActions; fresh: boolean }) {
  const [mode, setMode] = useState<null | 'ack' | 'resolve'>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!mode) return;
    setBusy(true);
    setError(null);
    try {
      await (mode === 'ack' ? actions.acknowledge : actions.resolve)(alert.id, comment);
      setMode(null);
      setComment('');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li
      class={`alert alert-${alert.severity} state-${alert.state}${fresh ? ' fresh' : ''}`}
      data-alert-id={alert.id}
      data-state={alert.state}
    >
      <div class="alert-main">
        <span class={`sev sev-${alert.severity}`}>{alert.severity}</span>
        <div class="alert-text">
          <strong title={alert.summary}>{alert.title}</strong>
          <p>{alert.summary}</p>
          <p class="meta">
            <a href={`/tenants/${encodeURIComponent(alert.tenantId)}`}>{alert.tenantId}</a> · {alert.ruleName}{' '}
            · {alert.count > 1 ? `${alert.count}× · ` : ''}
            <RelativeTime value={alert.lastSeen} />
            {alert.state === 'acknowledged' && alert.acknowledgedBy
              ? ` · acknowledged by ${alert.acknowledgedBy}${alert.ackComment ? `: “${alert.ackComment}”` : ''}`
              : ''}
            {alert.state === 'resolved' && alert.resolvedBy ? ` · resolved by ${alert.resolvedBy}` : ''}
          </p>
        </div>
        {alert.amount !== null && <span class="amount">{money(alert.amount, true)}</span>}
        <div class="alert-buttons">
          {alert.state === 'open' && (
            <button
              type="button"
              onClick={() => setMode(mode === 'ack' ? null : 'ack')}
              aria-expanded={mode === 'ack'}
            >
              Acknowledge
            </button>
          )}
          {alert.state !== 'resolved' && (
            <button
              type="button"
              class="secondary"
              onClick={() => setMode(mode === 'resolve' ? null : 'resolve')}
              aria-expanded={mode === 'resolve'}
            >
              Resolve
            </button>
          )}
        </div>
      </div>
      {mode && (
        <form class="alert-form" onSubmit={(e) => void submit(e)}>
          <label>
            {mode === 'ack' ? 'Acknowledgement comment (optional)' : 'Resolution comment (optional)'}
            <input
              type="text"
              name="comment"
              maxLength={2000}
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
              autoFocus
            />
          </label>
          <button type="submit" disabled={busy}>
            {mode === 'ack' ? 'Confirm acknowledge' : 'Confirm resolve'}
          </button>
          <button type="button" class="secondary" onClick={() => setMode(null)}>
            Cancel
          </button>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </li>
  );
}

export function AlertList(props: {
  alerts: AlertView[];
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  empty: string;
}) {
  if (!props.alerts.length) return <p class="empty">{props.empty}</p>;
  return (
    <ul class="alerts">
      {props.alerts.map((a) => (
        <AlertRow key={a.id} alert={a} actions={props.actions} fresh={props.fresh.has(a.id)} />
      ))}
    </ul>
  );
}

const byLastSeen = (a: AlertView, b: AlertView) => b.lastSeen.localeCompare(a.lastSeen);

/** Open critical alerts of the scope, newest first: what sits on top of the summary. */
export function CriticalAlerts(props: {
  alerts: AlertView[];
  actions: AlertActions;
  fresh: ReadonlySet<string>;
}) {
  const critical = props.alerts
    .filter((a) => a.severity === 'critical' && a.state === 'open')
    .sort(byLastSeen);
  return (
    <section
      class={`card critical${critical.length ? ' has-critical' : ''}`}
      aria-labelledby="critical-title"
      aria-live="polite"
    >
      <h2 id="critical-title">
        Critical alerts <span class="count">{critical.length}</span>
      </h2>
      <AlertList
        alerts={critical.slice(0, 5)}
        actions={props.actions}
        fresh={props.fresh}
        empty="No open critical alerts."
      />
      {critical.length > 5 && (
        <p class="more">
          <a href="/alerts?state=open">All {critical.length} open critical alerts →</a>
        </p>
      )}
    </section>
  );
}

export const alertStates: readonly AlertState[] = ['open', 'acknowledged', 'resolved'];

/** The inbox: open / acknowledged / resolved tabs over the live alert list. */
export function AlertsPage(props: {
  alerts: AlertView[];
  actions: AlertActions;
  fresh: ReadonlySet<string>;
  state: AlertState;
  onState: (s: AlertState, via: TabVia) => void;
  tenant: string | null;
}) {
  const inTenant = props.alerts.filter((a) => !props.tenant || a.tenantId === props.tenant);
  const shown = inTenant.filter((a) => a.state === props.state).sort(byLastSeen);
  const sevRank = { critical: 0, high: 1, medium: 2 };
  shown.sort(
    (a, b) => (props.state === 'open' ? sevRank[a.severity] - sevRank[b.severity] : 0) || byLastSeen(a, b),
  );
  return (
    <main id="main" class="page">
      <h1>Alerts{props.tenant ? ` · ${props.tenant}` : ''}</h1>
      <Tabs
        id="alert-state"
        label="Alert state"
        keys={alertStates}
        selected={props.state}
        onSelect={props.onState}
        panelClass="card"
        tab={(s) => (
          <>
            {s[0]?.toUpperCase()}
            {s.slice(1)} <span class="count">{inTenant.filter((a) => a.state === s).length}</span>
          </>
        )}
      >
        <AlertList
          alerts={shown.slice(0, 300)}
          actions={props.actions}
          fresh={props.fresh}
          empty={`No ${props.state} alerts.`}
        />
      </Tabs>
    </main>
  );
}
