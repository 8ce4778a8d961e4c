import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// An answered request's audit record is durable before the answer leaves, even though the audit table
// takes records in batches behind the audit journal: `pulse serve` (the built CLI, its own process) is
// SIGKILLed right after its last answer, restarted on the same data directory, and every answered request
// must be in the trail, in a chain that verifies across both runs.

interface AuditRow {
  seq: number;
  action: string;
  result: string;
  clientRequestId: string | null;
}

const summary = (server: PulseProcess, requestId: string) =>
  fetch(`${server.url}/api/summary?tenant=acme`, {
    headers: { authorization: `Bearer ${server.adminKey}`, 'x-request-id': requestId },
  });

async function trail(server: PulseProcess): Promise<AuditRow[]> {
  const response = await fetch(`${server.url}/api/audit?action=summary.read&limit=10000`, {
    headers: { authorization: `Bearer ${server.adminKey}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { records: AuditRow[] }).records;
}

describe('audit records across kill -9', () => {
  const dataDir = temporaryDirectory('pulse-audit-crash-');
  const started: PulseProcess[] = [];
  afterAll(async () => {
    for (const p of started) await p.kill();
  });

  it(
    'every answered request keeps its record after SIGKILL, and the chain verifies across runs',
    { timeout: 90_000 },
    async () => {
      const answered: string[] = [];
      for (let run = 0; run < 2; run++) {
        const server = await startPulseProcess({ dataDir });
        started.push(server);
        // One after another (each its own journal record), then a burst (batched into shared ones).
        for (let i = 0; i < 10; i++) {
          const id = `run${run}-lone-${i}-${randomUUID()}`;
          expect((await summary(server, id)).status).toBe(200);
          answered.push(id);
        }
        const burst = Array.from({ length: 20 }, (_, i) => `run${run}-burst-${i}-${randomUUID()}`);
        const statuses = await Promise.all(burst.map(async (id) => (await summary(server, id)).status));
        expect(statuses.every((s) => s === 200)).toBe(true);
        answered.push(...burst);
        await server.kill();
      }

      const server = await startPulseProcess({ dataDir });
      started.push(server);
      const kept = new Set(
        (await trail(server)).filter((r) => r.result === 'ok').map((r) => r.clientRequestId),
      );
      expect(answered.filter((id) => !kept.has(id))).toEqual([]);
      const verify = await fetch(`${server.url}/api/audit/verify`, {
        headers: { authorization: `Bearer ${server.adminKey}` },
      });
      expect(await verify.json()).toMatchObject({ ok: true, problem: null });
    },
  );
});
