import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { StateChange, StateChannel, StateOwner } from './ports.js';
import { StateSync } from './state-sync.js';

/** A channel in memory: what is announced reaches every open listener; `breakAll` loses every connection. */
function memoryChannel() {
  const listeners = new Set<{ change: (o: string, c: StateChange) => void; lost: (e: Error) => void }>();
  let opened = 0;
  const reopened: (() => void)[] = [];
  const channel: StateChannel = {
    announce: async (origin, change) => {
      for (const l of listeners) l.change(origin, change);
    },
    listen: async (change, lost) => {
      const listener = { change, lost };
      listeners.add(listener);
      if (++opened > 1) reopened.splice(0).forEach((resolve) => resolve());
      return { close: async () => void listeners.delete(listener) };
    },
  };
  return {
    channel,
    breakAll: () => {
      for (const l of [...listeners]) {
        listeners.delete(l);
        l.lost(new Error('connection reset'));
      }
    },
    reopened: () => new Promise<void>((resolve) => reopened.push(resolve)),
  };
}

/** An owner recording what it was asked to apply and how often it reloaded everything. */
function recordingOwner() {
  const applied: StateChange[] = [];
  let reloads = 0;
  let emit: (change: StateChange) => void = () => {};
  const owner: StateOwner = {
    kinds: ['rules'],
    onChange: (listener) => {
      emit = listener;
      return () => (emit = () => {});
    },
    apply: async (change) => void applied.push(change),
    reloadAll: async () => void reloads++,
  };
  return { owner, applied, reloads: () => reloads, commit: (change: StateChange) => emit(change) };
}

const logger = pino({ level: 'silent' });
const counters = { applied: () => {}, reloaded: () => {} };

describe('StateSync', () => {
  it("applies the other process's changes once, never its own, and those heard before its owners were known", async () => {
    const { channel } = memoryChannel();
    const [a, b] = [recordingOwner(), recordingOwner()];
    const syncA = new StateSync({ channel, origin: 'a', logger, counters });
    const syncB = new StateSync({ channel, origin: 'b', logger, counters });
    await syncA.start();
    await syncB.start();
    syncA.follow([a.owner]);
    await channel.announce('a', { kind: 'rules', id: 'early' }); // B does not know its owners yet
    syncB.follow([b.owner]);
    a.commit({ kind: 'rules', id: 'later' });
    await syncB.settled();
    await syncA.settled();
    expect(b.applied.map((c) => c.id)).toEqual(['early', 'later']);
    expect(a.applied).toEqual([]);
    await Promise.all([syncA.stop(), syncB.stop()]);
  });

  it('reloads everything after its connection was lost and reopened', async () => {
    const memory = memoryChannel();
    const owner = recordingOwner();
    const sync = new StateSync({ channel: memory.channel, origin: 'b', logger, counters });
    await sync.start();
    sync.follow([owner.owner]);
    const reopened = memory.reopened();
    memory.breakAll();
    await reopened;
    await sync.settled();
    // The reload is queued once listening again: wait for it through the queue.
    while (owner.reloads() === 0) await sync.settled().then(() => new Promise((r) => setImmediate(r)));
    expect(owner.reloads()).toBe(1);
    await memory.channel.announce('a', { kind: 'rules', id: 'after' });
    await sync.settled();
    expect(owner.applied.map((c) => c.id)).toEqual(['after']);
    await sync.stop();
  });
});
