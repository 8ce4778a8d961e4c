import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPoller } from './poller.js';
import { SourceStatusBoard } from './source-status.js';

const logger = pino({ level: 'silent' });

describe('startPoller', () => {
  afterEach(() => vi.useRealTimers());

  it('polls on its interval, backs off after failures and resets after a success', async () => {
    vi.useFakeTimers({ now: 0 });
    const board = new SourceStatusBoard();
    const status = board.register('scrape', 'http://127.0.0.1:9100/metrics', 't1');
    const outcomes = ['ok', 'fail', 'fail', 'ok'];
    const ranAt: number[] = [];
    const poller = startPoller({
      intervalMs: 1_000,
      status,
      logger,
      random: () => 1,
      run: async () => {
        ranAt.push(Date.now());
        if (outcomes.shift() === 'fail') throw new Error('connection refused');
        return { samples: 3 };
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(board.list()[0]).toMatchObject({ state: 'ok', detail: { samples: 3 }, consecutiveFailures: 0 });
    await vi.advanceTimersByTimeAsync(1_000); // first failure: wait one interval
    expect(board.list()[0]).toMatchObject({
      state: 'failing',
      consecutiveFailures: 1,
      lastError: { message: 'connection refused' },
    });
    await vi.advanceTimersByTimeAsync(1_000); // second failure: the wait doubles
    expect(board.list()[0]).toMatchObject({
      consecutiveFailures: 2,
      nextAttemptAt: new Date(4_000).toISOString(),
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ranAt).toEqual([0, 1_000, 2_000, 4_000]);
    expect(board.list()[0]).toMatchObject({
      state: 'ok',
      consecutiveFailures: 0,
      lastError: { message: 'connection refused' },
    });
    await poller.stop();
    expect(board.list()[0]?.nextAttemptAt).toBeNull();
  });

  it('stop aborts a poll in flight and waits for it', async () => {
    const board = new SourceStatusBoard();
    let aborted = false;
    const poller = startPoller({
      intervalMs: 60_000,
      status: board.register('sync', 'subscriptions'),
      logger,
      run: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    await new Promise((resolve) => setImmediate(resolve));
    await poller.stop();
    expect(aborted).toBe(true);
  });
});
