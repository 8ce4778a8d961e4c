import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/pulse.js', import.meta.url));
const builtCli = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

export interface PulseProcess {
  url: string;
  adminKey: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout/stderr (pino JSON lines), for failure messages. */
  output: () => string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (graceful: drains the ingest queue) and wait for the exit. */
  stop: () => Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill: () => Promise<void>;
}

/**
 * Runs `pulse serve` as its own process, the way an operator does: the BUILT CLI (`npm run build` first),
 * on 127.0.0.1 and a port the OS picks (read back from the "Pulse is listening" log line), with only the
 * environment given here (nothing inherited from the test runner).
 */
export async function startPulseProcess(options: {
  dataDir: string;
  adminKey?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<PulseProcess> {
  if (!existsSync(builtCli))
    throw new Error(`${builtCli} is missing: run \`npm run build\` in the repository root first`);
  const adminKey = options.adminKey ?? 'pulse-process-test-admin-key';
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', options.dataDir],
    {
      cwd: options.dataDir, // no stray ./pulse.config.json
      env: {
        HOME: homedir(),
        TMPDIR: tmpdir(),
        PULSE_ADMIN_KEY: adminKey,
        PULSE_LOG_LEVEL: 'info',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pulse serve did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"Pulse is listening"/.exec(output);
      if (listening?.[1]) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`pulse serve exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    url,
    adminKey,
    child,
    output: () => output,
    exited,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
