import { checkBusinessEvent, isBusinessEventName, type SchemaIssue } from '@pulse/events';
import { UnavailableError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventStore, QuarantinedEvent, StoredEvent } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';
import type { EventStream } from './event-stream.js';
import { commitWithIsolation, type PendingRequest } from './isolate-failures.js';
import { UuidIndex } from './uuid-index.js';

/** What the capture response reports about a request's events. */
export interface IngestOutcome {
  quarantined: { index: number; issues: SchemaIssue[] }[];
}

export interface PipelineOptions {
  store: EventStore;
  stream: EventStream;
  metrics: Metrics;
  /** Events waiting for commit before new requests are refused with 503. */
  queueMax: number;
  /** How long the first request of a group waits for others to share its commit. */
  commitIntervalMs: number;
  maxEventsPerCommit?: number;
  now?: () => number;
}

/**
 * Validates, deduplicates and group-commits captured events. `ingest` resolves only once its events
 * are durable (or quarantined durably), then the committed events go to the stream.
 */
export class IngestPipeline {
  private readonly index = new UuidIndex();
  /** uuids accepted but not yet committed: duplicates within the queue are caught here. */
  private readonly inFlight = new Set<string>();
  private queue: PendingRequest[] = [];
  private queuedEvents = 0;
  private committing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Loads every stored uuid into the dedup index; call once before serving. */
  async warmUp(): Promise<number> {
    return this.options.store.forEachUuid((uuid) => this.index.add(uuid));
  }

  get queueDepth(): number {
    return this.queuedEvents;
  }

  async ingest(events: readonly CapturedEvent[], receivedAt = this.now()): Promise<IngestOutcome> {
    const { metrics } = this.options;
    if (this.queuedEvents + events.length > this.options.queueMax) {
      metrics.rejected.inc({ reason: 'queue_full' });
      throw new UnavailableError(
        `ingest queue is full (${this.queuedEvents} events waiting); retry shortly`,
        1,
      );
    }
    const accepted: CapturedEvent[] = [];
    const quarantined: QuarantinedEvent[] = [];
    const candidates: CapturedEvent[] = [];
    events.forEach((event, index) => {
      if (isBusinessEventName(event.event)) {
        const result = checkBusinessEvent(event.event, event.properties, { uuid: event.uuid });
        if (!result.ok) {
          quarantined.push({ id: event.uuid, receivedAt, batchIndex: index, event, issues: result.issues });
          return;
        }
      }
      if (this.inFlight.has(event.uuid)) metrics.duplicates.inc();
      else if (this.index.has(event.uuid)) candidates.push(event);
      else this.admit(event, accepted);
    });
    if (candidates.length) {
      // A fingerprint hit is confirmed against the store: exact dedup, and rare (client retries).
      const stored = await this.options.store.existingUuids(candidates.map((e) => e.uuid));
      for (const event of candidates) {
        if (stored.has(event.uuid) || this.inFlight.has(event.uuid)) metrics.duplicates.inc();
        else this.admit(event, accepted);
      }
    }
    if (!accepted.length && !quarantined.length) return { quarantined: [] };
    const request = await this.enqueue(accepted, quarantined, []);
    for (const q of request.quarantined) metrics.quarantined.inc({ event: q.event.event });
    return { quarantined: request.quarantined.map((q) => ({ index: q.batchIndex, issues: q.issues })) };
  }

  /**
   * Re-checks quarantined events against the current catalog, with optional corrected properties per id
   * (`fixes[id]` is merged over the stored properties; null removes one); valid ones move into the store.
   */
  async replay(
    ids: readonly string[],
    fixes: Readonly<Record<string, Record<string, unknown>>> = {},
  ): Promise<{ replayed: string[]; stillInvalid: QuarantinedEvent[] }> {
    const entries = await this.options.store.getQuarantined(ids);
    const valid: CapturedEvent[] = [];
    const released: string[] = [];
    const stillInvalid: QuarantinedEvent[] = [];
    for (const entry of entries) {
      const fix = fixes[entry.id] ?? {};
      const properties = { ...entry.event.properties, ...fix };
      for (const [key, value] of Object.entries(fix)) if (value === null) delete properties[key];
      const event = { ...entry.event, properties };
      const result = isBusinessEventName(event.event)
        ? checkBusinessEvent(event.event, event.properties, { uuid: event.uuid })
        : ({ ok: true } as const);
      if (!result.ok) {
        stillInvalid.push({ ...entry, event, issues: result.issues });
        continue;
      }
      released.push(entry.id);
      if (
        !this.inFlight.has(event.uuid) &&
        !(await this.options.store.existingUuids([event.uuid])).has(event.uuid)
      )
        this.admit(event, valid);
    }
    if (released.length || stillInvalid.length) await this.enqueue(valid, stillInvalid, released);
    return { replayed: released, stillInvalid };
  }

  /** Commits everything queued; new requests still get in until close. */
  async drain(): Promise<void> {
    while (this.queue.length || this.committing) {
      if (!this.committing) this.startCommit();
      await this.committing;
    }
  }

  private admit(event: CapturedEvent, into: CapturedEvent[]): void {
    this.inFlight.add(event.uuid);
    into.push(event);
  }

  /** Resolves with the request as committed (isolation may have quarantined more of its events). */
  private enqueue(
    events: CapturedEvent[],
    quarantined: QuarantinedEvent[],
    released: string[],
  ): Promise<PendingRequest> {
    return new Promise((resolve, reject) => {
      const request: PendingRequest = {
        events,
        quarantined,
        released,
        resolve: () => resolve(request),
        reject,
      };
      this.queue.push(request);
      this.queuedEvents += events.length + quarantined.length;
      this.options.metrics.queueDepth.set(this.queuedEvents);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.committing || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.startCommit();
    }, this.options.commitIntervalMs);
  }

  private startCommit(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const max = this.options.maxEventsPerCommit ?? 50_000;
    const group: PendingRequest[] = [];
    let size = 0;
    while (this.queue.length && (size === 0 || size + (this.queue[0]?.events.length ?? 0) <= max)) {
      const request = this.queue.shift();
      if (!request) break;
      group.push(request);
      size += request.events.length + request.quarantined.length;
    }
    this.committing = this.commitGroup(group, size).finally(() => {
      this.committing = null;
      if (this.queue.length) this.schedule();
    });
  }

  private async commitGroup(group: PendingRequest[], size: number): Promise<void> {
    const { metrics, store, stream } = this.options;
    const ingestedAt = this.now();
    const uuids = group.flatMap((r) => r.events.map((e) => e.uuid));
    const stop = metrics.commitSeconds.startTimer();
    const committed = await commitWithIsolation(store, group, ingestedAt);
    stop();
    metrics.commitEvents.observe(size);
    this.queuedEvents -= size;
    metrics.queueDepth.set(this.queuedEvents);
    const stored: StoredEvent[] = [];
    for (const uuid of uuids) this.inFlight.delete(uuid);
    for (const request of group) {
      if (!committed.has(request)) continue;
      for (const event of request.events) {
        this.index.add(event.uuid);
        const tenant = event.properties.tenant_id;
        stored.push({ ...event, tenantId: typeof tenant === 'string' ? tenant : null, ingestedAt });
        metrics.accepted.inc({ kind: isBusinessEventName(event.event) ? 'business' : 'generic' });
      }
    }
    if (stored.length) stream.publish({ events: stored, committedAt: this.now() });
  }
}
