import type { QuarantinedEvent } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';

/**
 * One request's share of a group commit. `durable` settles once, after the pipeline's bookkeeping for the
 * commit is done: true when every event (and quarantine change) is durable, false when the commit failed
 * (then `error` says why). Copies of its events sent by other requests wait on it.
 */
export class PendingRequest {
  events: CapturedEvent[] = [];
  quarantined: QuarantinedEvent[] = [];
  released: string[] = [];
  error: Error | null = null;
  private settle: (ok: boolean) => void = () => {};
  readonly durable = new Promise<boolean>((resolve) => {
    this.settle = resolve;
  });

  get failed(): boolean {
    return this.error !== null;
  }

  /** Resolves once durable; throws the commit's error if it failed. */
  async committed(): Promise<void> {
    if (!(await this.durable) && this.error) throw this.error;
  }

  succeed(): void {
    this.settle(true);
  }

  fail(error: Error): void {
    this.error ??= error;
    this.settle(false);
  }
}
