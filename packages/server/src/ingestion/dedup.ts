import type { Metrics } from '../observability/metrics.js';
import type { EventStore } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';
import type { LogLoader } from './log-loader.js';
import type { PendingRequest } from './pending-request.js';
import { loadDedupFilter, saveDedupFilter } from './dedup-snapshot.js';
import { DEFAULT_FILTER_BYTES, UuidFilter } from './uuid-filter.js';

/** How a start built the filter: from the saved file plus the events ingested since, or from every uuid. */
export interface WarmUp {
  /** Uuids read from the store. */
  read: number;
  /** Ingestion of the next group may not stamp an earlier time (the saved filter relies on it). */
  ingestedBefore: number;
  from: 'saved' | 'store';
}

/** Copies of in-flight events, by the request that is committing the original. */
export type Waits = Map<PendingRequest, CapturedEvent[]>;

/** One pass of placing a request's events: what still needs the store's word or another request's outcome. */
export class Placement {
  /** Filter hits, confirmed against the store by `Dedup.confirm`. */
  candidates: CapturedEvent[] | null = null;
  waits: Waits | null = null;
  constructor(readonly request: PendingRequest) {}
}

/**
 * Decides per uuid whether an event is new, a copy of a durable event, or a copy of one another request is
 * still committing. Three structures, each exact where it must be:
 * - `owners`: uuids admitted but not yet committed, with the request committing them. A copy waits for that
 *   request's outcome, since a 200 must not precede the durability of the event it acknowledges;
 * - the loader's unloaded uuids: durable in the ingest log, not yet in the store;
 * - `filter`: a fixed-size filter of every uuid ever committed (a superset of the store's: deleted events
 *   stay; uuid-filter.ts); a miss is exact, a hit is confirmed against the store, so memory stays bounded
 *   whatever the store's size. It is saved next to the store (`save`) and a start reads it back and adds
 *   only the uuids ingested since (dedup-snapshot.ts).
 * A uuid leaves `owners` (and a committed one joins the filter) before its request settles, so whoever
 * wakes on the outcome sees the structures as they stand after it.
 */
export class Dedup {
  private filter: UuidFilter;
  private readonly owners = new Map<string, PendingRequest>();

  constructor(
    private readonly store: EventStore,
    private readonly loader: LogLoader | undefined,
    private readonly metrics: Metrics,
    /** Where the filter is saved; none: rebuilt from every stored uuid at each start. */
    private readonly savedAt?: string,
    private readonly filterBytes = DEFAULT_FILTER_BYTES,
  ) {
    this.filter = new UuidFilter(filterBytes);
  }

  /** Builds the filter (from the saved one when it checks out); call once, before serving. */
  async warmUp(): Promise<WarmUp> {
    // Nothing commits while a start warms up: every event stored now is read below.
    const newest = (await this.store.newestIngestedAt()) ?? 0;
    const saved = this.savedAt ? await loadDedupFilter(this.savedAt, this.filterBytes) : null;
    if (saved) this.filter = saved.filter;
    const read = await this.store.forEachUuid((uuid) => this.filter.add(uuid), saved?.ingestedBefore);
    return {
      read,
      ingestedBefore: Math.max(newest, saved?.ingestedBefore ?? 0),
      from: saved ? 'saved' : 'store',
    };
  }

  /**
   * Saves the filter; `ingestedBefore`: every event ingested before it is in the filter (the pipeline's
   * latest group stamp: later groups stamp no earlier time). Taken synchronously, written in the background.
   */
  async save(ingestedBefore: number): Promise<void> {
    if (this.savedAt)
      await saveDedupFilter(this.savedAt, this.filter.folded(), this.filter.added, ingestedBefore);
  }

  /**
   * Admits `event` into the pass's request, counts it as a duplicate, or defers it: to the store check
   * (a filter hit) or to the outcome of the request committing its original. `confirmed`: the store
   * was just asked and does not hold it.
   */
  place(event: CapturedEvent, pass: Placement, confirmed = false): void {
    const uuid = event.uuid;
    const owner = this.owners.get(uuid);
    if (owner === undefined) {
      // A uuid the loader holds was added to the filter when its group committed: a miss is new, and
      // most events (new ones) skip the loader's set.
      const hit = this.filter.has(uuid);
      if (hit && this.loader?.holds(uuid)) this.metrics.duplicates.inc();
      else if (hit && !confirmed) (pass.candidates ??= []).push(event);
      else {
        this.owners.set(uuid, pass.request);
        pass.request.events.push(event);
      }
    } else if (owner === pass.request) this.metrics.duplicates.inc();
    else {
      pass.waits ??= new Map();
      const copies = pass.waits.get(owner);
      if (copies) copies.push(event);
      else pass.waits.set(owner, [event]);
    }
  }

  /**
   * Confirms the pass's fingerprint hits against the store (exact dedup; rare: client retries) and places
   * the ones it does not hold. If the store cannot answer, the request fails and gives up what it admitted.
   */
  async confirm(pass: Placement): Promise<void> {
    const candidates = pass.candidates;
    if (!candidates) return;
    pass.candidates = null;
    let stored: ReadonlySet<string>;
    try {
      stored = await this.store.existingUuids(candidates.map((e) => e.uuid));
    } catch (error) {
      this.release(pass.request.events.map((e) => e.uuid));
      pass.request.fail(error as Error);
      throw error;
    }
    // Placed again, not admitted: while the store answered, another request may have admitted a copy.
    let absent = 0;
    for (const event of candidates)
      if (stored.has(event.uuid)) this.metrics.duplicates.inc();
      else {
        absent++;
        this.place(event, pass, true);
      }
    this.metrics.dedupConfirmations.inc({ outcome: 'stored' }, candidates.length - absent);
    this.metrics.dedupConfirmations.inc({ outcome: 'absent' }, absent);
  }

  /** Counts copies whose original became durable. */
  duplicates(count: number): void {
    this.metrics.duplicates.inc(count);
  }

  /** After a commit, before its requests settle: the uuids it admitted are no longer in flight. */
  release(uuids: readonly string[]): void {
    for (const uuid of uuids) this.owners.delete(uuid);
  }

  /** A committed uuid: later copies find it in the filter. */
  remember(uuid: string): void {
    this.filter.add(uuid);
  }

  /**
   * Admits into `request` the events neither stored, logged nor in flight (quarantine replay). It waits out
   * in-flight copies first and admits only after, holding nothing while it waits: two replays cannot wait
   * on each other.
   */
  async admitAbsent(events: readonly CapturedEvent[], request: PendingRequest): Promise<void> {
    if (!events.length) return;
    for (;;) {
      const owners = new Set<PendingRequest>();
      for (const event of events) {
        const owner = this.owners.get(event.uuid);
        if (owner) owners.add(owner);
      }
      if (owners.size) {
        await Promise.all([...owners].map((o) => o.durable));
        continue;
      }
      const stored = await this.store.existingUuids(events.map((e) => e.uuid));
      if (events.some((e) => this.owners.has(e.uuid))) continue;
      for (const event of events) {
        if (stored.has(event.uuid) || this.loader?.holds(event.uuid) || this.owners.has(event.uuid)) continue;
        this.owners.set(event.uuid, request);
        request.events.push(event);
      }
      return;
    }
  }
}
