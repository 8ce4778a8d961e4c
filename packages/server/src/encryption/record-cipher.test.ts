import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RecordCipher, RecordCipherError } from './record-cipher.js';

const key = randomBytes(32);
const plain = Buffer.from('{"tenant_id":"tenant-quokka","impact_amount":2500}');

describe('RecordCipher', () => {
  it('round-trips, and the sealed form holds no plaintext', () => {
    const cipher = new RecordCipher(key);
    const sealed = cipher.seal(plain);
    expect(sealed.length).toBe(plain.length + 12 + 16);
    expect(sealed.includes(Buffer.from('tenant-quokka'))).toBe(false);
    expect(cipher.open(sealed)).toEqual(plain);
  });

  it('uses a fresh nonce per record: the same plaintext seals differently', () => {
    const cipher = new RecordCipher(key);
    const nonces = new Set(
      Array.from({ length: 200 }, () => cipher.seal(plain).subarray(0, 12).toString('hex')),
    );
    expect(nonces.size).toBe(200);
    expect(cipher.seal(plain)).not.toEqual(cipher.seal(plain));
  });

  it('throws on any edited byte (nonce, body, tag)', () => {
    const cipher = new RecordCipher(key);
    const sealed = cipher.seal(plain);
    for (const at of [0, 11, 12, 20, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at] = (tampered[at] ?? 0) ^ 1;
      expect(() => cipher.open(tampered)).toThrow(RecordCipherError);
    }
    expect(() => cipher.open(sealed.subarray(0, sealed.length - 1))).toThrow(RecordCipherError);
    expect(() => cipher.open(Buffer.alloc(10))).toThrow(/shorter than nonce and tag/);
  });

  it('throws under a wrong key', () => {
    const sealed = new RecordCipher(key).seal(plain);
    expect(() => new RecordCipher(randomBytes(32)).open(sealed)).toThrow(RecordCipherError);
  });

  it('binds associated data: a record opened in another place fails', () => {
    const cipher = new RecordCipher(key);
    const sealed = cipher.seal(plain, Buffer.from('log-1:42'));
    expect(cipher.open(sealed, Buffer.from('log-1:42'))).toEqual(plain);
    expect(() => cipher.open(sealed, Buffer.from('log-1:43'))).toThrow(RecordCipherError);
    expect(() => cipher.open(sealed)).toThrow(RecordCipherError);
  });

  it('derives independent subkeys per purpose from the master key', () => {
    const a = RecordCipher.fromMasterKey(key, 'ingest-log');
    const b = RecordCipher.fromMasterKey(key, 'exports');
    expect(RecordCipher.fromMasterKey(key, 'ingest-log').open(a.seal(plain))).toEqual(plain);
    expect(() => b.open(a.seal(plain))).toThrow(RecordCipherError);
    expect(() => new RecordCipher(key).open(a.seal(plain))).toThrow(RecordCipherError);
    expect(a.fingerprint).not.toBe(new RecordCipher(key).fingerprint);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new RecordCipher(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => RecordCipher.fromMasterKey(randomBytes(31), 'x')).toThrow(/32 bytes/);
  });
});
