import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/index.js';
import { writeNewKeyFile } from '../src/encryption/key-file.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const DAY = 86_400_000;

const pageview = (tenant: string, ageDays: number): CapturedEvent => ({
  uuid: randomUUID(),
  event: '$pageview',
  distinctId: 'u',
  timestamp: Date.now() - ageDays * DAY,
  properties: { tenant_id: tenant },
});

interface AuditRecord {
  action: string;
  actor: { kind: string; id: string };
  result: string;
  detail: { dry_run?: boolean; totals?: { events: number; quarantined: number } };
}

describe('retention: config seed, scheduled job, direct CLI', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('seeds PULSE_RETENTION only into an empty policy set, and runs on PULSE_RETENTION_CRON as system', async () => {
    const dataDir = temporaryDirectory('pulse-ret-');
    server = await startTestServer(
      {
        PULSE_RETENTION: JSON.stringify([{ event: 'generic', days: 30 }]),
        // Every second (croner's seconds field), to see a scheduled run within the test.
        PULSE_RETENTION_CRON: '* * * * * *',
      },
      dataDir,
    );
    const old = pageview('sched', 60);
    const recent = pageview('sched', 1);
    await server.pipeline.ingest([old, recent]);
    const listed = await server.api<{ policies: unknown[]; next_run: string | null }>('/api/retention');
    expect(listed.body.policies).toEqual([{ event: 'generic', days: 30 }]);
    expect(listed.body.next_run).not.toBeNull();

    let applied: AuditRecord | undefined;
    for (let i = 0; i < 50 && !applied; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await server.storage.audit.flush();
      const { body } = await server.api<{ records: AuditRecord[] }>('/api/audit?action=retention.applied');
      applied = body.records.find((r) => (r.detail.totals?.events ?? 0) > 0);
    }
    expect(applied?.actor).toMatchObject({ kind: 'system', id: 'retention-schedule' });
    expect(applied?.result).toBe('ok');
    expect(applied?.detail.totals).toEqual({ events: 1, quarantined: 0 });
    const { body } = await server.api<{ events: { uuid: string }[] }>('/api/events?tenant=sched');
    expect(body.events.map((e) => e.uuid)).toEqual([recent.uuid]);

    // The dedup index keeps the deleted event's fingerprint, but a hit is confirmed against the store:
    // the re-sent old event is stored again (and goes at the next run).
    await server.pipeline.ingest([old]);
    const again = await server.api<{ events: { uuid: string }[] }>('/api/events?tenant=sched');
    expect(again.body.events.map((e) => e.uuid).sort()).toEqual([old.uuid, recent.uuid].sort());
    await server.close();

    // A restart with another seed keeps the stored policies.
    server = await startTestServer(
      { PULSE_RETENTION: JSON.stringify([{ event: '*', days: 1 }]), PULSE_RETENTION_CRON: 'off' },
      dataDir,
    );
    expect((await server.api<{ policies: unknown[] }>('/api/retention')).body.policies).toEqual([
      { event: 'generic', days: 30 },
    ]);
  });

  it('applies on an encrypted store (its deletes use the store connections)', async () => {
    const dataDir = temporaryDirectory('pulse-ret-');
    const keyFile = join(temporaryDirectory('pulse-ret-key-'), 'pulse.key');
    writeNewKeyFile(keyFile);
    server = await startTestServer(
      {
        PULSE_ENCRYPTION_KEY_FILE: keyFile,
        PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true',
        PULSE_RETENTION: JSON.stringify([{ event: 'generic', days: 30 }]),
        PULSE_RETENTION_CRON: 'off',
      },
      dataDir,
    );
    const old = pageview('enc', 60);
    const recent = pageview('enc', 1);
    await server.pipeline.ingest([old, recent]);
    const run = await server.api<{ totals: unknown }>('/api/retention/apply', { method: 'POST' });
    expect(run.body.totals).toEqual({ events: 1, quarantined: 0 });
    const { body } = await server.api<{ events: { uuid: string }[] }>('/api/events?tenant=enc');
    expect(body.events.map((e) => e.uuid)).toEqual([recent.uuid]);
  });

  it('refuses a bad PULSE_RETENTION at start, naming every problem', async () => {
    await expect(
      startTestServer({ PULSE_RETENTION: '[{"event":"nope","days":0}]', PULSE_RETENTION_CRON: 'off' }),
    ).rejects.toThrow(/PULSE_RETENTION has 2 problems: policies\[0\]\.event .*policies\[0\]\.days/);
  });

  it('`pulse retention apply --direct` works on the data dir when no server runs, and is audited', async () => {
    const dataDir = temporaryDirectory('pulse-ret-');
    server = await startTestServer({ PULSE_RETENTION_CRON: 'off' }, dataDir);
    const old = pageview('direct', 60);
    const recent = pageview('direct', 1);
    await server.pipeline.ingest([old, recent]);
    await server.close();
    server = null;

    const config = join(dataDir, 'pulse.config.json');
    // A port nobody listens on: the CLI finds no server and opens the data dir itself.
    writeFileSync(config, JSON.stringify({ dataDir, port: 1, retentionCron: 'off' }));
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      try {
        return {
          code: await main(['node', 'pulse', '--config', config, 'retention', ...args]),
          out: out.join(''),
        };
      } finally {
        spy.mockRestore();
      }
    };
    expect((await run('set', '--policy', 'generic=30', '--json')).code).toBe(0);
    const applied = await run('apply', '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.out)).toMatchObject({
      dryRun: false,
      totals: { events: 1, quarantined: 0 },
      rows: [{ event: 'generic', tenant: 'direct', days: 30, events: 1, quarantined: 0 }],
      timings: { rollupsMs: null },
    });

    server = await startTestServer({ PULSE_RETENTION_CRON: 'off' }, dataDir);
    const { body } = await server.api<{ events: { uuid: string }[] }>('/api/events?tenant=direct');
    expect(body.events.map((e) => e.uuid)).toEqual([recent.uuid]);
    const audit = await server.api<{ records: AuditRecord[] }>('/api/audit?action=retention.*');
    expect(audit.body.records.map((r) => [r.action, r.actor.id])).toEqual(
      expect.arrayContaining([
        ['retention.applied', 'cli-direct'],
        ['retention.set', 'cli-direct'],
      ]),
    );
  });
});
