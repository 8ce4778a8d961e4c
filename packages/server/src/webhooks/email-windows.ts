import type { Clock } from '../clock.js';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { EmailWindow, WebhookStore } from '../storage/webhook-store.js';
import { closesEarly, deliverabilityEvent, numbersOf, riskRank } from './deliverability.js';
import type { Serial } from './serial.js';

export interface EmailWindowsOptions {
  store: WebhookStore;
  pipeline: Pick<IngestPipeline, 'ingest'>;
  clock: Clock;
  windowMs: number;
  serial: Serial;
  onError: (error: unknown) => void;
  /** False while another process reports the windows that end (cluster/leader.ts). */
  runsHere?: () => boolean;
}

const sameWindow = (a: EmailWindow, b: EmailWindow) =>
  a.tenantId === b.tenantId &&
  a.provider === b.provider &&
  a.sendingDomain === b.sendingDomain &&
  a.start === b.start;

/**
 * Open email windows (kept in the store, so they survive a restart) and their reports: each window is
 * reported when its slot ends, or earlier when its risk rises (see `closesEarly`). Every email is counted
 * in exactly one report, so the reports' email_count-weighted bounce_rate over any span is the true rate.
 */
export class EmailWindows {
  private cancel: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: EmailWindowsOptions) {}

  /** Reports windows whose slot ended while Pulse was down, then follows the clock. */
  async start(): Promise<void> {
    await this.options.serial.run(() => this.closeDue());
    this.schedule();
  }

  stop(): void {
    this.closed = true;
    this.cancel?.();
  }

  /** After a request's counts are committed (inside the serial section): early reports of worsened windows. */
  async afterCommit(touched: readonly EmailWindow[]): Promise<void> {
    if (!touched.length) return;
    const now = this.options.clock.now();
    for (const w of await this.options.store.windows()) {
      if (!touched.some((t) => sameWindow(t, w)) || !closesEarly(w)) continue;
      await this.report(w, { at: now, early: true });
      const reset = { ...w, delivered: 0, hardBounced: 0, softBounced: 0, deferred: 0, complained: 0 };
      await this.options.store.settleWindow({ ...reset, reportedRisk: riskRank(numbersOf(w).risk) }, false);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    const { clock, windowMs } = this.options;
    const next = (Math.floor(clock.now() / windowMs) + 1) * windowMs;
    this.cancel = clock.at(next, async () => {
      try {
        await this.options.serial.run(() => this.closeDue());
      } catch (error) {
        this.options.onError(error);
      }
      this.schedule();
    });
  }

  private async closeDue(): Promise<void> {
    if (this.options.runsHere?.() === false) return;
    const { clock, windowMs, store } = this.options;
    const slot = Math.floor(clock.now() / windowMs) * windowMs;
    for (const w of await store.windows(slot)) {
      await this.report(w, { at: w.start + windowMs, early: false });
      await store.settleWindow(w, true);
    }
  }

  private async report(w: EmailWindow, closed: { at: number; early: boolean }): Promise<void> {
    const event = deliverabilityEvent(w, closed, this.options.windowMs);
    if (!event) return;
    const outcome = await this.options.pipeline.ingest([event], this.options.clock.now());
    if (outcome.quarantined.length)
      this.options.onError(
        new Error(`a deliverability report was quarantined: ${JSON.stringify(outcome.quarantined)}`),
      );
  }
}
