import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LATE_GRACE_MS } from '../src/analytics/facts.js';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { readAllEvents } from './helpers/read-events.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// A start reads the dedup index and the summary rollups saved next to the store and adds only what was
// ingested since (`pulse serve`, the built CLI, on the same data directory each time). Whatever the saved
// state is (saved at a graceful stop, older than a kill -9, older than a deletion), what a start serves
// must equal what every event says: no duplicate stored, summaries equal to a full rebuild.

const execFileAsync = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/pulse.js', import.meta.url));
const DAY = 86_400_000;
const tenant = `tenant-restart-${randomUUID().slice(0, 8)}`;
const window = { from: Date.now() - 40 * DAY, to: Date.now() + DAY };

function revenue(amount: number, at = Date.now(), uuid: string = randomUUID()) {
  return {
    event: 'revenue_impact_event',
    distinct_id: 'restart-test',
    uuid,
    timestamp: new Date(at).toISOString(),
    properties: {
      tenant_id: tenant,
      impact_amount: amount,
      impact_type: 'positive',
      action_required: `act on ${amount}`,
    },
  };
}

async function capture(p: PulseProcess, events: ReturnType<typeof revenue>[]): Promise<void> {
  const response = await fetch(`${p.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: 'phc_restart_test', batch: events }),
  });
  expect(response.status, await response.text()).toBe(200);
}

async function summary(p: PulseProcess): Promise<Record<string, unknown>> {
  const query = `from=${new Date(window.from).toISOString()}&to=${new Date(window.to).toISOString()}&tenant=${tenant}`;
  const response = await fetch(`${p.url}/api/summary?${query}`, {
    headers: { authorization: `Bearer ${p.adminKey}` },
  });
  expect(response.status).toBe(200);
  const { generatedAt: _generatedAt, ...rest } = (await response.json()) as Record<string, unknown>;
  return rest;
}

/** The start's own account of how it built its state (pino lines). */
function startLog(p: PulseProcess, msg: string): Record<string, unknown> {
  const line = p
    .output()
    .split('\n')
    .find((l) => l.includes(`"msg":"${msg}"`));
  if (!line) throw new Error(`no "${msg}" line in:\n${p.output()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

async function storedUuids(p: PulseProcess): Promise<string[]> {
  return (await readAllEvents(p.url, p.adminKey, { tenant })).map((e) => e.uuid);
}

describe('restart from saved state', () => {
  const running: PulseProcess[] = [];
  const start = async (dataDir: string) => {
    const p = await startPulseProcess({ dataDir, env: { PULSE_COMMIT_INTERVAL_MS: '2' } });
    running.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of running.splice(0)) await p.kill();
  });

  it(
    'dedups copies of events stored before a graceful stop and of events ingested after the saved index',
    { timeout: 60_000 },
    async () => {
      const dataDir = temporaryDirectory('pulse-restart-dedup-');
      const first = await start(dataDir);
      const before = Array.from({ length: 50 }, (_, i) => revenue(i + 1));
      await capture(first, before);
      const last = revenue(99);
      await capture(first, [last]);
      await first.stop();
      expect(existsSync(join(dataDir, 'dedup-index.bin'))).toBe(true);

      // Starts from the saved index, reading only the newest instant's uuid; the events captured next are
      // not in the index, and the process dies without saving.
      const second = await start(dataDir);
      expect(startLog(second, 'dedup index loaded')).toMatchObject({ from: 'saved', read: 1 });
      const after = Array.from({ length: 50 }, (_, i) => revenue(100 + i));
      await capture(second, after);
      await second.kill();

      const third = await start(dataDir);
      expect(startLog(third, 'dedup index loaded')).toMatchObject({ from: 'saved' });
      const fresh = revenue(1_000);
      await capture(third, [...before, last, ...after, fresh]);
      const uuids = await storedUuids(third);
      expect(uuids).toHaveLength(102);
      expect(new Set(uuids).size).toBe(102);
    },
  );

  it(
    'serves summaries equal to a full rebuild from saved rollups, after a kill -9 and after a deletion',
    { timeout: 90_000 },
    async () => {
      const dataDir = temporaryDirectory('pulse-restart-rollups-');
      const first = await start(dataDir);
      // Old events (retention deletes them below) and recent ones.
      await capture(first, [revenue(7, Date.now() - 30 * DAY), revenue(11, Date.now() - 30 * DAY)]);
      await capture(first, [revenue(5), revenue(13)]);
      const atStop = await summary(first);
      await first.stop();
      expect(existsSync(join(dataDir, 'summary-rollups.snapshot'))).toBe(true);

      // From the snapshot; then events it does not hold, ingested by a process that dies unsaved.
      const second = await start(dataDir);
      expect(await summary(second)).toEqual(atStop);
      await capture(second, [revenue(17), revenue(19, Date.now() - 2 * DAY)]);
      const afterMore = await summary(second);
      expect(afterMore).not.toEqual(atStop);
      await second.kill();

      const third = await start(dataDir);
      expect(await summary(third)).toEqual(afterMore);
      await third.stop();

      // A deletion with no server running: the saved rollups still hold the deleted events.
      // Its own process, as an operator runs it: the server's next start must open the file.
      const pulse = (...args: string[]) =>
        execFileAsync(process.execPath, [bin, ...args, '--direct'], {
          cwd: dataDir,
          env: { HOME: homedir(), PULSE_DATA_DIR: dataDir, PULSE_LOG_LEVEL: 'warn' },
        });
      await pulse('retention', 'set', '--policy', 'revenue_impact_event=10');
      await pulse('retention', 'apply');

      const fourth = await start(dataDir);
      const afterDeletion = await summary(fourth);
      await fourth.stop();
      // The reference: the same store rebuilt from its events alone.
      rmSync(join(dataDir, 'summary-rollups.snapshot'));
      const rebuilt = await start(dataDir);
      expect(afterDeletion).toEqual(await summary(rebuilt));
      expect(afterDeletion).not.toEqual(afterMore);
    },
  );

  it(
    'ignores rollups saved in the former JSON layout, serves a rebuild, and saves the binary layout',
    { timeout: 60_000 },
    async () => {
      const dataDir = temporaryDirectory('pulse-restart-layout-');
      const first = await start(dataDir);
      await capture(first, [revenue(5), revenue(13)]);
      const truth = await summary(first);
      await first.stop();

      // A well-formed snapshot of the former layout that claims other figures: read as it says, it would
      // add a million of revenue to today's rollup.
      const path = join(dataDir, 'summary-rollups.snapshot');
      const today = Math.floor(Date.now() / DAY);
      const day = [today, 1e6, 0, 1, 0, 0, 0, 0, [], [], [], [], 0];
      const former = { version: 1, lateGraceMs: LATE_GRACE_MS, appliedAt: 0, appliedUuids: [], deletions: 0 };
      writeFileSync(path, JSON.stringify({ ...former, actions: [], tenants: [[tenant, [], [], [], [day]]] }));

      const second = await start(dataDir);
      expect(await summary(second)).toEqual(truth);
      await second.stop();
      expect(readFileSync(path).subarray(0, 8).toString('latin1')).toBe('PULSERUP');
      const third = await start(dataDir);
      expect(await summary(third)).toEqual(truth);
    },
  );
});
