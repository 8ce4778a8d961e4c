import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { keyFingerprint } from './key-file.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class RecordCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordCipherError';
  }
}

/**
 * AES-256-GCM for what Pulse keeps outside the encrypted store: each record sealed on its own
 * with a fresh random nonce, laid out as nonce ‖ ciphertext ‖ tag. A wrong key or an edited byte fails
 * `open` instead of returning garbage. `associated` (e.g. a record's file and position) is authenticated
 * but not stored: a record moved elsewhere fails to open too.
 */
export class RecordCipher {
  /** Names the key (safe to store next to records, to tell which key sealed them); never the key. */
  readonly fingerprint: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RecordCipherError(`an AES-256 key is 32 bytes, got ${key.length}`);
    this.fingerprint = keyFingerprint(key);
  }

  /**
   * A cipher under a subkey of the at-rest master key (HKDF-SHA256, `purpose` as info): the same master
   * key also encrypts the DuckDB file, and a key should serve one purpose only.
   */
  static fromMasterKey(master: Buffer, purpose: string): RecordCipher {
    if (master.length !== 32) throw new RecordCipherError(`an AES-256 key is 32 bytes, got ${master.length}`);
    const subkey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `pulse/${purpose}/v1`, 32));
    return new RecordCipher(subkey);
  }

  seal(plain: Buffer, associated?: Buffer): Buffer {
    // 96-bit random nonces: the collision bound (2^32 records per key) is far above what a key seals.
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    if (associated) cipher.setAAD(associated);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, associated?: Buffer): Buffer {
    if (sealed.length < NONCE_BYTES + TAG_BYTES)
      throw new RecordCipherError('sealed record is shorter than nonce and tag');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    if (associated) decipher.setAAD(associated);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new RecordCipherError(
        'sealed record failed authentication: wrong key, or the record was altered or moved',
      );
    }
  }
}
