import { describe, expect, it } from 'vitest';
import { seriesColors } from './series-color';

const alone = (name: string) => seriesColors([name]).get(name);

describe('seriesColors', () => {
  const names = ['uptime', 'latency', 'tickets', 'billing', 'deploys', 'backlog'];

  it('gives each series of a chart its own colour, whatever order they come in', () => {
    const colors = seriesColors(names);
    expect(new Set(colors.values()).size).toBe(names.length);
    expect(seriesColors([...names].reverse())).toEqual(colors);
  });

  it('keeps the colour a name hashes to unless an earlier name shown beside it has it', () => {
    const candidates = Array.from({ length: 40 }, (_, i) => `metric_${i}`);
    const first = candidates[0]!;
    const clash = candidates.find((n) => n !== first && alone(n) === alone(first))!;
    const apart = candidates.find((n) => alone(n) !== alone(first) && alone(n) !== alone(clash))!;
    const together = seriesColors([clash, apart, first]);
    expect(together.get(first)).toBe(alone(first));
    expect(together.get(apart)).toBe(alone(apart));
    expect(together.get(clash)).not.toBe(alone(clash));
  });
});
