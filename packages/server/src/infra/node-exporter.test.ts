import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuUtilization } from './cpu-rate.js';
import { ExpositionError, parseExposition } from './exposition.js';
import { nodeMetricNames, readNode } from './node-exporter.js';

/** A real node_exporter 1.5.0 answer (Debian's prometheus-node-exporter, 2 CPUs), its relevant lines. */
const captured = readFileSync(
  new URL('../../test/fixtures/infra/node-exporter-1.5.txt', import.meta.url),
  'utf8',
);
const read = (text: string) => readNode(parseExposition(text, nodeMetricNames));

/** The captured answer with every CPU's idle and user counters advanced by the given seconds. */
function advanced(text: string, idle: number, user: number): string {
  return text.replace(
    /^(node_cpu_seconds_total\{cpu="\d+",mode="(idle|user)"\}) (\S+)$/gm,
    (_line, series: string, mode: string, value: string) =>
      `${series} ${Number(value) + (mode === 'idle' ? idle : user)}`,
  );
}

describe('node_exporter readings', () => {
  it('reads CPU counters over all CPUs, memory and the real file systems of a captured answer', () => {
    const node = read(
      `${captured}node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e9\n` +
        `node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 5e8\n`,
    );
    expect(node.cpu).toEqual({
      cpus: 2,
      idle: expect.closeTo(1761.5 + 1674.07, 6),
      total: expect.closeTo(
        1761.5 +
          3.82 +
          17.25 +
          2.35 +
          25.15 +
          918.19 +
          7182.78 +
          1674.07 +
          19.44 +
          15.1 +
          14.53 +
          25.85 +
          962.28 +
          7201.08,
        6,
      ),
    });
    expect(node.memory).toEqual({ totalBytes: 25276182528, usedBytes: 25276182528 - 23794438144 });
    // tmpfs holds no user data: only the ext4 root counts.
    expect(node.fileSystems).toEqual([
      { mountpoint: '/', sizeBytes: 270553174016, usedBytes: 270553174016 - 81248997376 },
    ]);
  });

  it('rates CPU use between two scrapes; none on the first scrape, after a reset or a CPU count change', () => {
    const first = read(captured).cpu!;
    expect(cpuUtilization(undefined, first)).toBeNull();
    // 10 s on each CPU: 3 idle, 7 user → 70 % busy.
    const second = read(advanced(captured, 3, 7)).cpu!;
    expect(cpuUtilization(first, second)).toBeCloseTo(70, 6);
    // Fully idle, then fully busy.
    expect(cpuUtilization(first, read(advanced(captured, 5, 0)).cpu!)).toBe(0);
    expect(cpuUtilization(first, read(advanced(captured, 0, 5)).cpu!)).toBe(100);
    // The host rebooted: counters start again near zero.
    const rebooted = read(advanced(captured, -1700, -7000)).cpu!;
    expect(cpuUtilization(second, rebooted)).toBeNull();
    // No time passed (the same answer twice).
    expect(cpuUtilization(second, second)).toBeNull();
    // A CPU went offline: the sums are over different CPUs.
    const oneCpu = read(captured.replace(/^node_cpu_seconds_total\{cpu="1".*$/gm, '')).cpu!;
    expect(cpuUtilization(first, oneCpu)).toBeNull();
  });
});

describe('the text exposition format', () => {
  it('reads labels with escapes, special values and timestamps, and skips unwanted families', () => {
    const samples = parseExposition(
      [
        '# HELP x a metric',
        'x{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} 1.5e3 1700000000000',
        'x{} +Inf',
        'x NaN',
        'y{broken 1',
      ].join('\n'),
      new Set(['x']),
    );
    expect(samples).toEqual([
      { name: 'x', labels: { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' }, value: 1500 },
      { name: 'x', labels: {}, value: Infinity },
      { name: 'x', labels: {}, value: NaN },
    ]);
  });

  it('names the line of a malformed sample', () => {
    const wanted = new Set(['x']);
    expect(() => parseExposition('x 1\nx{a="1" 2', wanted)).toThrow(ExpositionError);
    expect(() => parseExposition('x 1\nx{a="1" 2', wanted)).toThrow(/^line 2: label a: , or \} was expected/);
    expect(() => parseExposition('x twelve', wanted)).toThrow('line 1: x: "twelve" is not a number');
    expect(() => parseExposition('x', wanted)).toThrow('line 1: x: a value was expected');
    expect(() => parseExposition('{a="1"} 1', wanted)).toThrow('line 1: a metric name was expected');
  });
});
