import { useState } from 'preact/hooks';
import type { AlertState, AlertView } from '../types';
import { money } from '../format';
import { ApiError } from '../api';
import { RelativeTime } from './relative-time';

export interface AlertActions {
  acknowledge: (id: string, comment: string) => Promise<void>;
  resolve: (id: string, comment: string) => Promise<void>;
  /** Where the inbox offers it: hides the alert and silences it for this long. */
  snooze?: (id: string, minutes: number) => Promise<void>;
  /** Where the inbox offers it: ends the snooze or mute holding the alert now. */
  unsilence?: (alert: AlertView) => Promise<void>;
}

const snoozeChoices = [
  ['60', '1 hour'],
  ['240', '4 hours'],
  ['1440', '1 day'],
] as const;

/** Who acted: their name or email when a known user, else the id (an API key). */
const person = (name: string | null | undefined, id: string) => name ?? id;

export function AlertRow({
  alert,
  actions,
  fresh,
}: {
  alert: AlertView;
  actions: AlertActions;
  fresh: boolean;
}) {
  const [mode, setMode] = useState<null | 'ack' | 'resolve'>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const attempt = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const { snooze: snoozeAlert, unsilence } = actions;
  const snooze = (minutes: string) =>
    snoozeAlert && minutes && attempt(() => snoozeAlert(alert.id, Number(minutes)));
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
            {alert.state === 'acknowledged' && alert.acknowledgedBy && (
              <span title={alert.acknowledgedBy}>
                {` · acknowledged by ${person(alert.acknowledgedByName, alert.acknowledgedBy)}`}
                {alert.ackComment ? `: “${alert.ackComment}”` : ''}
              </span>
            )}
            {alert.state === 'resolved' && alert.resolvedBy && (
              <span title={alert.resolvedBy}>
                {` · resolved by ${person(alert.resolvedByName, alert.resolvedBy)}`}
              </span>
            )}
            {alert.silence && (
              <span class="silenced">{` · ${alert.silence.kind}d until ${new Date(alert.silence.until).toLocaleString()}`}</span>
            )}
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
          {actions.snooze && alert.state !== 'resolved' && !alert.silence && (
            <label class="snooze">
              <span class="sr-only">Snooze this alert</span>
              <select value="" onChange={(e) => void snooze(e.currentTarget.value)}>
                <option value="">Snooze…</option>
                {snoozeChoices.map(([minutes, label]) => (
                  <option key={minutes} value={minutes}>
                    for {label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {unsilence && alert.silence && (
            <button
              type="button"
              class="secondary"
              aria-label={
                alert.silence.kind === 'snooze'
                  ? 'Unsnooze this alert'
                  : `Unmute ${alert.ruleName} for ${alert.tenantId}`
              }
              onClick={() => void attempt(() => unsilence(alert))}
            >
              {alert.silence.kind === 'snooze' ? 'Unsnooze' : 'Unmute'}
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
      {error && !mode && (
        <p class="error" role="alert">
          {error}
        </p>
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
