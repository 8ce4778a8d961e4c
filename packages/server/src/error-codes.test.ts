import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCodes, type ErrorCode } from './error-codes.js';

const serverPackage = fileURLToPath(new URL('..', import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

/** Codes no test can provoke yet, each with the reason; an exemption that becomes testable fails below. */
const untestable: Partial<Record<ErrorCode, string>> = {};

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') && path !== thisFile ? [path] : [];
  });
}

describe('the registry of error codes', () => {
  const sources = testFiles(serverPackage).map((file) => readFileSync(file, 'utf8'));
  const asserted = (code: string) => sources.some((text) => text.includes(`'${code}'`));

  it.each(Object.keys(errorCodes))('%s is asserted by a test, or exempt with a reason', (code) => {
    const reason = untestable[code as ErrorCode];
    if (reason) expect(asserted(code), `${code} is tested now: remove its exemption`).toBe(false);
    else expect(asserted(code), `no test asserts the code '${code}'`).toBe(true);
  });

  it('has snake_case codes, error statuses and one-sentence descriptions', () => {
    for (const [code, { status, description }] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(description).toMatch(/^[A-Z`].*\.$/);
    }
  });
});
