import type { AlertStore, AlertWrite, WriteLane } from '../storage/alert-store.js';
import type { AlertJournal } from './journal.js';
import type { Alert, Delivery, Transition } from './types.js';

interface Queue {
  alerts: Map<string, Alert>;
  transitions: Transition[];
  deliveries: Delivery[];
  waiters: (() => void)[];
}

const emptyQueue = (): Queue => ({ alerts: new Map(), transitions: [], deliveries: [], waiters: [] });
const hasRows = (q: Queue) => q.alerts.size > 0 || q.transitions.length > 0;

export interface WriterOptions {
  store: AlertStore;
  /**
   * Called once a batch is durable: dispatch its outbox rows, tell the dashboard and the hooks. With a
   * journal, durable means journaled and `stored` resolves once the store holds the batch too.
   */
  onCommitted: (batch: AlertWrite, stored: Promise<void>) => void;
  onError: (error: unknown) => void;
  /** Quiet changes (dedup updates, medium transitions) are coalesced for this long (default 250 ms). */
  lazyMs?: number;
  /**
   * Changes to backfill alerts only (history being imported: nobody is notified, nobody is waiting) are
   * coalesced for this long instead (default 2 s): an import updates the same alerts over and over, and
   * each bulk write rewrites their rows (measured: ~15 µs of store CPU per imported event at 250 ms).
   */
  backfillLazyMs?: number;
}

/** One lane: its queue, the batch it is writing and the promise of that write. */
interface Lane {
  name: WriteLane;
  queue: Queue;
  inFlight: Set<string> | null;
  running: Promise<void> | null;
  failures: number;
}

/**
 * Persists lifecycle changes. Two lanes, each in order, on their own store connection:
 * - `fast`: a transition someone is notified of, with its alert snapshot and outbox rows, in one
 *   transaction as soon as the previous fast write ends (no timer on the path to a notification);
 * - `bulk`: dedup updates and quiet transitions, coalesced per alert, written every `lazyMs` (every
 *   `backfillLazyMs` while only backfill alerts wait), so a flood (an import, a replay) costs one bulk write
 *   per interval and never queues in front of a notification.
 * A lane waits for the other only when both hold the same alert, so snapshots land in order.
 * A failed write is retried with back-off, never dropped: memory stays ahead of the store, not apart.
 * With a journal (`useJournal`), a fast batch is durable once journaled: it is handed on at once and
 * stored behind, in journal order, with the journal position in the same transaction.
 */
export class AlertWriter {
  private readonly fast: Lane = {
    name: 'fast',
    queue: emptyQueue(),
    inFlight: null,
    running: null,
    failures: 0,
  };
  private readonly bulk: Lane = {
    name: 'bulk',
    queue: emptyQueue(),
    inFlight: null,
    running: null,
    failures: 0,
  };
  private journal: AlertJournal | null = null;
  /** Journaled fast batches being stored, in order; never rejects (a failed store write is retried). */
  private storing: Promise<void> = Promise.resolve();
  /** Alert ids with a journaled snapshot not yet stored: a bulk write of them waits for `storing`. */
  private readonly unstored = new Map<string, number>();
  /** The journal position the store holds (what a clean close may delete up to). */
  private stored = 0;
  private lazyTimer: NodeJS.Timeout | null = null;
  /** When the pending lazy timer fires (epoch ms). */
  private lazyAt = 0;
  private lazyDue = false;

  constructor(private readonly options: WriterOptions) {}

  /** Queues a transition with its outbox rows, written at once; resolves once durable. */
  submitTransition(alert: Alert, transition: Transition, deliveries: readonly Delivery[]): Promise<void> {
    const q = this.fast.queue;
    this.bulk.queue.alerts.delete(alert.id);
    q.alerts.set(alert.id, alert);
    q.transitions.push(transition);
    for (const delivery of deliveries) q.deliveries.push(delivery);
    const done = new Promise<void>((resolve) => q.waiters.push(resolve));
    this.start(this.fast);
    return done;
  }

  /** Queues a transition nobody waits for (no notification: a backfill, a medium alert), coalesced. */
  submitQuiet(alert: Alert, transition: Transition): void {
    this.bulk.queue.transitions.push(transition);
    this.submitUpdate(alert);
  }

  /** Queues a dedup update (no transition), coalesced; `flush` waits for it. */
  submitUpdate(alert: Alert): void {
    if (this.fast.queue.alerts.has(alert.id)) {
      this.fast.queue.alerts.set(alert.id, alert);
      return;
    }
    this.bulk.queue.alerts.set(alert.id, alert);
    this.scheduleBulk(alert.backfill ? (this.options.backfillLazyMs ?? 2_000) : (this.options.lazyMs ?? 250));
  }

  /** Arms the bulk lane's timer `delayMs` from now, unless it already fires sooner. */
  private scheduleBulk(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.lazyTimer && this.lazyAt <= at) return;
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyAt = at;
    this.lazyTimer = setTimeout(() => {
      this.lazyTimer = null;
      this.lazyDue = true;
      this.start(this.bulk);
    }, delayMs);
  }

  /** From now on fast batches are journaled first; `stored` is how far the store holds the journal. */
  useJournal(journal: AlertJournal, stored: number): void {
    this.journal = journal;
    this.stored = stored;
  }

  /** Writes everything queued in both lanes, into the store. */
  async flush(): Promise<void> {
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    this.lazyDue = true;
    this.start(this.fast);
    this.start(this.bulk);
    while (this.fast.running || this.bulk.running || this.unstored.size) {
      await Promise.all([this.fast.running, this.bulk.running]);
      await this.storing;
    }
  }

  /** Flushes, then closes the journal (deleted when everything in it is stored). */
  async close(): Promise<void> {
    await this.flush();
    await this.journal?.close(this.stored);
    this.journal = null;
  }

  private ready(lane: Lane): boolean {
    return hasRows(lane.queue) && (lane === this.fast || this.lazyDue);
  }

  private start(lane: Lane): void {
    if (!this.ready(lane)) return;
    lane.running ??= this.pump(lane).finally(() => {
      lane.running = null;
      this.start(lane);
    });
  }

  private async pump(lane: Lane): Promise<void> {
    // A journaled notification starts its fsync at once, while the rest of its group commit is still being
    // evaluated (the next batch gathers what that raises). A store write lets the rest of the current stream
    // batch queue up first: one transaction for all of it.
    if (!(lane === this.fast && this.journal)) await Promise.resolve();
    const other = lane === this.fast ? this.bulk : this.fast;
    while (this.ready(lane)) {
      const queue = lane.queue;
      lane.queue = emptyQueue();
      if (lane === this.bulk) this.lazyDue = false;
      const ids = new Set([...queue.alerts.keys(), ...queue.transitions.map((t) => t.alertId)]);
      // The same alert in the other lane's write: let that one land first (order of snapshots).
      while (other.inFlight && other.running && [...ids].some((id) => other.inFlight?.has(id)))
        await other.running.catch(() => undefined);
      // A bulk write also waits for journaled snapshots of its alerts to be stored.
      if (lane === this.bulk) while ([...ids].some((id) => this.unstored.has(id))) await this.storing;
      lane.inFlight = ids;
      const batch: AlertWrite = {
        alerts: [...queue.alerts.values()],
        transitions: queue.transitions,
        deliveries: queue.deliveries,
      };
      const journal = lane === this.fast ? this.journal : null;
      let announced = batch;
      try {
        if (journal) {
          const end = await journal.append(batch);
          lane.failures = 0;
          const stored = this.storeJournaled(batch, end, ids, journal);
          // API actions read their change back from the store: they wait for it.
          void stored.then(() => queue.waiters.forEach((resolve) => resolve()));
          this.options.onCommitted(batch, stored);
          continue;
        }
        const { dropped } = await this.options.store.write(batch, lane.name);
        lane.failures = 0;
        // Another process holds these alerts open and announces them: this one must not.
        if (dropped.size)
          announced = {
            alerts: batch.alerts.filter((a) => !dropped.has(a.id)),
            transitions: batch.transitions.filter((t) => !dropped.has(t.alertId)),
            deliveries: batch.deliveries.filter((d) => d.alertId === null || !dropped.has(d.alertId)),
          };
      } catch (error) {
        this.options.onError(error);
        this.requeue(lane, queue);
        lane.failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 100 * 2 ** lane.failures)));
        if (lane === this.bulk) this.lazyDue = true;
        continue;
      } finally {
        lane.inFlight = null;
      }
      for (const resolve of queue.waiters) resolve();
      this.options.onCommitted(announced, Promise.resolve());
    }
  }

  /** Stores a journaled batch after those before it, retrying until it lands; then releases the journal. */
  private storeJournaled(batch: AlertWrite, end: number, ids: Set<string>, journal: AlertJournal) {
    for (const id of ids) this.unstored.set(id, (this.unstored.get(id) ?? 0) + 1);
    const run = this.storing.then(async () => {
      for (let failures = 1; ; failures++) {
        try {
          await this.options.store.write(batch, 'fast', { id: journal.id, end });
          break;
        } catch (error) {
          this.options.onError(error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 100 * 2 ** failures)));
        }
      }
      this.stored = end;
      try {
        journal.release(end);
      } catch (error) {
        this.options.onError(error); // a segment not deleted now goes at the next release or start
      }
      for (const id of ids) {
        const left = (this.unstored.get(id) ?? 1) - 1;
        if (left) this.unstored.set(id, left);
        else this.unstored.delete(id);
      }
    });
    this.storing = run;
    return run;
  }

  /** Puts a failed batch back in front of its lane, keeping newer snapshots queued since (in either lane). */
  private requeue(lane: Lane, failed: Queue): void {
    const target = lane.queue;
    for (const [id, alert] of failed.alerts)
      if (!this.fast.queue.alerts.has(id) && !this.bulk.queue.alerts.has(id)) target.alerts.set(id, alert);
    target.transitions = [...failed.transitions, ...target.transitions];
    target.deliveries = [...failed.deliveries, ...target.deliveries];
    target.waiters = [...failed.waiters, ...target.waiters];
  }
}
