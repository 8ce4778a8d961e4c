import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { startLeadership, type Leadership } from '../src/cluster/leader.js';
import { pgLeaderLease } from '../src/storage/postgres/pg-leader-lease.js';
import { createStateDatabase, describeWithPostgres } from './helpers/postgres.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const logger = pino({ level: 'silent' });

/**
 * A process that only contends for the leadership, on the TypeScript sources through Vite's module runner
 * (what vitest itself uses). It prints `tried <held>` after each attempt and `leader`/`follower` on changes.
 */
const childSource = `
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [root, url] = process.argv.slice(2);
const vite = await import(pathToFileURL(join(root, 'node_modules/vite/dist/node/index.js')).href);
const server = await vite.createServer({
  configFile: false, root, logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  resolve: { conditions: ['pulse-source'] },
  ssr: { resolve: { conditions: ['pulse-source'], externalConditions: ['pulse-source'] } },
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = vite.createServerModuleRunner(server.environments.ssr, { hmr: false });
const src = (p) => runner.import(join(root, 'packages/server/src', p));
const { startLeadership } = await src('cluster/leader.ts');
const { pgLeaderLease } = await src('storage/postgres/pg-leader-lease.ts');
const open = pgLeaderLease(url);
const leadership = startLeadership({
  openLease: async (onLost) => {
    const lease = await open(onLost);
    return { ...lease, tryAcquire: async () => {
      const held = await lease.tryAcquire();
      process.stdout.write('tried ' + held + '\\n');
      return held;
    } };
  },
  logger: { info() {}, warn() {} },
  checkMs: 200,
});
leadership.onChange((leader) => process.stdout.write((leader ? 'leader' : 'follower') + '\\n'));
setInterval(() => {}, 60_000);
`;

interface Contender {
  child: ChildProcess;
  /** Resolves once the child printed `line`. */
  printed: (line: string) => Promise<void>;
  output: () => string;
  kill: () => Promise<void>;
}

const children: Contender[] = [];
const leaderships: Leadership[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill();
  for (const leadership of leaderships.splice(0)) await leadership.stop();
});

function contend(url: string): Contender {
  const script = join(temporaryDirectory('pulse-leader-child-'), 'child.mjs');
  writeFileSync(script, childSource);
  const child = spawn(process.execPath, [script, root, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters: (() => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const contender: Contender = {
    child,
    output: () => output,
    async printed(line) {
      while (!output.split('\n').includes(line)) {
        if (child.exitCode !== null) throw new Error(`the contender exited:\n${output}`);
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), exited]);
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  children.push(contender);
  return contender;
}

/** Follows the changes of several leaderships: `until` resolves once `done` holds after some change. */
function watch(...leaderships: Leadership[]) {
  const log: string[] = [];
  const waiters: (() => void)[] = [];
  leaderships.forEach((leadership, index) =>
    leadership.onChange((leader) => {
      log.push(`${index}:${leader ? 'leader' : 'follower'}`);
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  return {
    log,
    async until(done: () => boolean) {
      while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

describeWithPostgres('leadership among Pulse processes', (postgres) => {
  it('is held by one process; when it is killed (-9), another takes over', async () => {
    const url = await createStateDatabase(postgres.server);
    const first = contend(url);
    await first.printed('leader');
    const second = contend(url);
    await second.printed('tried false');
    const holders = await postgres.server.admin(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x70756c73} AND granted`,
    );
    expect(holders.rows).toEqual([{ n: 1 }]);

    await first.kill();
    await second.printed('leader');
    expect(second.output()).not.toMatch(/^follower$/m);
    // It only became the leader after the first was gone.
    expect(second.output().indexOf('leader')).toBeGreaterThan(second.output().indexOf('tried false'));
  }, 60_000);

  it('steps down when its connection is cut, and one process leads again', async () => {
    const url = await createStateDatabase(postgres.server);
    const a = startLeadership({ openLease: pgLeaderLease(url), logger, checkMs: 100 });
    const b = startLeadership({ openLease: pgLeaderLease(url), logger, checkMs: 100 });
    leaderships.push(a, b);
    const changes = watch(a, b);
    await changes.until(() => a.isLeader() || b.isLeader());
    const first = a.isLeader() ? a : b;

    await postgres.server.admin(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x70756c73}`,
    );
    await changes.until(() => !first.isLeader());
    await changes.until(() => a.isLeader() || b.isLeader());
    expect(a.isLeader() && b.isLeader()).toBe(false);
    // A clean stop hands it on.
    const next = a.isLeader() ? a : b;
    const other = next === a ? b : a;
    await next.stop();
    await changes.until(() => other.isLeader());
    expect(changes.log.filter((change) => change.endsWith(':leader')).length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});
