import type { Logger } from 'pino';
import type { CommittedBatch, EventStream } from '../ingestion/event-stream.js';
import { backoffDelay } from '../net/safe-fetch.js';
import { ReconnectTimer } from './reconnect-timer.js';
import { decodeBatches, encodeBatches } from './batch-codec.js';
import type { BusChannel, BusListener, BusRow } from './ports.js';

/** How long rows stay for a listener that reconnects: behind by more, it rebuilds (EventBusOptions.onMissed). */
export const BUS_KEEP_MS = 10 * 60_000;
/** How often each process removes rows older than BUS_KEEP_MS. */
const PRUNE_EVERY_MS = 60_000;
/** Ids are taken at insert but seen at commit, so a later id can be seen first: a catch-up rereads this many. */
const REORDER_IDS = 1_000;
/** Rows read per catch-up statement. */
const CATCH_UP_PAGE = 200;
/** Local events held while the bus cannot take them; past it the oldest are not published (and counted). */
const MAX_UNPUBLISHED_EVENTS = 100_000;

export interface BusCounters {
  published: (events: number) => void;
  received: (events: number) => void;
  /** Local events the peers never got (the bus was down for long). */
  dropped: (events: number) => void;
  /** A reconnect found rows gone that this process had not read. */
  missed: () => void;
}

export interface EventBusOptions {
  channel: BusChannel;
  stream: EventStream;
  /** This process's id on the bus: rows it published are never fed back to it. */
  origin: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  counters: BusCounters;
  /** Called when peers' events were missed: what is built from the stream must be rebuilt from the store. */
  onMissed: () => Promise<unknown>;
}

/**
 * Makes every process's committed events reach every process's EventStream. Each group commit's batch is
 * published as one row (batches waiting while one is sent go together in the next); peers' rows, announced
 * by id, are read and published on the local stream marked `peer`. After a lost connection the listener
 * reads what it missed from the table by id; rows already removed by then are reported (`onMissed`).
 */
export class EventBus {
  private listener: BusListener | null = null;
  private unsubscribe: (() => void) | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly reconnection = new ReconnectTimer(() => void this.reconnect());
  private stopped = false;
  /** The lowest id this process follows from (the last id when it started). */
  private startId = 0;
  /** The highest id read, published or announced. */
  private highest = 0;
  /** Ids already fed or published above `highest - REORDER_IDS`. */
  private readonly seen = new Set<number>();
  private announced: number[] = [];
  /** Feeding is serial: announcements and catch-ups run one after another, in order. */
  private feeding: Promise<void> = Promise.resolve();
  private unpublished: CommittedBatch[] = [];
  private unpublishedEvents = 0;
  private publishing: Promise<void> | null = null;
  private publishFailures = 0;
  /** Ends a publish retry's wait early (at stop). */
  private wake: (() => void) | null = null;

  constructor(private readonly options: EventBusOptions) {}

  /** Follows the bus from its current end and publishes this process's commits from now on. */
  async start(): Promise<void> {
    this.startId = await this.options.channel.lastId();
    this.highest = this.startId;
    this.listener = await this.listen();
    this.unsubscribe = this.options.stream.subscribe((batch) => this.committed(batch));
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /** Publishes what is waiting (one try), then stops following. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopped = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.reconnection.cancel();
    this.wake?.();
    await this.publishing;
    await this.publishOnce().catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, events: this.unpublishedEvents },
        'events not published at stop',
      );
    });
    await this.listener?.close();
    await this.feeding;
  }

  /** Resolves once what was announced or caught up so far is fed (for tests and orderly stops). */
  settled(): Promise<void> {
    return this.feeding;
  }

  private committed(batch: CommittedBatch): void {
    if (batch.peer || this.stopped) return;
    this.unpublished.push(batch);
    this.unpublishedEvents += batch.events.length;
    while (this.unpublishedEvents > MAX_UNPUBLISHED_EVENTS && this.unpublished.length > 1) {
      const dropped = this.unpublished.shift()?.events.length ?? 0;
      this.unpublishedEvents -= dropped;
      this.options.counters.dropped(dropped);
    }
    this.publishing ??= this.publishLoop();
  }

  private async publishLoop(): Promise<void> {
    try {
      while (this.unpublished.length && !this.stopped) {
        try {
          await this.publishOnce();
          this.publishFailures = 0;
        } catch (error) {
          this.publishFailures++;
          if (this.publishFailures === 1)
            this.options.logger.warn(
              { err: error },
              'publishing events to the other processes failed; retrying',
            );
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, backoffDelay(this.publishFailures, 200, 10_000));
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    } finally {
      this.publishing = null;
    }
  }

  private async publishOnce(): Promise<void> {
    if (!this.unpublished.length) return;
    // Batches committed while this row is sent wait for the next one.
    const batches = this.unpublished.slice();
    const events = batches.reduce((sum, batch) => sum + batch.events.length, 0);
    const id = await this.options.channel.publish(this.options.origin, encodeBatches(batches));
    const sent = new Set(batches);
    // Some of them may have been dropped meanwhile (MAX_UNPUBLISHED_EVENTS); only those still held leave.
    this.unpublished = this.unpublished.filter((batch) => !sent.has(batch));
    this.unpublishedEvents = this.unpublished.reduce((sum, batch) => sum + batch.events.length, 0);
    this.remember(id);
    this.options.counters.published(events);
  }

  private async listen(): Promise<BusListener> {
    return this.options.channel.listen(
      (id, origin) => this.announce(id, origin),
      (error) => this.lost(error),
    );
  }

  private announce(id: number, origin: string): void {
    if (origin === this.options.origin || id <= this.startId || this.seen.has(id)) return;
    this.announced.push(id);
    if (this.announced.length === 1) this.feed(() => this.readAnnounced());
  }

  private feed(work: () => Promise<void>): void {
    this.feeding = this.feeding.then(work).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'reading events of other processes failed; catching up');
      this.scheduleReconnect();
    });
  }

  private async readAnnounced(): Promise<void> {
    const ids = this.announced;
    this.announced = [];
    this.apply(await this.options.channel.rowsById(ids, this.options.origin));
  }

  private apply(rows: readonly BusRow[]): void {
    for (const row of rows) {
      if (this.seen.has(row.id)) continue;
      this.remember(row.id);
      let batches: CommittedBatch[];
      try {
        batches = decodeBatches(row.payload);
      } catch (error) {
        this.options.logger.error({ err: error, id: row.id, origin: row.origin }, 'skipped an event bus row');
        continue;
      }
      for (const batch of batches) {
        this.options.counters.received(batch.events.length);
        this.options.stream.publish(batch);
      }
    }
  }

  private remember(id: number): void {
    this.seen.add(id);
    if (id <= this.highest) return;
    this.highest = id;
    if (this.seen.size > 2 * REORDER_IDS)
      for (const old of this.seen) if (old <= id - REORDER_IDS) this.seen.delete(old);
  }

  private lost(error: Error): void {
    if (this.stopped) return;
    this.options.logger.warn({ err: error }, 'the event bus connection was lost; reconnecting');
    this.listener = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.stopped) this.reconnection.schedule();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      // Listen first: whatever is announced from now on is heard; what came before is read from the table.
      const listener = this.listener ?? (await this.listen());
      if (this.stopped) return void (await listener.close());
      this.listener = listener;
      this.feed(() => this.catchUp());
      await this.feeding;
      if (this.listener) this.reconnection.succeeded();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'reconnecting to the event bus failed; retrying');
      this.scheduleReconnect();
    }
  }

  /** Reads every row after the last ones seen; rows removed unread mean missed events. */
  private async catchUp(): Promise<void> {
    const { channel, origin } = this.options;
    const followedTo = this.highest;
    let after = Math.max(this.startId, this.highest - REORDER_IDS);
    let missedThrough = 0;
    for (;;) {
      const { rows, prunedThrough } = await channel.rowsAfter(after, origin, CATCH_UP_PAGE);
      missedThrough ||= prunedThrough > followedTo ? prunedThrough : 0;
      this.apply(rows);
      const last = rows.at(-1);
      if (!last || rows.length < CATCH_UP_PAGE) break;
      after = last.id;
    }
    // After the rows still kept are fed: the rebuild then starts from the store as it stands.
    if (missedThrough) await this.missed(followedTo, missedThrough);
  }

  private async missed(followedTo: number, prunedThrough: number): Promise<void> {
    this.options.counters.missed();
    this.options.logger.warn(
      { followedTo, prunedThrough, keptMs: BUS_KEEP_MS },
      'missed events of other processes (this process was cut off longer than the event bus keeps them); ' +
        'rebuilding the summary rollups from the store',
    );
    await this.options.onMissed();
  }

  private async prune(): Promise<void> {
    try {
      await this.options.channel.prune(BUS_KEEP_MS);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'removing old event bus rows failed');
    }
  }
}
