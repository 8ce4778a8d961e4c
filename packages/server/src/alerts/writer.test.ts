import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertStore, AlertWrite, WriteLane } from '../storage/alert-store.js';
import type { Alert, Transition } from './types.js';
import { AlertWriter } from './writer.js';

/**
 * A store that keeps the latest row per alert id. A test can hold a lane's writes (or all of them) behind a
 * gate it releases, wait until a write of a lane has started, and make writes fail.
 */
function fakeStore() {
  const rows = new Map<string, Alert>();
  const log: { lane: WriteLane; alerts: string[]; transitions: string[]; journalEnd?: number }[] = [];
  const started = { fast: [] as (() => void)[], bulk: [] as (() => void)[] };
  const control = {
    failNext: 0,
    /** While set, every write waits for it (a commit stuck behind a checkpoint, released by the test). */
    gate: null as Promise<void> | null,
    lanes: { fast: null, bulk: null } as Record<WriteLane, Promise<void> | null>,
    /** Holds the lane's writes until the returned function is called. */
    hold(lane: WriteLane): () => void {
      let release = () => undefined as void;
      control.lanes[lane] = new Promise<void>((resolve) => (release = resolve));
      return () => {
        control.lanes[lane] = null;
        release();
      };
    },
    /** Resolves when the lane's next write starts. */
    started: (lane: WriteLane) => new Promise<void>((resolve) => started[lane].push(resolve)),
  };
  const store = {
    async write(batch: AlertWrite, lane: WriteLane = 'fast', journal?: { id: string; end: number }) {
      for (const resolve of started[lane].splice(0)) resolve();
      await control.lanes[lane];
      await control.gate;
      if (control.failNext > 0) {
        control.failNext--;
        throw new Error('disk full');
      }
      for (const a of batch.alerts) rows.set(a.id, structuredClone(a));
      log.push({
        lane,
        alerts: batch.alerts.map((a) => a.id),
        transitions: batch.transitions.map((t) => t.kind),
        ...(journal ? { journalEnd: journal.end } : {}),
      });
      return { dropped: new Set<string>() };
    },
  } as unknown as AlertStore;
  return { store, rows, log, control };
}

const alert = (id: string, count = 1): Alert => ({ id, count, state: 'open' }) as Alert;
const transition = (alertId: string, kind: Transition['kind'] = 'opened'): Transition => ({
  id: `${alertId}-${kind}`,
  alertId,
  kind,
  at: 0,
  actor: 'pulse',
  comment: null,
  backfill: false,
});

describe('AlertWriter', () => {
  // The lazy intervals run on a fake clock the tests advance: no test waits on, or races, real time.
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes notified transitions at once and coalesces updates per alert', async () => {
    const { store, rows, log } = fakeStore();
    const committed: AlertWrite[] = [];
    const writer = new AlertWriter({
      store,
      onCommitted: (b) => committed.push(b),
      onError: () => undefined,
      lazyMs: 50,
    });
    await writer.submitTransition(alert('a'), transition('a'), []);
    expect(log).toEqual([{ lane: 'fast', alerts: ['a'], transitions: ['opened'] }]);
    for (let i = 2; i <= 5; i++) writer.submitUpdate(alert('a', i));
    writer.submitQuiet(alert('b'), transition('b'));
    expect(log).toHaveLength(1); // nothing written yet: coalescing
    await writer.flush();
    expect(log[1]).toEqual({ lane: 'bulk', alerts: ['a', 'b'], transitions: ['opened'] });
    expect(rows.get('a')?.count).toBe(5);
    expect(committed).toHaveLength(2);
  });

  it('coalesces backfill alerts longer, until a live change pulls the write earlier', async () => {
    vi.useFakeTimers();
    const { store, rows, log } = fakeStore();
    const writer = new AlertWriter({
      store,
      onCommitted: () => undefined,
      onError: () => undefined,
      lazyMs: 20,
      backfillLazyMs: 400,
    });
    const history = (id: string, count: number): Alert => ({ ...alert(id, count), backfill: true });
    for (let i = 1; i <= 3; i++) writer.submitUpdate(history('old', i));
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toHaveLength(0); // a live alert would have been written after 20 ms

    writer.submitUpdate(alert('live', 1)); // re-arms the timer for 20 ms; the backfill row goes along
    await vi.advanceTimersByTimeAsync(20);
    expect(log).toEqual([{ lane: 'bulk', alerts: ['old', 'live'], transitions: [] }]);
    expect(rows.get('old')?.count).toBe(3);

    writer.submitUpdate(history('old', 4)); // a lone backfill change waits its own interval again
    await vi.advanceTimersByTimeAsync(399);
    expect(log).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toHaveLength(2);
    expect(rows.get('old')?.count).toBe(4);
  });

  it('with a journal, a slow store delays no notification; stores in journal order, bulk after', async () => {
    vi.useFakeTimers();
    const { store, rows, log, control } = fakeStore();
    const journaled: string[][] = [];
    const journal = {
      append: async (batch: AlertWrite) => {
        journaled.push(batch.alerts.map((a) => a.id));
        return journaled.length;
      },
      id: 'test-journal',
      released: 0,
      release(stored: number) {
        this.released = stored;
      },
      closedAt: -1,
      async close(stored?: number) {
        this.closedAt = stored ?? -1;
      },
    };
    const handed: { ids: string[]; stored: Promise<void> }[] = [];
    const writer = new AlertWriter({
      store,
      onCommitted: (b, stored) => handed.push({ ids: b.alerts.map((a) => a.id), stored }),
      onError: () => undefined,
      lazyMs: 1,
    });
    writer.useJournal(journal, 0);
    let release = () => undefined as void;
    control.gate = new Promise<void>((resolve) => (release = resolve)); // the store is stuck
    void writer.submitTransition(alert('a'), transition('a'), []);
    await vi.advanceTimersByTimeAsync(0);
    void writer.submitTransition(alert('b'), transition('b'), []);
    writer.submitUpdate(alert('a', 7)); // the bulk lane must not overtake a's journaled snapshot
    await vi.advanceTimersByTimeAsync(20); // the bulk lane's 1 ms timer has fired: it would write now if it could
    expect(handed.map((h) => h.ids)).toEqual([['a'], ['b']]); // both handed on while the store is stuck
    expect(log).toEqual([]);

    control.gate = null;
    release();
    await writer.close();
    expect(log).toEqual([
      { lane: 'fast', alerts: ['a'], transitions: ['opened'], journalEnd: 1 },
      { lane: 'fast', alerts: ['b'], transitions: ['opened'], journalEnd: 2 },
      { lane: 'bulk', alerts: ['a'], transitions: [] },
    ]);
    expect(rows.get('a')?.count).toBe(7);
    await Promise.all(handed.map((h) => h.stored));
    expect(journal.released).toBe(2);
    expect(journal.closedAt).toBe(2);
  });

  it('keeps snapshots in order across lanes: a write waits for the other lane’s write of the same alert', async () => {
    const { store, rows, log, control } = fakeStore();
    const writer = new AlertWriter({
      store,
      onCommitted: () => undefined,
      onError: () => undefined,
      lazyMs: 1,
    });
    let release = control.hold('bulk');
    let bulkStarted = control.started('bulk');
    writer.submitUpdate(alert('x', 5)); // bulk lane, stuck
    await bulkStarted;
    const resolved = { ...alert('x', 5), state: 'resolved' as const };
    const written = writer.submitTransition(resolved, transition('x', 'resolved'), []);
    release(); // had the fast lane not waited, its write would have been logged first, past the held one
    await written;
    expect(log.map((l) => l.lane)).toEqual(['bulk', 'fast']);
    expect(rows.get('x')?.state).toBe('resolved');

    // Another alert does not wait for a stuck bulk write: its transition is stored while the bulk lane is held.
    release = control.hold('bulk');
    bulkStarted = control.started('bulk');
    writer.submitUpdate(alert('y', 2));
    await bulkStarted;
    await writer.submitTransition(alert('z'), transition('z'), []);
    expect(log.slice(2)).toEqual([{ lane: 'fast', alerts: ['z'], transitions: ['opened'] }]);
    release();
    await writer.flush();
    expect(log.slice(3)).toEqual([{ lane: 'bulk', alerts: ['y'], transitions: [] }]);
  });

  it('retries a failed write and never drops it', async () => {
    const { store, rows, control } = fakeStore();
    const errors: unknown[] = [];
    const writer = new AlertWriter({
      store,
      onCommitted: () => undefined,
      onError: (e) => errors.push(e),
      lazyMs: 1,
    });
    control.failNext = 2;
    await writer.submitTransition(alert('a'), transition('a'), []);
    expect(errors).toHaveLength(2);
    expect(rows.get('a')).toBeDefined();
  });
});
