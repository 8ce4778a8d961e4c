import { expect, it } from 'vitest';
import { estimateCount, generateEvents, type GenerateOptions } from './index.js';

// Printed, not asserted: shared CI machines are too noisy for a timing threshold.
it('measures generation throughput', () => {
  const options: GenerateOptions = { tenants: 500, days: 50, seed: 1, end: new Date('2026-01-15T00:00:00Z') };
  const started = performance.now();
  let count = 0;
  for (const event of generateEvents(options)) if (event.timestamp > 0) count++;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `seed generator: ${count.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s = ` +
      `${Math.round(count / seconds).toLocaleString('en-US')} events/s (estimate ${estimateCount(options).toLocaleString('en-US')})`,
  );
  expect(count).toBeGreaterThan(0);
}, 120_000);
