import type { StoredEvent } from '../storage/event-store.js';

/** What subscribers (alert engine, live dashboard, relay) get: events just made durable. */
export interface CommittedBatch {
  events: readonly StoredEvent[];
  committedAt: number;
  /** Set on batches another Pulse process accepted (cluster/event-bus.ts): not in this process's ingest log. */
  peer?: true;
}

export type CommittedListener = (batch: CommittedBatch) => void;

/**
 * The one in-process stream of committed events. Listeners run synchronously after each commit,
 * so they must not block; a listener that throws is reported and does not stop the others.
 */
export class EventStream {
  private readonly listeners = new Set<CommittedListener>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  subscribe(listener: CommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(batch: CommittedBatch): void {
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
