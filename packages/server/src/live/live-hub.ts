import type { DashboardEvent, DashboardStream } from '../alerts/channels/dashboard.js';
import type { AlertView } from '@pulse/api';
import { apiAlertOf } from '../alerts/present.js';
import type { EventStream } from '../ingestion/event-stream.js';
import { accumulate, visibleDelta, type DeltaByTenant, type TypeDelta } from './live-delta.js';

/** What /api/live pushes (before the connection stamps its `seq`). */
export type LiveMessage =
  | {
      type: 'events.delta';
      /** When the batch window closed (ISO 8601). */
      at: string;
      /** tenant → event type → counts and money sums of the events committed in the window. */
      tenants: Record<string, Record<string, TypeDelta>>;
    }
  | {
      type: 'alert.transition';
      kind: 'opened' | 'refired' | 'acknowledged' | 'resolved';
      at: string;
      actor: string;
      comment: string | null;
      alert: AlertView;
    }
  | { type: 'alert.updated'; alert: AlertView };

export interface LiveSubscriber {
  /** True when this subscriber may see this tenant's data (rbac `inScope` of its actor). */
  canSee: (tenant: string) => boolean;
  send: (message: LiveMessage) => void;
}

export interface LiveHub {
  subscribe(subscriber: LiveSubscriber): () => void;
  /** Subscribers connected now. */
  readonly size: number;
  close(): void;
}

/**
 * Fans the committed-event stream (batched every `flushMs`) and the alert dashboard stream out to live
 * subscribers, each filtered by its tenant scope. Timers run only while a batch is pending: nothing
 * ticks when nothing happens, and nothing is aggregated when nobody listens.
 */
export function createLiveHub(deps: {
  events: Pick<EventStream, 'subscribe'>;
  dashboard: Pick<DashboardStream, 'subscribe'>;
  flushMs?: number;
  clock?: () => number;
}): LiveHub {
  const flushMs = deps.flushMs ?? 250;
  const clock = deps.clock ?? Date.now;
  const subscribers = new Set<LiveSubscriber>();
  let pending: DeltaByTenant = new Map();
  let timer: NodeJS.Timeout | null = null;

  const deliver = (subscriber: LiveSubscriber, message: LiveMessage) => {
    try {
      subscriber.send(message);
    } catch {
      subscribers.delete(subscriber); // a socket that cannot take a message is gone
    }
  };

  const flush = () => {
    timer = null;
    const batch = pending;
    pending = new Map();
    const at = new Date(clock()).toISOString();
    for (const subscriber of subscribers) {
      const tenants = visibleDelta(batch, subscriber.canSee);
      if (tenants) deliver(subscriber, { type: 'events.delta', at, tenants });
    }
  };

  const stopEvents = deps.events.subscribe(({ events }) => {
    if (!subscribers.size) return;
    accumulate(pending, events);
    if (!timer && pending.size) {
      timer = setTimeout(flush, flushMs);
      timer.unref();
    }
  });

  type AlertMessage = Exclude<LiveMessage, { type: 'events.delta' }>;
  const toMessage = (event: DashboardEvent): AlertMessage => {
    if (event.type === 'alert.updated') return { type: 'alert.updated', alert: apiAlertOf(event.alert) };
    const { transition, alert } = event.notification;
    return {
      type: 'alert.transition',
      kind: transition.kind,
      at: transition.at,
      actor: transition.actor,
      comment: transition.comment,
      alert: apiAlertOf(alert),
    };
  };
  const stopAlerts = deps.dashboard.subscribe((event) => {
    if (!subscribers.size) return;
    const message = toMessage(event);
    for (const subscriber of subscribers)
      if (subscriber.canSee(message.alert.tenantId)) deliver(subscriber, message);
  });

  return {
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    get size() {
      return subscribers.size;
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      stopEvents();
      stopAlerts();
      subscribers.clear();
    },
  };
}
