import { describe, expect, it } from 'vitest';
import { fixtures, type StoreFixture } from './fixtures.contract.js';
import type { RelayDeadLetter, RelayDeadLetterStore } from './relay-dead-letter-store.js';

const T0 = Date.UTC(2026, 2, 1, 9);

const letter = (id: string, over: Partial<RelayDeadLetter> = {}): RelayDeadLetter => ({
  id,
  firstAt: T0,
  lastAt: T0,
  status: 400,
  reason: JSON.stringify({ type: 'validation_error', detail: `bad "${id}" in 'distinct_id'` }),
  count: 2,
  attempts: 1,
  ...over,
});

const events = [
  JSON.stringify({ event: '$pageview', distinct_id: "o'neil", properties: { t: 'a,b {c}' } }),
  JSON.stringify({ event: 'revenue_impact_event', properties: { note: 'line\nbreak "quoted" \\ é' } }),
];

/** Behaviour every RelayDeadLetterStore adapter must show; each adapter's test calls this. */
export function runRelayDeadLetterStoreContract(
  name: string,
  open: () => Promise<StoreFixture<RelayDeadLetterStore>>,
): void {
  describe(`RelayDeadLetterStore contract: ${name}`, () => {
    const fresh = fixtures(open);

    it('keeps letters with their events exactly, listed oldest first', async () => {
      const { store } = await fresh();
      const later = letter('b', { firstAt: T0 + 10, lastAt: T0 + 10, status: 422, count: 1 });
      const first = letter('a');
      await store.add(later, [events[0] ?? '']);
      await store.add(first, events);
      expect(await store.list()).toEqual([first, later]);
      expect(await store.events('a')).toEqual(events);
      expect(await store.events('b')).toEqual([events[0]]);
      expect(await store.events('missing')).toBeNull();
      await expect(store.add(letter('a'), events)).rejects.toThrow();
    });

    it('records another refusal and removes a letter', async () => {
      const { store } = await fresh();
      await store.add(letter('a'), events);
      await store.refusedAgain('a', T0 + 60_000, 413, 'too large');
      expect(await store.list()).toEqual([
        letter('a', { lastAt: T0 + 60_000, status: 413, reason: 'too large', attempts: 2 }),
      ]);
      await store.remove('a');
      await store.remove('a');
      expect(await store.list()).toEqual([]);
      expect(await store.events('a')).toBeNull();
    });
  });
}
