import { describe, expect, it } from 'vitest';
import type { AlertStore, AlertWrite, WriteLane } from '../storage/alert-store.js';
import type { Alert, Transition } from './types.js';
import { AlertWriter } from './writer.js';

/** A store that keeps the latest row per alert id, with a settable delay and failures per lane. */
function fakeStore() {
  const rows = new Map<string, Alert>();
  const log: { lane: WriteLane; alerts: string[]; transitions: string[]; journalEnd?: number }[] = [];
  const control = {
    delay: { fast: 0, bulk: 0 } as Record<WriteLane, number>,
    failNext: 0,
    /** While set, every write waits for it (a commit stuck behind a checkpoint, released by the test). */
    gate: null as Promise<void> | null,
  };
  const store = {
    async write(batch: AlertWrite, lane: WriteLane = 'fast', journalEnd?: number) {
      await new Promise((r) => setTimeout(r, control.delay[lane]));
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
        ...(journalEnd !== undefined ? { journalEnd } : {}),
      });
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
    await new Promise((r) => setTimeout(r, 100));
    expect(log).toHaveLength(0); // a live alert would have been written after 20 ms

    writer.submitUpdate(alert('live', 1)); // re-arms the timer for 20 ms; the backfill row goes along
    await new Promise((r) => setTimeout(r, 80));
    expect(log).toEqual([{ lane: 'bulk', alerts: ['old', 'live'], transitions: [] }]);
    expect(rows.get('old')?.count).toBe(3);

    writer.submitUpdate(history('old', 4)); // a lone backfill change waits its own interval again
    await new Promise((r) => setTimeout(r, 100));
    expect(log).toHaveLength(1);
    await writer.flush();
    expect(rows.get('old')?.count).toBe(4);
  });

  it('with a journal, a slow store delays no notification; stores in journal order, bulk after', async () => {
    const { store, rows, log, control } = fakeStore();
    const journaled: string[][] = [];
    const journal = {
      append: async (batch: AlertWrite) => {
        journaled.push(batch.alerts.map((a) => a.id));
        return journaled.length;
      },
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
    await new Promise((r) => setTimeout(r, 5));
    void writer.submitTransition(alert('b'), transition('b'), []);
    writer.submitUpdate(alert('a', 7)); // the bulk lane must not overtake a's journaled snapshot
    for (let i = 0; i < 100 && handed.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20)); // room for the bulk lane to (wrongly) write
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
    control.delay.bulk = 50;
    writer.submitUpdate(alert('x', 5)); // bulk lane, slow
    await new Promise((r) => setTimeout(r, 10)); // the bulk write is in flight
    const resolved = { ...alert('x', 5), state: 'resolved' as const };
    await writer.submitTransition(resolved, transition('x', 'resolved'), []);
    expect(log.map((l) => l.lane)).toEqual(['bulk', 'fast']);
    expect(rows.get('x')?.state).toBe('resolved');
    // Another alert does not wait for a slow bulk write.
    writer.submitUpdate(alert('y', 2));
    await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await writer.submitTransition(alert('z'), transition('z'), []);
    expect(Date.now() - started).toBeLessThan(40);
    await writer.flush();
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
