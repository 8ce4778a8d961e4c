import type { StateChange, StateOwner } from '../cluster/ports.js';
import type { AlertStore } from '../storage/alert-store.js';
import type { TransitionListener } from './delivery.js';
import type { AlertLifecycle } from './lifecycle.js';
import type { Alert, AlertLogger, Transition } from './types.js';

/**
 * The alert engine's copies of shared state (open alerts, rules with their state, budgets, silences) as
 * one owner for processes sharing a store (cluster/state-sync.ts): it reports what this process committed
 * and reloads what another one did. Nothing here writes or notifies: a change is announced and sent once,
 * by the process that made it; the others only refresh their memory and their live dashboards.
 */
export function createSharedAlertState(deps: {
  store: Pick<AlertStore, 'getAlert' | 'transition' | 'activeAlerts'>;
  lifecycle: Pick<AlertLifecycle, 'adopt' | 'reload'>;
  /** Reinstalls the stored rules (their state rebuilt from stored events, as at start). */
  loadRules: () => Promise<void>;
  loadBudgets: () => Promise<void>;
  /** Re-evaluates a tenant's run-rate after its budgets changed. */
  budgetsChanged: (tenantId: string) => Promise<void>;
  loadSilences: () => Promise<void>;
  /** Writes this process's queued alert changes (before its memory is replaced by the store's). */
  flush: () => Promise<void>;
  /** The live delta the committing process shows, on this process's dashboards. */
  showTransition: (alert: Alert, transition: Transition) => void;
  onTransition: (listener: TransitionListener) => () => void;
  logger: AlertLogger;
}) {
  const listeners = new Set<(change: StateChange) => void>();
  const changed = (change: StateChange) => {
    for (const listener of listeners)
      try {
        listener(change);
      } catch (error) {
        deps.logger.error({ err: error }, 'state change listener failed');
      }
  };
  // Transitions this process committed (not those the store dropped because another process holds the alert).
  deps.onTransition((transition, alert) =>
    changed({ kind: 'alert', id: alert.id, transition: transition.id }),
  );

  async function alertChanged(id: string, transitionId: string | undefined): Promise<void> {
    const alert = await deps.store.getAlert(id);
    if (!alert) return;
    deps.lifecycle.adopt(alert);
    if (transitionId === undefined) return;
    const transition = await deps.store.transition(id, transitionId);
    if (transition) deps.showTransition(alert, transition);
  }

  const owner: StateOwner = {
    kinds: ['alert', 'rules', 'budgets', 'silences'],
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    apply: async (change) => {
      switch (change.kind) {
        case 'alert':
          return alertChanged(change.id, change.transition);
        case 'rules':
          return deps.loadRules();
        case 'budgets':
          await deps.loadBudgets();
          return deps.budgetsChanged(change.id);
        case 'silences':
          return deps.loadSilences();
        default:
          return undefined;
      }
    },
    reloadAll: async () => {
      await deps.flush();
      await deps.loadSilences();
      await deps.loadBudgets();
      deps.lifecycle.reload(await deps.store.activeAlerts());
      await deps.loadRules();
    },
  };
  return { owner, changed };
}
