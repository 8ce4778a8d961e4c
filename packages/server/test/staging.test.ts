import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRamBacked, StagingArea } from '../src/storage/duckdb/staging.js';

describe('staging files for DuckDB’s JSON reader', () => {
  it('prefers RAM, names its dir after the process, and sweeps the dirs of dead processes', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    const first = StagingArea.open({ ramOnly: false });
    const base = join(first.directory, '..');
    const orphan = join(base, `pulse-staging-${dead}-crashed`);
    mkdirSync(orphan);
    const mine = join(base, `pulse-staging-${process.pid}-other-store`);
    mkdirSync(mine, { recursive: true });
    const second = StagingArea.open({ ramOnly: false });
    try {
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(mine)).toBe(true); // this process's other stores keep theirs
      expect(existsSync(first.directory)).toBe(true);
      expect(second.directory).toMatch(new RegExp(`pulse-staging-${process.pid}-`));
      expect(statSync(second.directory).mode & 0o777).toBe(0o700);
      if (existsSync('/dev/shm')) expect(isRamBacked(base)).toBe(true);
    } finally {
      first.close();
      second.close();
      rmSync(mine, { recursive: true, force: true });
    }
  });
});
