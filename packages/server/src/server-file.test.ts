import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../test/helpers/temp-dir.js';
import { SERVER_FILE, readServerFile, removeServerFile, writeServerFile } from './server-file.js';

describe('server.json', () => {
  it('tells where this process listens, with a wildcard bind reached on loopback', () => {
    const dir = temporaryDirectory('pulse-server-file-');
    writeServerFile(dir, 'http://0.0.0.0:8123');
    expect(readServerFile(dir)).toMatchObject({ url: 'http://127.0.0.1:8123', pid: process.pid });
    removeServerFile(dir);
    expect(existsSync(join(dir, SERVER_FILE))).toBe(false);
  });

  it('is ignored when its process is gone or the file is unreadable, and left alone if another wrote it', () => {
    const dir = temporaryDirectory('pulse-server-file-');
    const file = join(dir, SERVER_FILE);
    writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:9', pid: 2 ** 22 + 1, startedAt: '' }));
    expect(readServerFile(dir)).toBeUndefined();
    removeServerFile(dir);
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, '{"url": "http://127.0.0.1:9", ');
    expect(readServerFile(dir)).toBeUndefined();
  });
});
