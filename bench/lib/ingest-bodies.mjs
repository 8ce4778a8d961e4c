// posthog-node batch envelopes of 100 seeded business events each (unique uuids, $lib properties as the
// SDK adds them), uncompressed as with disableCompression: the bodies both ingest benchmarks post.
import { generateEvents } from '../../packages/server/dist/seed/index.js';

export function posthogNodeBodies(count) {
  const sample = generateEvents({
    tenants: Math.ceil(count / 10), // ~1,200 events per tenant over 30 days
    days: 30,
    seed: 7,
    end: new Date('2026-11-01T00:00:00Z'),
  });
  const bodies = [];
  for (let b = 0; b < count; b++) {
    const batch = [];
    for (let i = 0; i < 100; i++) {
      const next = sample.next();
      if (next.done) throw new Error('generator ran out; ask for fewer bodies');
      const e = next.value;
      batch.push({
        event: e.event,
        distinct_id: e.distinctId,
        uuid: e.uuid,
        timestamp: new Date(e.timestamp).toISOString(),
        properties: {
          ...e.properties,
          $lib: 'posthog-node',
          $lib_version: '5.70.0',
          $is_server: true,
          $geoip_disable: true,
        },
      });
    }
    bodies.push(JSON.stringify({ api_key: 'phc_bench', batch, sent_at: new Date().toISOString() }));
  }
  return bodies;
}

/** JSON.parse of the bodies on one core, events/s over ~2 s: the reference both benchmarks report against. */
export function parseCeiling(bodies) {
  let parsed = 0;
  const sample = bodies.slice(0, 500);
  const t0 = performance.now();
  while (performance.now() - t0 < 2000)
    for (const body of sample) {
      JSON.parse(body);
      parsed += 100;
    }
  return parsed / ((performance.now() - t0) / 1000);
}

/** Empties the server's alert rule set (to measure ingest without alerting). */
export async function emptyRuleSet(server) {
  const res = await fetch(`${server.url}/api/rules`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: '{"rules":[]}',
  });
  if (!res.ok) throw new Error(`emptying the rule set: ${res.status} ${await res.text()}`);
}

/** Posts every body to /batch/ from `clients` concurrent senders; a refusal (503 backlog full) is retried, as SDKs do. */
export async function sendAll(url, bodies, clients) {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        for (;;) {
          const res = await fetch(`${url}/batch/`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await res.text();
          if (res.ok) break;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }),
  );
}
