import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../src/alerts/default-rules.js';
import type { Rule } from '../src/alerts/rule-model.js';
import { runCli } from './helpers/run-cli.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

/** A rule as stores written before the rename held it: its field names in snake_case. */
function withFormerNames(rule: Rule): Record<string, unknown> {
  const { cooldownMinutes, resolve, condition, ...rest } = rule;
  const { afterMinutes, ...resolveRest } = resolve;
  const formerCondition: Record<string, unknown> = { ...condition };
  if (condition.kind === 'window') {
    delete formerCondition.minSample;
    formerCondition.min_sample = condition.minSample;
  }
  if (condition.kind === 'overdue' && condition.graceMinutes !== undefined) {
    delete formerCondition.graceMinutes;
    formerCondition.grace_minutes = condition.graceMinutes;
  }
  return {
    ...rest,
    condition: formerCondition,
    cooldown_minutes: cooldownMinutes,
    resolve: { ...resolveRest, after_minutes: afterMinutes },
  };
}

/** The stored rule documents, read straight from the DuckDB file (the server is stopped). */
async function storedRules(file: string, replaceWith?: readonly unknown[]): Promise<string[]> {
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  try {
    if (replaceWith) {
      await c.run('DELETE FROM alert_rules');
      for (const [i, rule] of replaceWith.entries())
        await c.run(`INSERT INTO alert_rules VALUES ($1, $2, $3, now())`, [
          i,
          (rule as { id: string }).id,
          JSON.stringify(rule),
        ]);
    }
    const rows = (await c.runAndReadAll('SELECT rule FROM alert_rules ORDER BY position')).getRowObjectsJS();
    return rows.map((r) => r.rule as string);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const T0 = Date.now();
const emails = (count: number) => ({
  uuid: randomUUID(),
  event: 'email_deliverability_event',
  distinctId: 'acme',
  timestamp: T0,
  properties: { tenant_id: 'acme', email_count: count, delivery_outcome: 'bounced', bounce_rate: 0.2 },
});

async function ingest(server: TestServer, count: number): Promise<void> {
  await server.pipeline.ingest([emails(count)]);
  // The committed-event stream publishes on the next turn; flush waits for the alert writes.
  await new Promise((resolve) => setImmediate(resolve));
  await server.alerts.flush();
}

const bounceAlerts = async (server: TestServer) =>
  (await server.api<{ alerts: unknown[] }>('/api/alerts?rule=bounce-rate-critical')).body.alerts.length;

describe('camelCase rule fields', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('rewrites rules stored with the former names once; they load and evaluate as before', async () => {
    server = await startTestServer();
    const dataDir = server.dataDir;
    await server.close();
    server = undefined;
    const file = join(dataDir, 'pulse.duckdb');
    const former = defaultRules.map(withFormerNames);
    expect(JSON.stringify(former)).toContain('"min_sample":500');
    await storedRules(file, former);

    server = await startTestServer({}, dataDir);
    expect((await server.api<{ rules: Rule[] }>('/api/rules')).body.rules).toEqual(defaultRules);
    // The window's minimum sample still holds: 400 emails are not enough evidence, 600 are.
    await ingest(server, 400);
    expect(await bounceAlerts(server)).toBe(0);
    await ingest(server, 200);
    expect(await bounceAlerts(server)).toBe(1);
    await server.close();
    server = undefined;

    const rewritten = await storedRules(file);
    expect(rewritten.map((r) => JSON.parse(r) as unknown)).toEqual(defaultRules);
    expect(rewritten.join()).not.toMatch(/min_sample|cooldown_minutes|after_minutes|grace_minutes/);
    // A second open finds nothing to rewrite and changes nothing.
    server = await startTestServer({}, dataDir);
    await server.close();
    server = undefined;
    expect(await storedRules(file)).toEqual(rewritten);
  });

  it('refuses a rule sent with a former field name, naming the new one', async () => {
    server = await startTestServer();
    const bounce = defaultRules.find((r) => r.id === 'bounce-rate-critical');
    const one = await server.api<{ error: { code: string; message: string } }>(
      '/api/rules/bounce-rate-critical',
      { method: 'PUT', body: withFormerNames(bounce as Rule) },
    );
    expect(one.status).toBe(400);
    expect(one.body.error.code).toBe('invalid_request');
    expect(one.body.error.message).toBe('cooldown_minutes is now cooldownMinutes: rule fields are camelCase');

    const set = await server.api<{ error: { message: string } }>('/api/rules', {
      method: 'PUT',
      body: { rules: [{ ...bounce, condition: withFormerNames(bounce as Rule).condition }] },
    });
    expect(set.status).toBe(400);
    expect(set.body.error.message).toBe(
      'rules[0].condition.min_sample is now minSample: rule fields are camelCase',
    );
    expect((await server.api<{ rules: Rule[] }>('/api/rules')).body.rules).toEqual(defaultRules);
  });
});

describe('audit verify head parameters', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  it('takes headSeq and headHash (and pulse audit verify --head sends them); refuses the former names', async () => {
    server = await startTestServer();
    // An audited change, so the trail has a head.
    expect((await server.api('/api/rules/reset', { method: 'POST' })).status).toBe(200);
    const first = await server.api<{ ok: boolean; head: { seq: number; hash: string } }>('/api/audit/verify');
    const { seq, hash } = first.body.head;
    const withHead = await server.api<{ ok: boolean }>(`/api/audit/verify?headSeq=${seq}&headHash=${hash}`);
    expect(withHead).toMatchObject({ status: 200, body: { ok: true } });

    const former = await server.api<{ error: { message: string } }>(
      `/api/audit/verify?head_seq=${seq}&head_hash=${hash}`,
    );
    expect(former.status).toBe(400);
    expect(former.body.error.message).toMatch(
      /^head_seq is not a known field \(querystring\): field names are camelCase, use headSeq/,
    );

    const cli = await runCli(
      {},
      'audit',
      'verify',
      '--url',
      server.url,
      '--key',
      server.adminKey,
      '--head',
      `${seq}:${hash}`,
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('audit trail intact');
  });
});
