// node bench/cluster-bus.mjs — the event bus's added CPU per event in a Pulse process (cluster/event-bus.ts):
// a PostgreSQL 15 started here (temp dir, free port, stopped at the end), BENCH_EVENTS (20K) events committed
// in group-commit batches of 1, 10 and 100 events. Arm "send": one process's bus publishes (encode, insert,
// NOTIFY). Arm "send+receive": a second bus in the same process also reads and feeds every batch. The
// receive cost is the difference. Arms interleaved, BENCH_ROUNDS (5) rounds; min and median reported.
// Build first (npm run build). Needs /usr/lib/postgresql/15/bin.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../packages/server/dist/cluster/event-bus.js';
import { EventStream } from '../packages/server/dist/ingestion/event-stream.js';
import { openPgPool } from '../packages/server/dist/storage/postgres/pg-client.js';
import { PgBusChannel } from '../packages/server/dist/storage/postgres/pg-event-bus.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BIN = '/usr/lib/postgresql/15/bin';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-pg-bench-'));
  const asRoot = process.getuid() === 0;
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const user = asRoot ? { uid: id('-u'), gid: id('-g') } : {};
  if (asRoot) {
    chmodSync(dir, 0o755);
    chownSync(dir, user.uid, user.gid);
  }
  const data = join(dir, 'data');
  const init = spawnSync(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], {
    ...user,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(init.stderr);
  const port = await freePort();
  const server = spawn(
    join(BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'fsync=off'],
    {
      ...user,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await new Promise((resolve, reject) => {
    let log = '';
    server.stderr.on('data', (chunk) => {
      log += chunk;
      if (log.includes('ready to accept connections')) resolve();
    });
    server.once('exit', () => reject(new Error(log)));
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      server.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const quiet = {
  info() {},
  warn: (o, m) => console.error('WARN', m, o.err?.message),
  error: (o, m) => console.error('ERROR', m, o.err?.message),
};

async function side(url, origin) {
  const pool = openPgPool(url);
  pool.on('error', () => {}); // the server's shutdown at the end ends idle clients
  const stream = new EventStream((error) => console.error(error));
  const counts = { published: 0, received: 0 };
  const bus = new EventBus({
    channel: await PgBusChannel.open(pool, url),
    stream,
    origin,
    logger: quiet,
    counters: {
      published: (n) => (counts.published += n),
      received: (n) => (counts.received += n),
      dropped: () => {},
      missed: () => {},
    },
    onMissed: async () => {},
  });
  await bus.start();
  return { pool, stream, bus, counts };
}

const event = (i, batch) => ({
  uuid: `0195aaaa-0000-7000-8000-${String(i).padStart(12, '0')}`,
  event: 'page_view',
  distinctId: `user-${i % 500}`,
  timestamp: 1_760_000_000_000 + i,
  properties: { tenant_id: `tenant-${i % 40}`, $current_url: `https://app.example/p/${i % 97}`, batch },
  tenantId: `tenant-${i % 40}`,
  ingestedAt: 1_760_000_100_000 + i,
});

const until = async (done) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 1));
};

/** CPU µs per event of this process for EVENTS events committed in batches of `size`. */
async function run(url, size, receive) {
  const sender = await side(url, 'sender');
  const receiver = receive ? await side(url, 'receiver') : null;
  const batches = Array.from({ length: EVENTS / size }, (_, b) =>
    Array.from({ length: size }, (_, i) => event(b * size + i, b)),
  );
  const cpu = process.cpuUsage();
  for (const events of batches) {
    sender.stream.publish({ events, committedAt: 0 });
    // A group commit every so often, as a busy pipeline does (the bus batches what waits meanwhile).
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => sender.counts.published === EVENTS && (!receiver || receiver.counts.received === EVENTS));
  const used = process.cpuUsage(cpu);
  for (const s of [sender, receiver]) {
    if (!s) continue;
    await s.bus.stop();
    await s.pool.end();
  }
  return (used.user + used.system) / EVENTS;
}

const pg = await startPostgres();
try {
  const results = {};
  for (let round = 0; round < ROUNDS; round++)
    for (const size of [1, 10, 100])
      for (const receive of [false, true]) {
        const key = `batch ${size}, ${receive ? 'send+receive' : 'send'}`;
        (results[key] ??= []).push(await run(pg.url, size, receive));
      }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`CPU µs per event of the Pulse process (${EVENTS} events, ${ROUNDS} rounds)`);
  for (const [key, xs] of Object.entries(results))
    console.log(`${key.padEnd(28)} min ${Math.min(...xs).toFixed(1)}  median ${median(xs).toFixed(1)}`);
} finally {
  await pg.stop();
}
