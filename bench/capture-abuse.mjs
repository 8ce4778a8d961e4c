// node bench/capture-abuse.mjs (after `npm run build`) — how Pulse serves others while capture is abused:
// BENCH_BOMBS small gzip bodies inflating to ~100 MiB, without a token, are kept in flight for BENCH_SECONDS,
// while /healthz is polled and a normal client posts a 100-event batch every 100 ms. Prints /healthz and
// normal-capture latency (p50/p99/max), the bombs' answers, and the server's peak RSS. BENCH_KIND picks the
// bomb: `empty` (`{},` in a batch), `dense` (events each holding 5,000 `{}`), `strings` (valid events of
// 500 KB strings: nothing refuses them before the end, where the token is missing). Loopback only; bounded
// in time and in requests.
import { readFileSync, rmSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { startPulse } from './lib/server-process.mjs';
import { fmt, report } from './lib/report.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const inFlight = Number(process.env.BENCH_BOMBS ?? 3);
const kind = process.env.BENCH_KIND ?? 'empty';
const maxBombs = 200;
const TOKEN = 'phc_bench_abuse_token';
const MiB = 1024 * 1024;

const units = {
  empty: '{},',
  dense: `{"event":"e","distinct_id":"d","properties":{"x":[${'{},'.repeat(5_000)}{}]}},`,
  strings: `{"event":"e","distinct_id":"d","properties":{"s":"${'x'.repeat(500_000)}"}},`,
};

async function gzipBomb() {
  const gzip = createGzip();
  const out = [];
  gzip.on('data', (chunk) => out.push(chunk));
  const ended = once(gzip, 'end');
  const unit = units[kind];
  const block = Buffer.from(unit.repeat(Math.ceil(MiB / unit.length)));
  gzip.write('{"batch":[');
  for (let written = 0; written < 100 * MiB - block.length; written += block.length)
    if (!gzip.write(block)) await once(gzip, 'drain');
  gzip.end('{"event":"e","distinct_id":"d"}],"sent_at":"2026-01-01T00:00:00Z"}');
  await ended;
  return Buffer.concat(out);
}

const normalBody = () =>
  JSON.stringify({
    api_key: TOKEN,
    sent_at: new Date().toISOString(),
    batch: Array.from({ length: 100 }, (_, i) => ({
      event: 'signup_clicked',
      distinct_id: `user-${i}`,
      uuid: randomUUID(),
      timestamp: new Date().toISOString(),
      properties: { tenant_id: 'bench', plan: 'pro', seats: i, $lib: 'posthog-node' },
    })),
  });

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${fmt(percentile(sorted, 50), 1)} ms · p99 ${fmt(percentile(sorted, 99), 1)} ms · max ${fmt(sorted.at(-1) ?? 0, 1)} ms (n=${sorted.length})`;
};
const rssMiB = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function timed(fn) {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

const bomb = await gzipBomb();
const port = 19000 + Math.floor(Math.random() * 1000);
const server = await startPulse({ port, env: { PULSE_PROJECT_TOKEN: TOKEN } });
const rssBefore = rssMiB(server.child.pid);
let rssPeak = rssBefore;
const health = [];
const capture = [];
const captureStatuses = new Map();
const bombAnswers = new Map();
let sent = 0;
let healthFailures = 0;
let stop = false;

try {
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(server.child.pid))), 20);
  const bomber = async () => {
    while (!stop && sent < maxBombs) {
      sent++;
      const key = await fetch(`${server.url}/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: bomb,
      }).then(
        async (response) => `${response.status} ${(await response.text()).slice(0, 90)}`,
        (error) => `failed: ${error.cause?.code ?? error.message}`,
      );
      bombAnswers.set(key, (bombAnswers.get(key) ?? 0) + 1);
    }
  };
  const poller = async () => {
    while (!stop) {
      const { ms, result } = await timed(() =>
        fetch(`${server.url}/healthz`).then(
          (r) => r.text(),
          () => 'failed',
        ),
      );
      if (result === 'failed') {
        healthFailures++;
        if (server.child.exitCode !== null || server.child.signalCode !== null) stop = true;
      } else health.push(ms);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const client = async () => {
    while (!stop) {
      const { ms, result } = await timed(() =>
        fetch(`${server.url}/batch/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: normalBody(),
        }).then(
          async (r) => (await r.text(), r.status),
          () => 'failed',
        ),
      );
      capture.push(ms);
      captureStatuses.set(result, (captureStatuses.get(result) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const timer = setTimeout(() => (stop = true), seconds * 1000);
  await Promise.all([...Array.from({ length: inFlight }, bomber), poller(), client()]);
  clearTimeout(timer);
  clearInterval(sampler);
} finally {
  await server.stop();
  rmSync(server.dataDir, { recursive: true, force: true });
}

report(`capture abuse: ${inFlight} bombs in flight for ${seconds} s`, [
  ['bomb body', `${fmt(bomb.length)} bytes gzip → 100 MiB (${kind}) in a batch, no token`],
  ['bombs answered', [...bombAnswers].map(([k, n]) => `${n}× ${k}`).join(' | ')],
  ['/healthz latency', `${summary(health)}; ${healthFailures} failed`],
  [
    'normal 100-event capture',
    `${summary(capture)}; statuses ${[...captureStatuses].map(([s, n]) => `${n}×${s}`).join(' ')}`,
  ],
  ['server RSS', `${fmt(rssBefore)} MiB before, peak ${fmt(rssPeak)} MiB`],
]);
