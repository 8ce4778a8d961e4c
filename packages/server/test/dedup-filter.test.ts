import { randomUUID } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { metricValue, readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// The dedup filter of every stored uuid takes the memory configured (PULSE_DEDUP_FILTER_MB), whatever the
// store holds, and is saved folded to what the uuids it holds need; a uuid it cannot rule out is confirmed
// against the store. Dedup stays exact when the saved filter is read back at another size or rebuilt.

const tenant = `tenant-filter-${randomUUID().slice(0, 8)}`;
const HEADER = 32;
const PAGE = 4096;

function event(uuid: string = randomUUID()) {
  return {
    event: 'revenue_impact_event',
    distinct_id: 'filter-test',
    uuid,
    timestamp: new Date().toISOString(),
    properties: { tenant_id: tenant, impact_amount: 3, impact_type: 'positive', action_required: 'act' },
  };
}

async function capture(p: PulseProcess, events: ReturnType<typeof event>[]): Promise<void> {
  const response = await fetch(`${p.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: 'phc_filter_test', batch: events }),
  });
  expect(response.status, await response.text()).toBe(200);
}

function startLine(p: PulseProcess): Record<string, unknown> {
  const line = p
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"dedup index loaded"'));
  if (!line) throw new Error(`no "dedup index loaded" line in:\n${p.output()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('dedup filter', () => {
  const running: PulseProcess[] = [];
  const start = async (dataDir: string, filterMb: number) => {
    const env = { PULSE_COMMIT_INTERVAL_MS: '2', PULSE_DEDUP_FILTER_MB: String(filterMb) };
    const p = await startPulseProcess({ dataDir, env });
    running.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of running.splice(0)) await p.kill();
  });

  it(
    'is saved folded, confirms copies against the store, and is read back at another size or rebuilt, exactly',
    { timeout: 120_000 },
    async () => {
      const dataDir = temporaryDirectory('pulse-dedup-filter-');
      const indexFile = join(dataDir, 'dedup-index.bin');
      const first = await start(dataDir, 1);
      const stored = Array.from({ length: 40 }, () => event());
      await capture(first, stored);
      // Read through the barrier: the events are loaded into the store, past the ingest log's own check.
      expect(await readAllEvents(first.url, first.adminKey, { tenant })).toHaveLength(40);
      await capture(first, stored.slice(0, 10));
      // Each copy is a filter hit the store confirmed; nothing stored twice.
      expect(await metricValue(first.url, 'pulse_dedup_confirmations_total{outcome="stored"}')).toBe(10);
      await first.stop();
      // 40 uuids need a page, not the MiB configured.
      expect(statSync(indexFile).size).toBe(HEADER + PAGE);

      // Another size: the saved filter is read back into it.
      const second = await start(dataDir, 2);
      expect(startLine(second)).toMatchObject({ from: 'saved' });
      await capture(second, [...stored, event()]);
      expect(await metricValue(second.url, 'pulse_events_duplicate_total')).toBe(40);
      const uuids = (await readAllEvents(second.url, second.adminKey, { tenant })).map((e) => e.uuid);
      expect(uuids).toHaveLength(41);
      expect(new Set(uuids).size).toBe(41);
      await second.stop();
      expect(statSync(indexFile).size).toBe(HEADER + PAGE);

      // A file that does not check out: rebuilt from every stored uuid, still exact.
      writeFileSync(indexFile, Buffer.alloc(HEADER + PAGE, 0xff));
      const third = await start(dataDir, 1);
      expect(startLine(third)).toMatchObject({ from: 'store', read: 41 });
      await capture(third, stored.slice(0, 5));
      expect(await metricValue(third.url, 'pulse_events_duplicate_total')).toBe(5);
      expect(await readAllEvents(third.url, third.adminKey, { tenant })).toHaveLength(41);
    },
  );
});
