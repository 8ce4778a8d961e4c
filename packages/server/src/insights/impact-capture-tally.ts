import { captureOutcomes, type CaptureCounts, type CaptureCountStore } from '../storage/insight-store.js';

/** How often counted captures are added to the store: the most a crash can lose (counts only, never events). */
export const CAPTURE_TALLY_FLUSH_MS = 5_000;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The outcome of one capture request's events, as its answer told the sender. */
export type CaptureVerdict = { kind: 'answered'; quarantined: ReadonlySet<number> } | { kind: 'refused' };

/**
 * Counts what capture received and what became of it (accepted, quarantined, refused) per UTC day and
 * tenant, in memory, and adds the counts to the store every few seconds and on close: a counter write per
 * request would cost a store transaction on the hot path. A failed write keeps its counts for the next one.
 */
export class CaptureTally {
  private pending = new Map<string, CaptureCounts>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<CaptureCountStore, 'addCaptureCounts'>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs = CAPTURE_TALLY_FLUSH_MS): void {
    this.timer ??= setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** The events of one decoded request and how it was answered. */
  record(
    receivedAt: number,
    events: readonly { properties: Record<string, unknown> }[],
    verdict: CaptureVerdict,
  ): void {
    const day = dayOf(receivedAt);
    events.forEach((event, index) => {
      const tenant = event.properties.tenant_id;
      const counts = this.countsOf(day, typeof tenant === 'string' ? tenant : '');
      counts.received++;
      if (verdict.kind === 'refused') counts.refused++;
      else if (verdict.quarantined.has(index)) counts.quarantined++;
      else counts.accepted++;
    });
  }

  /** A request refused before its events could be read (bad token, undecodable, too large). */
  requestRefused(receivedAt: number): void {
    this.countsOf(dayOf(receivedAt), '').refusedRequests++;
  }

  /** Adds what was counted so far to the store (one write at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.size) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.store.addCaptureCounts([...batch.values()]);
      } catch (error) {
        for (const counts of batch.values()) this.merge(counts);
        this.onError(error);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private countsOf(day: string, tenantId: string): CaptureCounts {
    const key = `${day}\u0000${tenantId}`;
    let counts = this.pending.get(key);
    if (!counts) {
      counts = { day, tenantId, received: 0, accepted: 0, quarantined: 0, refused: 0, refusedRequests: 0 };
      this.pending.set(key, counts);
    }
    return counts;
  }

  private merge(counts: CaptureCounts): void {
    const into = this.countsOf(counts.day, counts.tenantId);
    for (const outcome of captureOutcomes) into[outcome] += counts[outcome];
  }
}
