import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// `pulse users add` asks for the password at a real terminal (util-linux `script` gives the CLI a
// pseudo-terminal), never echoes it, and without a terminal refuses instead of reading a pipe by surprise.

const bin = fileURLToPath(new URL('../bin/pulse.js', import.meta.url));

/** Runs the built CLI on a pseudo-terminal; `answer` returns what to type when the output so far asks. */
function onTerminal(args: string[], answer: (output: string) => string | null) {
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const typed = answer(output);
    if (typed !== null) child.stdin.write(typed);
  });
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
}

describe('pulse users add at a terminal', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const add = (email: string) => [
    'users',
    'add',
    email,
    '--role',
    'analyst',
    '--url',
    server.url,
    '--key',
    server.adminKey,
  ];

  /** Types `first` at the first prompt and `second` at the confirmation, each once. */
  const typing = (first: string, second: string) => {
    const asked = { password: false, again: false };
    return (output: string) => {
      if (!asked.password && output.includes('password')) {
        asked.password = true;
        return `${first}\r`;
      }
      if (!asked.again && output.includes('again')) {
        asked.again = true;
        return `${second}\r`;
      }
      return null;
    };
  };

  it('takes the password typed twice without echoing it, and the user can sign in with it', async () => {
    const secret = 'quarterly numbers stay private';
    const run = await onTerminal(add('cto@pulse.test'), typing(secret, secret));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/added cto@pulse\.test \(u_[0-9a-f]{16}\): analyst/);
    expect(run.output).not.toContain(secret);
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cto@pulse.test', password: secret }),
    });
    expect(signIn.status).toBe(200);
  });

  it('refuses when the two typings differ, and adds no one', async () => {
    const run = await onTerminal(
      add('cmo@pulse.test'),
      typing('first long password', 'second long password'),
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain('the two passwords differ; nothing was changed');
    const users = await server.api<{ users: { email: string }[] }>('/api/users');
    expect(users.body.users.map((u) => u.email)).not.toContain('cmo@pulse.test');
  });

  it('without a terminal and without --password-stdin, says how to pass the password', async () => {
    const stderr = await new Promise<string>((resolve) => {
      const child = execFile(process.execPath, [bin, ...add('coo@pulse.test')], (_error, _out, err) =>
        resolve(err),
      );
      child.stdin?.end('piped but not announced\n');
    });
    expect(stderr).toContain('no terminal to type the password at: pipe it in and add --password-stdin');
  });
});
