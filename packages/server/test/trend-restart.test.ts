import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_STATE_FILE } from '../src/alerts/rule-state-file.js';
import { comparable, ingestAndSettle, type AlertView } from './helpers/alerts-compared.js';
import { restartableServers, type TestServer } from './helpers/pulse-server.js';

const hour = 3_600_000;
/** Whole hours in the recent past, so buckets line up and no event is in the future. */
const T0 = Math.floor(Date.now() / hour) * hour - 30 * hour;

let n = 0;
const revenue = (at: number, amount: number, type: string, eventType: string, tenant = 'acme') => ({
  uuid: `00000000-0000-4000-9000-${String(n++).padStart(12, '0')}`,
  event: 'revenue_impact_event',
  distinctId: tenant,
  timestamp: at,
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: type, event_type: eventType },
});

/**
 * Twenty hours of two tenants' revenue events per event_type: steady negative amounts, with large positive
 * ones the rules' `where` must leave out, and a share of events without an event_type (an empty key).
 */
const history = Array.from({ length: 20 }, (_, h) =>
  ['acme', 'globex'].flatMap((tenant) => [
    revenue(T0 + h * hour + 60_000, 100 + (h % 3) * 10, 'negative', 'churn', tenant),
    revenue(T0 + h * hour + 120_000, 40 + (h % 2) * 5, 'negative', 'refund', tenant),
    revenue(T0 + h * hour + 180_000, 50_000, 'positive', 'churn', tenant),
    revenue(T0 + h * hour + 240_000, 7, 'negative', '', tenant),
  ]),
).flat();

/** Spikes, a drop and quiet hours after the history: they complete buckets judged against it. */
const live = [
  revenue(T0 + 20 * hour + 60_000, 5_000, 'negative', 'churn'),
  revenue(T0 + 20 * hour + 90_000, 45, 'negative', 'refund'),
  revenue(T0 + 20 * hour + 120_000, 900, 'negative', 'refund', 'globex'),
  revenue(T0 + 21 * hour + 60_000, 110, 'negative', 'churn'),
  revenue(T0 + 21 * hour + 60_000, 40, 'negative', 'refund'),
  revenue(T0 + 21 * hour + 60_000, 100, 'negative', 'churn', 'globex'),
  revenue(T0 + 21 * hour + 90_000, 40, 'negative', 'refund', 'globex'),
  revenue(T0 + 24 * hour + 60_000, 1, 'negative', 'churn'),
  revenue(T0 + 24 * hour + 60_000, 1, 'negative', 'churn', 'globex'),
];

const spikeRule = {
  id: 'loss-spike-by-type',
  name: 'Loss spike',
  severity: 'high',
  enabled: true,
  events: ['revenue_impact_event'],
  condition: {
    kind: 'anomaly',
    aggregate: 'sum',
    property: 'impact_amount',
    where: [{ property: 'impact_type', op: '==', value: 'negative' }],
    direction: 'up',
    bucketMinutes: 60,
    baselineBuckets: 12,
    method: 'mad',
    threshold: 3,
    minSample: 6,
  },
  key: ['event_type'],
  cooldownMinutes: 60,
  resolve: { mode: 'clear', afterMinutes: 0 },
};

const dropRule = {
  ...spikeRule,
  id: 'loss-count-change',
  name: 'Loss count change',
  condition: {
    kind: 'change_percent',
    aggregate: 'count',
    property: 'impact_type',
    where: [{ property: 'impact_amount', op: '<', value: 10_000 }],
    direction: 'either',
    minutes: 240,
    percent: 40,
    minSample: 2,
  },
};

const { start, stop } = restartableServers();

/** Every alert of the two rules, as the API shows them (less the wall-clock times). */
async function alertsOf(server: TestServer) {
  const lists = await Promise.all(
    [spikeRule.id, dropRule.id].map((rule) =>
      server.api<{ alerts: AlertView[] }>(`/api/alerts?rule=${rule}`),
    ),
  );
  return comparable(lists.flatMap((l) => l.body.alerts));
}

async function withRules(server: TestServer): Promise<void> {
  for (const rule of [spikeRule, dropRule])
    expect((await server.api(`/api/rules/${rule.id}`, { method: 'PUT', body: rule })).status).toBe(200);
}

describe('trend rules across a restart', () => {
  it('raise the same alerts after a restart (state from the store’s sums) as without one', async () => {
    const steady = await start();
    await withRules(steady);
    await ingestAndSettle(steady, history);
    await ingestAndSettle(steady, live);
    const expected = await alertsOf(steady);
    await stop(steady);

    let restarted = await start();
    const dataDir = restarted.dataDir;
    await withRules(restarted);
    await ingestAndSettle(restarted, history);
    await stop(restarted);
    // The rules' state saved at the stop would be resumed: without it, the start rebuilds from the store's sums.
    rmSync(join(dataDir, RULE_STATE_FILE));
    restarted = await start(dataDir);
    expect(restarted.alerts.startStats()).toMatchObject({ restored: 0 });
    expect((await restarted.api<{ rebuildFailures: unknown[] }>('/api/rules')).body.rebuildFailures).toEqual(
      [],
    );
    await ingestAndSettle(restarted, live);
    const after = await alertsOf(restarted);

    // Both rules raise alerts on the live events, for both tenants and several keys.
    expect(new Set(expected.map((a) => `${a.rule} ${a.tenantId}`))).toEqual(
      new Set([
        `${spikeRule.id} acme`,
        `${spikeRule.id} globex`,
        `${dropRule.id} acme`,
        `${dropRule.id} globex`,
      ]),
    );
    expect(after).toEqual(expected);
  });
});
