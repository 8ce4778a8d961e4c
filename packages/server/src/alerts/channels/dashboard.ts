import type { AlertView, Notification } from '../types.js';
import type { Channel } from './channel.js';

/** What the live dashboard receives: every transition (as notified), and dedup updates (count, last seen). */
export type DashboardEvent =
  | { type: 'alert.transition'; notification: Extract<Notification, { type: 'alert' }> }
  | { type: 'alert.updated'; alert: AlertView };

export type DashboardListener = (event: DashboardEvent) => void;

/**
 * The in-process stream the live dashboard (WebSocket /api/live) subscribes to. Not durable: a client
 * that reconnects reads GET /api/alerts, so the dashboard sits outside the outbox.
 */
export class DashboardStream {
  private readonly listeners = new Set<DashboardListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  subscribe(listener: DashboardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: DashboardEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

/** The dashboard as a registry member: always configured; sending publishes on the stream. */
export function dashboardChannel(stream: DashboardStream): Channel {
  return {
    kind: 'dashboard',
    validateConfig: () => [],
    targets: () => [''],
    async send(delivery) {
      if (delivery.payload.type === 'alert')
        stream.publish({ type: 'alert.transition', notification: delivery.payload });
    },
  };
}
