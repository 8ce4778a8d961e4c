import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('names the process metrics pulse_process_* and nodejs ones pulse_nodejs_*, never doubled', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain('pulse_process_cpu_seconds_total');
    expect(text).toContain('pulse_nodejs_heap_size_used_bytes');
    expect(text).not.toContain('process_process');
  });
});
