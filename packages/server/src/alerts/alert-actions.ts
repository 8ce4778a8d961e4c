import { NotFoundError } from '../errors.js';
import type { AlertFilter, AlertStore } from '../storage/alert-store.js';
import type { ChangeRecorder } from './change-recorder.js';
import { AlertStateError, type AlertLifecycle } from './lifecycle.js';
import type { Alert, Delivery, Transition } from './types.js';

/** Reading alerts, and what a person does to one (acknowledge, resolve): durable before answering. */
export function createAlertActions(deps: {
  store: Pick<AlertStore, 'listAlerts' | 'getAlert' | 'transitions' | 'listDeliveries'>;
  lifecycle: Pick<AlertLifecycle, 'get' | 'acknowledge' | 'resolve'>;
  record: ChangeRecorder['record'];
  clock: () => number;
}) {
  const { store, lifecycle, record, clock } = deps;

  async function notActive(id: string, action: string): Promise<Error> {
    const stored = await store.getAlert(id);
    if (!stored) return new NotFoundError(`alert ${id}`);
    return new AlertStateError(`cannot ${action} alert ${id}: it is already ${stored.state}`);
  }

  return {
    listAlerts: async (filter: AlertFilter): Promise<Alert[]> => {
      // Open alerts' newest counts may still sit in the writer's coalescing queue: memory is fresher,
      // so the newest-first order is restored after taking its copies.
      return (await store.listAlerts(filter))
        .map((a) => lifecycle.get(a.id) ?? a)
        .sort((x, y) => y.lastSeen - x.lastSeen || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    },

    getAlert: async (
      id: string,
    ): Promise<{ alert: Alert; transitions: Transition[]; deliveries: Delivery[] }> => {
      const alert = lifecycle.get(id) ?? (await store.getAlert(id));
      if (!alert) throw new NotFoundError(`alert ${id}`);
      const [transitions, deliveries] = await Promise.all([
        store.transitions(id),
        store.listDeliveries({ alertId: id, limit: 1000 }),
      ]);
      return { alert, transitions, deliveries };
    },

    acknowledge: async (id: string, actor: string, comment: string | null): Promise<Alert> => {
      const change = lifecycle.acknowledge(id, actor, comment, clock());
      if (!change) throw await notActive(id, 'acknowledge');
      await record(change, true);
      return change.alert;
    },

    resolve: async (id: string, actor: string, comment: string | null): Promise<Alert> => {
      const change = lifecycle.resolve(id, actor, comment, clock());
      if (!change) throw await notActive(id, 'resolve');
      await record(change, true);
      return change.alert;
    },
  };
}
