import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const hour = 3_600_000;
const T0 = Math.floor(Date.now() / hour) * hour - 72 * hour;

/** A deterministic stream: three tenants, two revenue events an hour for 72 h, with a spike and a slump. */
function history(): object[] {
  let seed = 7;
  const noise = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const events: { at: number; body: object }[] = [];
  for (let h = 0; h < 72; h++)
    for (const tenant of ['acme', 'globex', 'initech'])
      for (const minute of [7, 37]) {
        let amount = 100 + Math.round(noise() * 40);
        if (tenant === 'acme' && h === 50) amount *= 12;
        if (tenant === 'globex' && h >= 60) amount = Math.round(amount / 5);
        const at = T0 + h * hour + minute * 60_000;
        events.push({
          at,
          body: {
            event: 'revenue_impact_event',
            distinct_id: tenant,
            timestamp: new Date(at).toISOString(),
            properties: { tenant_id: tenant, impact_amount: amount, impact_type: 'negative' },
          },
        });
      }
  return events.sort((a, b) => a.at - b.at).map((e) => e.body);
}

const base = {
  severity: 'high',
  enabled: true,
  events: ['revenue_impact_event'],
  key: [],
  // Longer than the history: live (wall clock) and preview (event time) both open one alert per tenant.
  cooldownMinutes: 10 * 24 * 60,
  resolve: { mode: 'manual', afterMinutes: 0 },
};
const anomalyRule = {
  ...base,
  id: 'loss-anomaly',
  name: 'Revenue loss',
  condition: {
    kind: 'anomaly',
    aggregate: 'sum',
    property: 'impact_amount',
    direction: 'either',
    bucketMinutes: 60,
    baselineBuckets: 24,
    method: 'mad',
    threshold: 5,
    minSample: 12,
  },
};
const changeRule = {
  ...base,
  id: 'loss-change',
  name: 'Revenue loss',
  condition: {
    kind: 'change_percent',
    aggregate: 'sum',
    property: 'impact_amount',
    direction: 'down',
    minutes: 360,
    percent: 50,
    minSample: 6,
  },
};

interface Preview {
  ruleId: string;
  events: number;
  truncated: boolean;
  firings: { at: string; kind: string; tenantId: string; title: string; value: number | null }[];
  tenants: { tenantId: string; firings: number }[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

describe('rule preview', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_ALERT_PREVIEW_MAX_EVENTS: '300' });
    for (const rule of [anomalyRule, changeRule])
      expect((await server.api(`/api/rules/${rule.id}`, { method: 'PUT', body: rule })).status).toBe(200);
    const events = history();
    for (let i = 0; i < events.length; i += 100) {
      const response = await fetch(`${server.url}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: 'phc_x', batch: events.slice(i, i + 100) }),
      });
      expect(response.status).toBe(200);
    }
  });
  afterAll(async () => server.close());

  const preview = (body: object) => server.api<Preview & ErrorBody>('/api/rules/preview', { body });
  const range = { from: new Date(T0).toISOString(), to: new Date(T0 + 72 * hour).toISOString() };

  /** The rule's open alerts once the engine has written as many as the preview found. */
  async function liveAlerts(rule: string, count: number) {
    for (;;) {
      const { body } = await server.api<{ alerts: { tenantId: string; title: string }[] }>(
        `/api/alerts?rule=${rule}`,
      );
      if (body.alerts.length >= count) return body.alerts;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each([anomalyRule.id, changeRule.id])(
    '%s: agrees with the alerts the live engine opened',
    async (id) => {
      // One tenant at a time: the whole history is over this server's preview event limit.
      const firings: Preview['firings'] = [];
      for (const tenant of ['acme', 'globex', 'initech']) {
        const { status, body } = await preview({ ruleId: id, ...range, tenants: [tenant] });
        expect(status).toBe(200);
        expect(body.truncated).toBe(false);
        firings.push(...body.firings);
      }
      expect(firings.length).toBeGreaterThan(0);
      const live = await liveAlerts(id, firings.length);
      const key = (a: { tenantId: string; title: string }) => `${a.tenantId}: ${a.title}`;
      expect(live.map(key).sort()).toEqual(firings.map(key).sort());
      expect(firings.every((f) => f.kind === 'opened')).toBe(true);
    },
  );

  it('tries a rule document that is not installed, per tenant', async () => {
    const rule = { ...anomalyRule, id: 'draft', condition: { ...anomalyRule.condition, direction: 'up' } };
    const { status, body } = await preview({ rule, ...range, tenants: ['acme'] });
    expect(status).toBe(200);
    expect(body.tenants).toEqual([{ tenantId: 'acme', firings: 1 }]);
    expect(body.firings[0]?.at).toBe(new Date(T0 + 51 * hour).toISOString());
    expect(body.firings[0]?.title).toMatch(
      /^Revenue loss at acme is unusually high: \$[\d,.]+ in 1 h, usually \$[\d,.]+$/,
    );
  });

  it('previews from the CLI: a rule file or an installed rule', async () => {
    const file = join(temporaryDirectory('pulse-preview-'), 'draft.json');
    writeFileSync(file, JSON.stringify({ ...anomalyRule, id: 'draft' }));
    const client = ['--url', server.url, '--key', server.adminKey, '--from', range.from, '--to', range.to];
    const fromFile = await runCli({}, 'rules', 'preview', file, ...client, '--tenant', 'acme');
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^1 firing\(s\) of draft over 144 events/);
    expect(fromFile.stdout).toContain('Revenue loss at acme is unusually high');
    const byId = await runCli({}, 'rules', 'preview', '--id', changeRule.id, ...client, '--json');
    expect(byId.code).toBe(0);
    expect((JSON.parse(byId.stdout) as Preview).truncated).toBe(true);
    const neither = await runCli({}, 'rules', 'preview', ...client);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('give either a rule file or --id');
  });

  it('says when the event limit truncated the replay', async () => {
    const { status, body } = await preview({ ruleId: changeRule.id, ...range });
    expect(status).toBe(200);
    expect(body.truncated).toBe(true);
    expect(body.events).toBe(300);
  });

  it('refuses what it cannot preview, naming why', async () => {
    const long = await preview({
      ruleId: changeRule.id,
      from: '2026-01-01T00:00:00Z',
      to: '2026-06-01T00:00:00Z',
    });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/^to spans 151 days; a preview covers at most 92 days/);
    const backwards = await preview({ ruleId: changeRule.id, from: range.to, to: range.from });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toContain('must be after from');
    const both = await preview({ rule: anomalyRule, ruleId: anomalyRule.id, ...range });
    expect(both.status).toBe(400);
    const unknown = await preview({ ruleId: 'nope', ...range });
    expect(unknown.status).toBe(404);
    const invalid = await preview({
      rule: { ...anomalyRule, condition: { ...anomalyRule.condition, method: 'iqr' } },
      ...range,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('rule.condition.method');
  });
});
