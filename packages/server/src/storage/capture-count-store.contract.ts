import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureCounts, CaptureCountStore } from './insight-store.js';

/** Two handles on one store's data (two processes' pools; one engine that is one process may give the same). */
export interface SharedCaptureCountStores {
  stores: [CaptureCountStore, CaptureCountStore];
  close(): Promise<void>;
}

/** Behaviour every capture counter adapter must show; each adapter's test calls this. */
export function runCaptureCountStoreContract(
  name: string,
  open: () => Promise<SharedCaptureCountStores>,
): void {
  describe(`Capture counts contract: ${name}`, () => {
    let opened: SharedCaptureCountStores | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });
    const stores = async () => (opened = await open()).stores;

    const counts = (day: string, tenantId: string, n = 1): CaptureCounts => ({
      day,
      tenantId,
      received: n,
      accepted: 2 * n,
      quarantined: 3 * n,
      refused: 4 * n,
      refusedRequests: 5 * n,
    });

    it('adds counts per (day, tenant) and reads a range of days of a scope', async () => {
      const [s] = await stores();
      await s.addCaptureCounts([]);
      await s.addCaptureCounts([
        counts('2026-03-01', 'acme'),
        counts('2026-03-01', ''),
        counts('2026-03-02', 'beta'),
      ]);
      await s.addCaptureCounts([counts('2026-03-01', 'acme', 10), counts('2026-02-28', 'acme')]);
      expect(await s.captureCounts({ tenants: 'all', fromDay: '2026-03-01', toDay: '2026-03-02' })).toEqual([
        counts('2026-03-01', ''),
        counts('2026-03-01', 'acme', 11),
        counts('2026-03-02', 'beta'),
      ]);
      expect(
        await s.captureCounts({ tenants: ['acme'], fromDay: '2026-02-01', toDay: '2026-03-31' }),
      ).toEqual([counts('2026-02-28', 'acme'), counts('2026-03-01', 'acme', 11)]);
      expect(await s.captureCounts({ tenants: [], fromDay: '2026-02-01', toDay: '2026-03-31' })).toEqual([]);
    });

    it('loses no count when two writers add to the same rows at once', async () => {
      const [a, b] = await stores();
      const batch = [
        counts('2026-03-01', 'acme'),
        counts('2026-03-02', 'acme'),
        counts('2026-03-01', 'beta'),
      ];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).addCaptureCounts(i % 4 < 2 ? batch : [...batch].reverse()),
        ),
      );
      expect(await a.captureCounts({ tenants: 'all', fromDay: '2026-03-01', toDay: '2026-03-02' })).toEqual([
        counts('2026-03-01', 'acme', 20),
        counts('2026-03-01', 'beta', 20),
        counts('2026-03-02', 'acme', 20),
      ]);
    });
  });
}
