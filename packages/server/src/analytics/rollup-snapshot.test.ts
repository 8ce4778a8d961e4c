import { describe, expect, it } from 'vitest';
import { decodeRollups, encodeRollups, type RollupSnapshot } from './rollup-snapshot.js';
import { Rollups } from './rollups.js';

const GRACE = 3_600_000;

function sample(): RollupSnapshot {
  const rollups = new Rollups(GRACE);
  const acme = rollups.tenant('acme');
  acme.metrics.idOf('latency');
  acme.metrics.idOf('uptime');
  acme.resources.idOf('vm-1');
  acme.decisions.idOf('d-1');
  const day = acme.day(20_000);
  Object.assign(day, { revenuePositive: 12.5, revenueNegative: -0, revenueEvents: 3, realized: 1e-9 });
  Object.assign(day, {
    projected: 2 ** 60,
    emails: 40,
    bouncedEmails: 1.25,
    lateIngestedAt: 1_700_000_000_123,
  });
  // Instants in the day (stored as offsets) and outside it or fractional (stored as they are).
  day.efficiency.push(0, 20_000 * 86_400_000 + 5, 0.75, 1, 1_700_000_000_000.5, 0.5);
  day.resources.push(0, 1_700_000_000_001, 2);
  day.decisions.push(0);
  day.actions.push(
    {
      action: 'scale down vm-1',
      stake: 300,
      timestamp: 1_700_000_000_002,
      uuid: '0190f3c2-7a1b-7cde-8f00-0123456789ab',
      eventType: 'cost_optimization_event',
      tenant: 'acme',
    },
    {
      action: 'résumé ✓',
      stake: 100,
      timestamp: 1_700_000_000_003,
      // Not a canonical uuid: kept as it is.
      uuid: 'ABC-not-canonical',
      eventType: 'resource_usage_event',
      tenant: 'acme',
    },
  );
  rollups.tenant('empty-tenant');
  return {
    rollups,
    appliedAt: 1_700_000_000_500,
    appliedUuids: ['ffffffff-0000-4000-8000-000000000001', 'odd-uuid'],
    deletions: 2,
  };
}

const plain = (s: RollupSnapshot) => ({
  appliedAt: s.appliedAt,
  appliedUuids: s.appliedUuids,
  deletions: s.deletions,
  tenants: [...s.rollups.tenants.values()].map((t) => ({
    id: t.id,
    metrics: t.metrics.names,
    resources: t.resources.names,
    decisions: t.decisions.names,
    days: [...t.days.entries()],
  })),
});

describe('rollup snapshot', () => {
  it('reads back exactly what it wrote', () => {
    const snapshot = sample();
    const decoded = decodeRollups(encodeRollups(snapshot), GRACE);
    expect(decoded).not.toBeNull();
    expect(plain(decoded as RollupSnapshot)).toEqual(plain(snapshot));
    expect(Object.is(decoded?.rollups.tenant('acme').day(20_000).revenueNegative, -0)).toBe(true);
  });

  it('ignores another late-grace setting, the JSON layout of version 1, and damaged bytes', () => {
    const bytes = encodeRollups(sample());
    expect(decodeRollups(bytes, GRACE + 1)).toBeNull();
    expect(decodeRollups(Buffer.from('{"version":1,"lateGraceMs":3600000,"tenants":[]}'), GRACE)).toBeNull();
    expect(decodeRollups(bytes.subarray(0, bytes.length - 1), GRACE)).toBeNull();
    const flipped = Buffer.from(bytes);
    flipped[40] = (flipped[40] ?? 0) ^ 1;
    expect(decodeRollups(flipped, GRACE)).toBeNull();
  });
});
