import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The integration and end-to-end tests run the built CLI (bin/pulse.js → dist) and serve the built dashboard:
// build first, so they never test stale code. `tsc -b` is incremental (a no-op when nothing changed).

const root = fileURLToPath(new URL('../..', import.meta.url));

// What `npm run build` does, without npm's start-up cost.
const steps: { cwd: string; args: string[] }[] = [
  {
    cwd: root,
    args: ['node_modules/typescript/bin/tsc', '-b', 'packages/events', 'packages/sdk', 'packages/server'],
  },
  {
    cwd: `${root}packages/dashboard`,
    args: [`${root}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'],
  },
];

function run({ cwd, args }: { cwd: string; args: string[] }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`build step \`${args.join(' ')}\` failed (${code ?? signal})`)),
    );
  });
}

// Both projects that need it may start in one run: build once.
const key = Symbol.for('pulse.test.build');
const memo = globalThis as { [key]?: Promise<void> };

export default async function build(): Promise<void> {
  memo[key] ??= (async () => {
    for (const step of steps) await run(step);
  })();
  await memo[key];
}
