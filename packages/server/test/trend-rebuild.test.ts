import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const STORED = 300_000;
const BASELINE_DAYS = 28;
const firstDay = today - (BASELINE_DAYS + 3) * DAY;

/**
 * Writes a month of a tenant's email events straight into the stopped server's store: far more than one
 * call's arguments can hold, as a large store has in a trend rule's lookback.
 */
async function storeBaseline(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  try {
    await c.run(
      `INSERT INTO ev_email_deliverability_event
         (uuid, event, tenant_id, distinct_id, "timestamp", ingested_at, email_count, delivery_outcome, bounce_rate)
       SELECT gen_random_uuid(), 'email_deliverability_event', 'acme', 'acme',
              epoch_ms(CAST($1 + i * $2 // $3 AS BIGINT)), now(), 1000, 'delivered',
              0.007 + (i * $4 // $3) % 3 * 0.0001
       FROM range($3) t(i)`,
      [firstDay, BASELINE_DAYS * DAY, STORED, BASELINE_DAYS],
    );
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const emails = (at: number, bounceRate: number) => ({
  uuid: randomUUID(),
  event: 'email_deliverability_event',
  distinctId: 'acme',
  timestamp: at,
  properties: { tenant_id: 'acme', email_count: 1000, delivery_outcome: 'bounced', bounce_rate: bounceRate },
});

async function ingest(server: TestServer, event: ReturnType<typeof emails>): Promise<void> {
  await server.pipeline.ingest([event]);
  // The committed-event stream publishes on the next turn; flush waits for the alert writes.
  await new Promise((resolve) => setImmediate(resolve));
  await server.alerts.flush();
}

describe('trend rule state rebuilt at start from a large store', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('rebuilds bounce-rate-anomaly from 300K stored events, so a spike the next day fires', async () => {
    server = await startTestServer();
    const dataDir = server.dataDir;
    await server.close();
    server = undefined;
    await storeBaseline(join(dataDir, 'pulse.duckdb'));

    server = await startTestServer({}, dataDir);
    const rules = await server.api<{ rebuildFailures: unknown[] }>('/api/rules');
    expect(rules.body.rebuildFailures).toEqual([]);
    const spikeDay = today - 2 * DAY;
    await ingest(server, emails(spikeDay + 3_600_000, 0.2));
    // The next day's first event completes the spike's day: judged against the 28 stored days before it.
    await ingest(server, emails(spikeDay + DAY + 3_600_000, 0.007));
    const alerts = await server.api<{ alerts: { rule: string; tenantId: string }[] }>(
      '/api/alerts?rule=bounce-rate-anomaly',
    );
    expect(alerts.body.alerts.map((a) => [a.rule, a.tenantId])).toEqual([['bounce-rate-anomaly', 'acme']]);
  });
});
