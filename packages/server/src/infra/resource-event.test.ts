import { checkBusinessEvent } from '@pulse/events';
import { describe, expect, it } from 'vitest';
import { hostUsages } from './host-usage.js';
import { resourceUsageEvent, slotOf } from './resource-event.js';

const origin = { source: 'prometheus' as const, id: 'http://10.0.0.5:9100/metrics', tenant: 'acme' };
const thresholds = { overAbove: 85, underBelow: 25 };
const host = {
  resourceId: 'web-1',
  resourceType: 'vps_instance',
  cpuUtilization: 50,
  cpus: 8,
  memory: { totalBytes: 1000, usedBytes: 900 },
  fileSystems: [{ mountpoint: '/data', sizeBytes: 100, usedBytes: 10 }],
  monthlyCost: 48,
};

describe('resource readings as events', () => {
  it('puts the host cost on its CPU reading only, per CPU of its capacity', () => {
    const usages = hostUsages({ ...host, cpuCapacity: 2 });
    expect(usages.map((u) => [u.resourceId, u.usage, u.capacity, u.totalCost, u.costPerUnit])).toEqual([
      ['web-1:cpu', 4, 2, 48, 24],
      ['web-1:memory', 900, 1000, undefined, undefined],
      ['web-1:fs:/data', 10, 100, undefined, undefined],
    ]);
    // No rate yet: no CPU reading, and so no cost.
    expect(hostUsages({ ...host, cpuUtilization: null }).map((u) => u.resourceId)).toEqual([
      'web-1:memory',
      'web-1:fs:/data',
    ]);
  });

  it('keeps utilization within 0–100, flags it by the thresholds, and passes the catalog', () => {
    const at = Date.UTC(2026, 11, 7, 4, 0, 30);
    const slot = slotOf(at, 60_000);
    const [cpu, memory, fs] = hostUsages({ ...host, cpuCapacity: 2 }).map((u) =>
      resourceUsageEvent(origin, thresholds, u, slot),
    );
    // 4 busy CPUs of the 2 the host is entitled to: saturated (2 of 2), not 200 %.
    expect(cpu!.properties).toMatchObject({
      utilization_percentage: 100,
      over_utilized: true,
      under_utilized: false,
    });
    expect(memory!.properties).toMatchObject({ utilization_percentage: 90, over_utilized: true });
    expect(fs!.properties).toMatchObject({
      utilization_percentage: 10,
      under_utilized: true,
      resource_type: 'storage',
    });
    for (const event of [cpu!, memory!, fs!]) {
      expect(event.timestamp).toBe(Date.UTC(2026, 11, 7, 4, 0, 0));
      expect(checkBusinessEvent('resource_usage_event', event.properties, { uuid: event.uuid }).ok).toBe(
        true,
      );
    }
  });

  it('derives the uuid from source, resource and interval slot', () => {
    const [usage] = hostUsages(host);
    const uuid = (at: number, id = origin.id) =>
      resourceUsageEvent({ ...origin, id }, thresholds, usage!, slotOf(at, 60_000)).uuid;
    expect(uuid(1_000)).toBe(uuid(59_000));
    expect(uuid(1_000)).not.toBe(uuid(61_000));
    expect(uuid(1_000)).not.toBe(uuid(1_000, 'http://10.0.0.6:9100/metrics'));
  });
});
