import type { RecordCipher } from '../encryption/record-cipher.js';
import { NotFoundError } from '../errors.js';
import type { AlertStore, AlertWrite, DeliveryFilter, DeliveryUpdate } from '../storage/alert-store.js';
import type { ChannelRegistry, DashboardStream } from './channels/index.js';
import { Dispatcher } from './dispatcher.js';
import { iso } from './format.js';
import { journalId, openAlertJournal } from './journal.js';
import { AlertStateError } from './lifecycle.js';
import { toAlertView } from './present.js';
import { alertNotification } from './routing.js';
import type { AlertSettings } from './settings.js';
import type { Silence } from './silences.js';
import type { Alert, AlertLogger, Delivery, Transition } from './types.js';
import { AlertWriter } from './writer.js';

export interface EngineHooks {
  /** After a batch of transitions and outbox rows is durable, before anything is sent (tests crash here). */
  afterCommit?: (batch: AlertWrite) => void;
}

export type SettledListener = (delivery: Delivery, update: DeliveryUpdate) => void;

export type TransitionListener = (transition: Transition, alert: Alert) => void;

/** Where the journal lives and how its records are encrypted. */
export interface JournalPlace {
  dir: string;
  cipher: RecordCipher | null;
}

/**
 * From a recorded change to the people told of it: the writer makes changes durable (journal, store), then
 * the outbox rows go to the dispatcher, the transition to the dashboard stream and to the listeners.
 */
export function createAlertDelivery(deps: {
  store: AlertStore;
  settings: AlertSettings;
  channels: ChannelRegistry;
  dashboard: DashboardStream;
  logger: AlertLogger;
  clock: () => number;
  random?: () => number;
  hooks?: EngineHooks;
  writerLazyMs?: number;
  /** The snooze or mute holding an alert now: its changes are neither streamed nor sent. */
  silenceOf: (alert: Pick<Alert, 'id' | 'tenantId' | 'ruleId'>) => Silence | null;
}) {
  const { store, settings, channels, dashboard, logger, clock, silenceOf } = deps;
  const silenced = (alert: Alert) => silenceOf(alert) !== null;
  /** A queued notification whose alert was muted or snoozed before it went out stays unsent. */
  const withheld = (d: Delivery): string | null => {
    if (d.payload.type !== 'alert' || d.alertId === null) return null;
    const { tenant_id: tenantId, rule: ruleId } = d.payload.alert;
    const silence = silenceOf({ id: d.alertId, tenantId, ruleId });
    return silence && `not sent: ${silence.kind}d until ${iso(silence.until)}`;
  };
  const transitionListeners = new Set<TransitionListener>();
  const settledListeners = new Set<SettledListener>();

  const dispatcher = new Dispatcher({
    store,
    channels,
    policy: settings.delivery,
    clock,
    random: deps.random,
    withheld,
    onError: (error, delivery) =>
      logger.warn(
        { err: error, delivery: delivery.id, channel: delivery.channel, attempt: delivery.attempts + 1 },
        'alert notification failed',
      ),
    onClaimError: (error) => logger.warn({ err: error }, 'claiming due alert notifications failed'),
    onSettled: (delivery, update) => {
      for (const listener of settledListeners)
        try {
          listener(delivery, update);
        } catch (error) {
          logger.error({ err: error }, 'delivery listener failed');
        }
    },
  });

  const writer = new AlertWriter({
    store,
    lazyMs: deps.writerLazyMs ?? 250,
    onError: (error) => logger.error({ err: error }, 'writing alerts failed; retrying'),
    onCommitted,
  });

  /** The transition's live delta on the dashboards of this process (unless the alert is silenced). */
  function showTransition(alert: Alert, t: Transition): void {
    if (silenced(alert)) return;
    const id = `${t.id}.dashboard`;
    channels.dashboard
      .send({ id, target: '', payload: alertNotification(alert, t, id, settings.publicUrl) })
      .catch((error: unknown) => logger.warn({ err: error }, 'dashboard stream failed'));
  }

  function onCommitted(batch: AlertWrite, stored: Promise<void>): void {
    deps.hooks?.afterCommit?.(batch);
    dispatcher.dispatch(batch.deliveries, stored);
    const snapshots = new Map(batch.alerts.map((a) => [a.id, a]));
    for (const t of batch.transitions) {
      const alert = snapshots.get(t.alertId);
      if (!alert) continue;
      showTransition(alert, t);
      for (const listener of transitionListeners) {
        try {
          listener(t, alert);
        } catch (error) {
          logger.error({ err: error }, 'alert transition listener failed');
        }
      }
    }
    const transitioned = new Set(batch.transitions.map((t) => t.alertId));
    for (const alert of batch.alerts)
      if (!transitioned.has(alert.id))
        dashboard.publish({ type: 'alert.updated', alert: toAlertView(alert, settings.publicUrl) });
  }

  return {
    writer,
    showTransition,

    /** Hands outbox rows to the dispatcher (the weekly digest's). */
    dispatch: (rows: readonly Delivery[]) => dispatcher.dispatch(rows),

    /**
     * Stores what the journal holds beyond the store (a crash between the two) and sends its notifications,
     * then journals from there.
     */
    openJournal: async (where: JournalPlace): Promise<void> => {
      const id = journalId(where.dir);
      let stored = await store.journalStored(id);
      const { journal, unstored } = await openAlertJournal({ ...where, id, stored });
      for (const { batch, end } of unstored) {
        await store.write(batch, 'fast', { id, end });
        stored = end;
        // Written by this process, so held by it (no other claims them): it sends them.
        dispatcher.dispatch(batch.deliveries);
      }
      journal.release(stored);
      if (unstored.length)
        logger.info({ batches: unstored.length }, 'stored alert changes left in the journal');
      writer.useJournal(journal, stored);
    },

    /** Sends again what a previous process left pending. */
    resume: async (): Promise<void> => {
      const resumed = await dispatcher.resume();
      if (resumed) logger.info({ notifications: resumed }, 'resending pending alert notifications');
    },

    /** Resolves once no notification is being sent (tests). */
    idle: () => dispatcher.idle(),

    /** Called after each durable transition (audit trail, live dashboard). */
    onTransition: (listener: TransitionListener): (() => void) => {
      transitionListeners.add(listener);
      return () => transitionListeners.delete(listener);
    },

    /** Called once a notification is sent or given up on (its status stored). */
    onSettled: (listener: SettledListener): (() => void) => {
      settledListeners.add(listener);
      return () => settledListeners.delete(listener);
    },

    listDeliveries: (filter: DeliveryFilter) => store.listDeliveries(filter),

    /** Sends a dead-lettered (or pending) notification again now. */
    retryDelivery: async (id: string): Promise<Delivery> => {
      const delivery = await store.getDelivery(id);
      if (!delivery) throw new NotFoundError(`notification ${id}`);
      if (delivery.status === 'sent') throw new AlertStateError(`notification ${id} was already sent`);
      const now = clock();
      const again: Delivery = { ...delivery, status: 'pending', attempts: 0, nextAttemptAt: now };
      await store.updateDeliveries([
        {
          id,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastError: delivery.lastError,
          sentAt: null,
        },
      ]);
      dispatcher.retry(again);
      return again;
    },

    /** Writes what is queued, lets in-flight sends finish and closes the channels. */
    close: async (): Promise<void> => {
      await writer.close();
      await dispatcher.stop();
      for (const channel of Object.values(channels)) await channel.close?.();
    },
  };
}
