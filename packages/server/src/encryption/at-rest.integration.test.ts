import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAtRestKey, logAtRestStatus, recordCipherFor } from './at-rest.js';
import { writeNewKeyFile } from './key-file.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

function recorder() {
  const lines: { level: string; fields: object; message: string }[] = [];
  return {
    lines,
    logger: {
      info: (fields: object, message: string) => lines.push({ level: 'info', fields, message }),
      warn: (fields: object, message: string) => lines.push({ level: 'warn', fields, message }),
    },
  };
}

describe('at-rest key and start-up log', () => {
  const dir = temporaryDirectory('pulse-at-rest-');
  const file = join(dir, 'k.key');
  const { fingerprint } = writeNewKeyFile(file);
  const key = loadAtRestKey({ encryptionKeyFile: file });
  const secret = key?.bytes.toString('hex') ?? '';

  it('is null without a key file, and reads one with its fingerprint', () => {
    expect(loadAtRestKey({ encryptionKeyFile: undefined })).toBeNull();
    expect(key).toMatchObject({ file, fingerprint, looseMode: false });
    expect(recordCipherFor(null)).toBeNull();
    expect(recordCipherFor(key, 'ingest-log')?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('says once that data at rest is not encrypted when there is no key', () => {
    const { lines, logger } = recorder();
    logAtRestStatus(logger, null, null, '/d/pulse.duckdb');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/NOT encrypted/) });
  });

  it('warns loudly on the mbedtls opt-in, and never logs the key', () => {
    const { lines, logger } = recorder();
    logAtRestStatus(
      logger,
      key,
      { cipher: 'GCM', crypto: 'mbedtls-unsafe', cryptoNote: 'no httpfs' },
      '/d/p',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('warn');
    expect(lines[0]?.message).toMatch(/^UNSAFE ENCRYPTION: .*NOT securely encrypted/);
    expect(lines[0]?.fields).toMatchObject({ keyFingerprint: fingerprint });
    const { lines: ok, logger: okLogger } = recorder();
    logAtRestStatus(okLogger, key, { cipher: 'GCM', crypto: 'openssl', cryptoNote: null }, '/d/p');
    expect(ok).toEqual([
      expect.objectContaining({ level: 'info', message: 'data at rest is encrypted (AES-256)' }),
    ]);
    expect(JSON.stringify([...lines, ...ok])).not.toContain(secret);
  });

  it('flags a key file others can read', () => {
    const loose = join(dir, 'loose.key');
    writeFileSync(loose, 'ab'.repeat(32), { mode: 0o644 });
    const { lines, logger } = recorder();
    logAtRestStatus(
      logger,
      loadAtRestKey({ encryptionKeyFile: loose }),
      { cipher: 'GCM', crypto: 'openssl', cryptoNote: null },
      '/d/p',
    );
    expect(lines.map((l) => l.message)).toContain(
      'the encryption key file is readable by group or others: chmod 600 it',
    );
  });
});
