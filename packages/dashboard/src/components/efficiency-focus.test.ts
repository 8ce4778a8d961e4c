import { describe, expect, it } from 'vitest';
import { weakestMetrics } from './efficiency-focus';

describe('weakestMetrics', () => {
  const columns = [
    { name: 'uptime', values: [99, 98] },
    { name: 'latency', values: [60, null] },
    { name: 'tickets', values: [80, 65] },
    { name: 'billing', values: [null, 90] },
    { name: 'deploys', values: [50, 70] },
  ];

  it('keeps the metrics with the lowest latest score and averages the rest per bucket', () => {
    const { weakest, others } = weakestMetrics(columns, 2);
    expect(weakest.map((c) => c.name)).toEqual(['latency', 'tickets']);
    expect(others).toEqual({ name: 'Next 3 weakest (average)', values: [74.5, 86] });
  });

  it('shows a single leftover metric as itself', () => {
    const { weakest, others } = weakestMetrics(columns.slice(0, 4), 3);
    expect(weakest.map((c) => c.name)).toEqual(['latency', 'tickets', 'billing', 'uptime']);
    expect(others).toBeNull();
  });
});
