import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RULE_STATE_FILE } from '../src/alerts/rule-state-file.js';
import { generateEvents } from '../src/seed/generate.js';
import { describeWithClickHouse } from './helpers/clickhouse.js';
import { createStateDatabase, describeWithPostgres } from './helpers/postgres.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { everyAlert, ingestAndSettle } from './helpers/alerts-compared.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Events in ClickHouse: a graceful stop saves the alert rules' state in the data dir, a start resumes from it
// and reads only the events ingested since, and the alerts raised afterwards are those of a start that
// rebuilds every rule from ClickHouse, with the state in a DuckDB file or in PostgreSQL. Two pairs of stores
// take the same events, one per way of starting.

const DAY = 86_400_000;
const end = Math.floor(Date.now() / DAY) * DAY;
const events = [...generateEvents({ tenants: 2, days: 30, end: new Date(end), seed: 7 })].sort(
  (a, b) => a.timestamp - b.timestamp,
);
const between = (from: number, to: number) => events.filter((e) => e.timestamp >= from && e.timestamp < to);
const first = between(0, end - 10 * DAY);
const since = between(end - 10 * DAY, end - 3 * DAY);
const last = between(end - 3 * DAY, end);

type Env = Record<string, string>;
const running: TestServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

describeWithClickHouse('alert rule state saved at a stop, events in ClickHouse', (clickhouse) => {
  async function start(env: Env, dataDir: string): Promise<TestServer> {
    const server = await startTestServer(env, dataDir);
    running.push(server);
    return server;
  }
  async function stop(server: TestServer): Promise<void> {
    running.splice(running.indexOf(server), 1);
    await server.close();
  }

  /** The first events, a stop and a start, the events since and a stop: the saved file at the first stop. */
  async function history(env: Env, dataDir: string): Promise<Buffer> {
    let server = await start(env, dataDir);
    for (const tenant of new Set(events.map((e) => String(e.properties.tenant_id))))
      await server.api(`/api/budgets/${tenant}`, { method: 'PUT', body: { monthlyUsd: 1_000 } });
    await ingestAndSettle(server, first);
    await stop(server);
    expect(existsSync(join(dataDir, RULE_STATE_FILE))).toBe(true);
    const savedAtFirst = readFileSync(join(dataDir, RULE_STATE_FILE));
    server = await start(env, dataDir);
    expect(server.alerts.startStats()).toMatchObject({ restored: 5, rebuilt: 0, replayed: 0 });
    await ingestAndSettle(server, since);
    await stop(server);
    return savedAtFirst;
  }

  async function judged(server: TestServer) {
    await ingestAndSettle(server, last);
    await server.alerts.tick();
    return everyAlert(server);
  }

  /** A rebuild on one pair of stores, a resume on the other: the same alerts. */
  async function resumesAsRebuilt(rebuiltEnv: Env, env: Env): Promise<void> {
    const rebuiltDir = temporaryDirectory('pulse-rulestate-ch-');
    await history(rebuiltEnv, rebuiltDir);
    rmSync(join(rebuiltDir, RULE_STATE_FILE));
    const fromScratch = await start(rebuiltEnv, rebuiltDir);
    expect(fromScratch.alerts.startStats()).toMatchObject({ restored: 0, rebuilt: 5 });
    const expected = await judged(fromScratch);
    await stop(fromScratch);
    expect(expected.length).toBeGreaterThan(0);

    const dataDir = temporaryDirectory('pulse-rulestate-ch-');
    // As after a crash past the first save: the events since are in ClickHouse, not in the saved state.
    writeFileSync(join(dataDir, RULE_STATE_FILE), await history(env, dataDir));
    const resumed = await start(env, dataDir);
    expect(resumed.alerts.startStats()).toMatchObject({ restored: 5, rebuilt: 0 });
    expect(resumed.alerts.startStats()?.replayed).toBeGreaterThan(since.length / 2);
    expect(await judged(resumed)).toEqual(expected);
    await stop(resumed);
  }

  it('resumes, replaying the events since the save, to the alerts a rebuild raises', async () => {
    await resumesAsRebuilt(
      { PULSE_STORE_URL: await clickhouse.freshDatabase() },
      { PULSE_STORE_URL: await clickhouse.freshDatabase() },
    );
  }, 240_000);

  describeWithPostgres('with the state in PostgreSQL', (postgres) => {
    it('resumes from the file in its own data dir to the alerts a rebuild raises', async () => {
      const env = async () => ({
        PULSE_STORE_URL: await clickhouse.freshDatabase(),
        PULSE_STATE_URL: await createStateDatabase(postgres.server),
      });
      await resumesAsRebuilt(await env(), await env());
    }, 240_000);
  });
});
