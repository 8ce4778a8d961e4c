import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EncryptionKeyError,
  keyFingerprint,
  parseEncryptionKey,
  readEncryptionKeyFile,
  writeNewKeyFile,
} from './key-file.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

const hex = 'ab'.repeat(32);

describe('parseEncryptionKey', () => {
  it('reads 64 hex characters, trimmed, any case', () => {
    expect(parseEncryptionKey(`  ${hex.toUpperCase()}\n`, 'k')).toEqual(Buffer.alloc(32, 0xab));
  });

  it('reads 32 bytes of base64 and base64url', () => {
    const bytes = Buffer.alloc(32, 0xfb);
    expect(parseEncryptionKey(bytes.toString('base64'), 'k')).toEqual(bytes);
    expect(parseEncryptionKey(bytes.toString('base64url'), 'k')).toEqual(bytes);
  });

  it.each([
    ['empty', ''],
    ['short hex', 'ab'.repeat(31)],
    ['long hex', 'ab'.repeat(33)],
    ['not hex', 'zz'.repeat(32)],
    ['a passphrase', 'correct horse battery staple'],
    ['16 bytes of base64', Buffer.alloc(16).toString('base64')],
  ])('refuses %s, naming the source but not the content', (_, text) => {
    const error = (() => {
      try {
        parseEncryptionKey(text, 'KEYFILE /x');
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toContain('KEYFILE /x');
    expect(error.message).toContain('pulse encryption keygen');
    if (text.length > 3) expect(error.message).not.toContain(text);
  });
});

describe('key files', () => {
  const dir = temporaryDirectory('pulse-keyfile-');

  it('keygen writes 64 hex characters, mode 0600, readable back, with a stable fingerprint', () => {
    const path = join(dir, 'a.key');
    const { fingerprint } = writeNewKeyFile(path);
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = readEncryptionKeyFile(path);
    expect(read.groupOrWorldReadable).toBe(false);
    expect(keyFingerprint(read.bytes)).toBe(fingerprint);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(read.bytes.toString('hex')).not.toContain(fingerprint);
  });

  it('keygen refuses to overwrite an existing file', () => {
    const path = join(dir, 'b.key');
    writeFileSync(path, 'precious');
    expect(() => writeNewKeyFile(path)).toThrow(/refusing to overwrite/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('two keygens give different keys', () => {
    writeNewKeyFile(join(dir, 'c.key'));
    writeNewKeyFile(join(dir, 'd.key'));
    expect(readFileSync(join(dir, 'c.key'), 'utf8')).not.toBe(readFileSync(join(dir, 'd.key'), 'utf8'));
  });

  it('flags a key file readable by others, and names an unreadable one', () => {
    const path = join(dir, 'loose.key');
    writeFileSync(path, hex, { mode: 0o644 });
    expect(readEncryptionKeyFile(path).groupOrWorldReadable).toBe(true);
    expect(() => readEncryptionKeyFile(join(dir, 'missing.key'))).toThrow(
      /PULSE_ENCRYPTION_KEY_FILE .*missing\.key: cannot be read/,
    );
  });
});
