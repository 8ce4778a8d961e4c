import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a running server says where it listens, so the CLI finds it whatever port it chose. */
export const SERVER_FILE = 'server.json';

interface ServerFile {
  url: string;
  pid: number;
  startedAt: string;
}

export function writeServerFile(dataDir: string, url: string): void {
  const file = join(dataDir, SERVER_FILE);
  const reachable = new URL(url);
  // A wildcard bind is reached on loopback from the same machine.
  if (reachable.hostname === '0.0.0.0' || reachable.hostname === '[::]') reachable.hostname = '127.0.0.1';
  const body: ServerFile = { url: reachable.origin, pid: process.pid, startedAt: new Date().toISOString() };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(body)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Removes the file if this process wrote it (a newer server may have replaced it). */
export function removeServerFile(dataDir: string): void {
  const file = join(dataDir, SERVER_FILE);
  if (readServerFile(dataDir, () => true)?.pid === process.pid) rmSync(file, { force: true });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
};

/** The URL of the server holding this data dir, when its process still runs. */
export function readServerFile(dataDir: string, isAlive = alive): ServerFile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8'));
  } catch {
    return undefined; // absent or half-written: fall back to the configured address
  }
  const file = parsed as Partial<ServerFile>;
  if (typeof file.url !== 'string' || typeof file.pid !== 'number' || !isAlive(file.pid)) return undefined;
  return file as ServerFile;
}
