import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_STATE_FILE } from '../src/alerts/rule-state-file.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { generateEvents } from '../src/seed/generate.js';
import { everyAlert, ingestAndSettle } from './helpers/alerts-compared.js';
import { restartableServers, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// A start resumes the alert rules' state saved at the last stop and replays only the events ingested since
// (alerts/rule-state.ts). Whatever it resumes from, the alerts it raises afterwards must be the ones a start
// that rebuilds every rule from the store raises over the same events; a file that does not check out is
// ignored.

const DAY = 86_400_000;
const end = new Date(Math.floor(Date.now() / DAY) * DAY);
// Three tenants' stories over 40 days: cost run-rates, utilization, decisions, email bounce rates, revenue.
const generated = [...generateEvents({ tenants: 3, days: 40, end, seed: 11 })];
const decision = generated.find((e) => e.event === 'strategic_decision_event');
if (!decision) throw new Error('the seed has no decision');
/** A decision reviewed before the first stop, due for review after it, then never reported again. */
const forgotten: CapturedEvent = {
  ...decision,
  uuid: '00000000-0000-4000-8000-00000000d001',
  timestamp: end.getTime() - 30 * DAY,
  properties: {
    ...decision.properties,
    decision_id: 'dec-forgotten',
    status: 'approved',
    next_review_date: new Date(end.getTime() - 20 * DAY).toISOString(),
  },
};
const events = [...generated, forgotten].sort((a, b) => a.timestamp - b.timestamp);
const before = (t: number) => events.filter((e) => e.timestamp < t);
const between = (from: number, to: number) => events.filter((e) => e.timestamp >= from && e.timestamp < to);
/** Saved at the first stop. */
const first = before(end.getTime() - 12 * DAY);
/** Ingested after it, by a process whose own save is then undone: a start replays these. */
const since = between(end.getTime() - 12 * DAY, end.getTime() - 4 * DAY);
/** After the restart: they judge what the state holds. */
const last = between(end.getTime() - 4 * DAY, end.getTime());

const { start, stop } = restartableServers();

/** The last events, then the timer (overdue reviews, closed windows): the alerts after a start. */
async function judged(server: TestServer) {
  await ingestAndSettle(server, last);
  await server.alerts.tick();
  return everyAlert(server);
}

function copyOf(dataDir: string): string {
  const copy = temporaryDirectory('pulse-rulestate-');
  cpSync(dataDir, copy, { recursive: true });
  return copy;
}

describe('alert rule state saved at a stop', () => {
  it('resumes to the alerts a full rebuild raises, and ignores a file that does not check out', async () => {
    let server = await start();
    const dataDir = server.dataDir;
    for (const tenant of new Set(events.map((e) => String(e.properties.tenant_id))))
      await server.api(`/api/budgets/${tenant}`, { method: 'PUT', body: { monthlyUsd: 1_000 } });
    await ingestAndSettle(server, first);
    await stop(server);
    const onlyFirst = copyOf(dataDir);
    const savedAtFirst = readFileSync(join(dataDir, RULE_STATE_FILE));

    server = await start(dataDir);
    expect(server.alerts.startStats()).toMatchObject({ restored: 5, rebuilt: 0, replayed: 0 });
    await ingestAndSettle(server, since);
    await stop(server);
    // As after a crash past the first save: the events since are in the store, not in the saved state.
    writeFileSync(join(dataDir, RULE_STATE_FILE), savedAtFirst);
    const rebuilt = copyOf(dataDir);
    rmSync(join(rebuilt, RULE_STATE_FILE));
    const corrupt = copyOf(dataDir);
    const damaged = Buffer.from(savedAtFirst);
    damaged[damaged.length - 9] = (damaged[damaged.length - 9] as number) ^ 0xff;
    writeFileSync(join(corrupt, RULE_STATE_FILE), damaged);

    const fromScratch = await start(rebuilt);
    expect(fromScratch.alerts.startStats()).toMatchObject({ restored: 0, rebuilt: 5 });
    const expected = await judged(fromScratch);
    await stop(fromScratch);
    // Every kind of stateful rule raised something over these events.
    for (const rule of [
      'cost-budget-critical',
      'utilization-jump-medium',
      'decision-overdue-high',
      'bounce-rate-anomaly',
    ])
      expect(expected.map((a) => a.rule)).toContain(rule);

    server = await start(dataDir);
    expect(server.alerts.startStats()).toMatchObject({ restored: 5, rebuilt: 0 });
    expect(server.alerts.startStats()?.replayed).toBeGreaterThan(since.length / 2);
    expect(await judged(server)).toEqual(expected);
    await stop(server);

    const fromDamaged = await start(corrupt);
    expect(fromDamaged.alerts.startStats()).toMatchObject({ restored: 0, rebuilt: 5 });
    expect(await judged(fromDamaged)).toEqual(expected);
    await stop(fromDamaged);

    // A store older than the state (a restored backup): the state holds events the store lacks.
    writeFileSync(join(onlyFirst, RULE_STATE_FILE), readFileSync(join(dataDir, RULE_STATE_FILE)));
    server = await start(onlyFirst);
    expect(server.alerts.startStats()).toMatchObject({ restored: 0, rebuilt: 5 });
    await stop(server);

    // Events deleted by retention after the state was built: the saved state may hold them.
    server = await start(dataDir);
    expect(server.alerts.startStats()).toMatchObject({ restored: 5 });
    const policy = [{ event: 'resource_usage_event', tenant: 'acme-corp', days: 1 }];
    expect((await server.api('/api/retention', { method: 'PUT', body: policy })).status).toBe(200);
    expect((await server.api('/api/retention/apply?dryRun=false', { method: 'POST' })).status).toBe(200);
    await stop(server);
    server = await start(dataDir);
    expect(server.alerts.startStats()).toMatchObject({ restored: 0, rebuilt: 5 });
    await stop(server);
  }, 120_000);
});
