import { backoffDelay } from '../net/safe-fetch.js';

/** Retries a lost connection with back-off (200 ms doubling to 10 s, jittered); one attempt pending at most. */
export class ReconnectTimer {
  private timer: NodeJS.Timeout | null = null;
  private attempts = 0;

  constructor(private readonly attempt: () => void) {}

  /** Plans the next attempt unless one is pending. */
  schedule(): void {
    if (this.timer) return;
    this.attempts++;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.attempt();
      },
      backoffDelay(this.attempts, 200, 10_000),
    );
    this.timer.unref();
  }

  /** The connection is back: the next loss starts from the shortest delay. */
  succeeded(): void {
    this.attempts = 0;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
