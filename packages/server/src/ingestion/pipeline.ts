import { checkBusinessEvent, isBusinessEventName, makeIssue, type SchemaIssue } from '@pulse/events';
import { UnavailableError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventStore, QuarantinedEvent, StoredEvent } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';
import type { EventStream } from './event-stream.js';
import { commitWithIsolation, type PendingRequest } from './isolate-failures.js';
import type { LogLoader } from './log-loader.js';
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
  /**
   * Log-first ingest (ADR 0002): a group is durable once appended to the ingest log and fsynced; the
   * loader moves it into the store later. Without it, groups commit straight into the store.
   */
  loader?: LogLoader;
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
  private lastIngestedAt = 0;

  constructor(private readonly options: PipelineOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Loads every stored uuid into the dedup index; call once before serving. */
  async warmUp(): Promise<number> {
    return this.options.store.forEachUuid((uuid) => this.index.add(uuid));
  }

  /** Events accepted but not yet in the store: waiting for the log, or logged and waiting for the loader. */
  get queueDepth(): number {
    return this.queuedEvents + (this.options.loader?.backlog.rows ?? 0);
  }

  /** Resolves once the store holds every event acknowledged so far (the read barrier; 503 on timeout). */
  async barrier(timeoutMs?: number): Promise<void> {
    await this.options.loader?.barrier(timeoutMs);
  }

  /** Bulk loading (seed, demo) waits here for the loader instead of being refused with a 503. */
  async waitForRoom(events: number): Promise<void> {
    await this.options.loader?.waitForRoom(events + this.queuedEvents);
  }

  /** Whether a uuid is acknowledged but not yet committed to the store (queued, or in the log). */
  private pendingUuid(uuid: string): boolean {
    return this.inFlight.has(uuid) || (this.options.loader?.holds(uuid) ?? false);
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
    const loader = this.options.loader;
    if (loader?.isFull(this.queuedEvents + events.length)) {
      metrics.rejected.inc({ reason: 'queue_full' });
      const { rows, bytes } = loader.backlog;
      throw new UnavailableError(
        `the store is ${rows} events (${bytes} bytes of ingest log) behind; retry shortly`,
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
      if (this.pendingUuid(event.uuid)) metrics.duplicates.inc();
      else if (this.index.has(event.uuid)) candidates.push(event);
      else this.admit(event, accepted);
    });
    if (candidates.length) {
      // A fingerprint hit is confirmed against the store: exact dedup, and rare (client retries).
      const stored = await this.options.store.existingUuids(candidates.map((e) => e.uuid));
      for (const event of candidates) {
        if (stored.has(event.uuid) || this.pendingUuid(event.uuid)) metrics.duplicates.inc();
        else this.admit(event, accepted);
      }
    }
    if (!accepted.length && !quarantined.length) return { quarantined: [] };
    const request = await this.enqueue(accepted, quarantined, []);
    for (const q of request.quarantined) metrics.quarantined.inc({ event: q.event.event });
    return { quarantined: request.quarantined.map((q) => ({ index: q.batchIndex, issues: q.issues })) };
  }

  /** Keeps events aside in the quarantine with issues their producer found (e.g. no tenant); replayable. */
  async quarantine(entries: readonly QuarantinedEvent[]): Promise<void> {
    if (!entries.length) return;
    const request = await this.enqueue([], [...entries], []);
    for (const q of request.quarantined) this.options.metrics.quarantined.inc({ event: q.event.event });
  }

  /**
   * Re-checks quarantined events against the current catalog, with optional corrected properties per id
   * (`fixes[id]` is merged over the stored properties; null removes one); valid ones move into the store.
   */
  async replay(
    ids: readonly string[],
    fixes: Readonly<Record<string, Record<string, unknown>>> = {},
  ): Promise<{ replayed: string[]; stillInvalid: QuarantinedEvent[] }> {
    // Quarantine entries and events may still be in the ingest log.
    await this.barrier();
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
        !this.pendingUuid(event.uuid) &&
        !(await this.options.store.existingUuids([event.uuid])).has(event.uuid)
      )
        this.admit(event, valid);
    }
    if (released.length || stillInvalid.length) await this.enqueue(valid, stillInvalid, released);
    return { replayed: released, stillInvalid };
  }

  /** Commits everything queued (and loads the ingest log); new requests still get in until close. */
  async drain(): Promise<void> {
    while (this.queue.length || this.committing) {
      if (!this.committing) this.startCommit();
      await this.committing;
    }
    await this.options.loader?.drain();
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
    const { metrics, store, stream, loader } = this.options;
    // Never backwards in log order: analytics' rebuild relies on it (see analytics.ts replay).
    const ingestedAt = Math.max(this.now(), this.lastIngestedAt);
    this.lastIngestedAt = ingestedAt;
    const uuids = group.flatMap((r) => r.events.map((e) => e.uuid));
    const stop = metrics.commitSeconds.startTimer();
    const committed = loader
      ? await this.commitToLog(loader, group, ingestedAt)
      : await commitWithIsolation(store, group, ingestedAt);
    stop();
    metrics.commitEvents.observe(size);
    this.queuedEvents -= size;
    metrics.queueDepth.set(this.queuedEvents);
    const stored: StoredEvent[] = [];
    for (const uuid of uuids) this.inFlight.delete(uuid);
    let business = 0;
    for (const request of group) {
      if (!committed.has(request)) continue;
      for (const event of request.events) {
        this.index.add(event.uuid);
        const tenant = event.properties.tenant_id;
        // A literal, not a spread: one hidden class for every stream event (this runs per event).
        stored.push({
          uuid: event.uuid,
          event: event.event,
          distinctId: event.distinctId,
          timestamp: event.timestamp,
          properties: event.properties,
          tenantId: typeof tenant === 'string' ? tenant : null,
          ingestedAt,
        });
        if (isBusinessEventName(event.event)) business++;
      }
    }
    if (business) metrics.accepted.inc({ kind: 'business' }, business);
    if (stored.length > business) metrics.accepted.inc({ kind: 'generic' }, stored.length - business);
    if (stored.length) stream.publish({ events: stored, committedAt: this.now() });
  }

  /**
   * One record for the whole group: rows in the store's load format, appended and fdatasync'ed. An event
   * the store cannot even encode is quarantined in its request; a log write failure fails the group (503).
   */
  private async commitToLog(
    loader: LogLoader,
    group: PendingRequest[],
    ingestedAt: number,
  ): Promise<Set<PendingRequest>> {
    const tables = new Map<string, string[]>();
    const uuids: string[] = [];
    for (const request of group) {
      let kept: CapturedEvent[] | null = null;
      for (const [index, event] of request.events.entries()) {
        let encoded: { table: string; row: string };
        try {
          encoded = loader.encode(event, ingestedAt);
        } catch (error) {
          kept ??= request.events.slice(0, index);
          const issue = makeIssue(
            event.event,
            'properties',
            'storage',
            `a value the store can hold (${String(error)})`,
            undefined,
          );
          request.quarantined.push({
            id: event.uuid,
            receivedAt: ingestedAt,
            batchIndex: index,
            event,
            issues: [issue],
          });
          continue;
        }
        kept?.push(event);
        const rows = tables.get(encoded.table);
        if (rows) rows.push(encoded.row);
        else tables.set(encoded.table, [encoded.row]);
        uuids.push(event.uuid);
      }
      if (kept) request.events = kept;
    }
    try {
      await loader.append(
        {
          ingestedAt,
          rows: tables,
          quarantined: group.flatMap((r) => r.quarantined),
          released: group.flatMap((r) => r.released),
        },
        uuids,
      );
    } catch (error) {
      for (const request of group)
        request.reject(new UnavailableError(`ingest log write failed: ${String(error)}`, 1));
      return new Set();
    }
    for (const request of group) request.resolve();
    return new Set(group);
  }
}
