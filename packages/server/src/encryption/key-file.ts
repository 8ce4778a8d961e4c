import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, statSync, writeSync } from 'node:fs';

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/** Parses a key file's text; the error says what the file must hold, never what it held. */
export function parseEncryptionKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new EncryptionKeyError(
    `${source}: must hold a 256-bit key as 64 hex characters or 32 bytes in base64 (create one with \`pulse encryption keygen\`)`,
  );
}

/** Reads a key file; `groupOrWorldReadable` lets the caller warn about loose permissions. */
export function readEncryptionKeyFile(
  path: string,
  label = 'PULSE_ENCRYPTION_KEY_FILE',
): { bytes: Buffer; groupOrWorldReadable: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EncryptionKeyError(`${label} ${path}: cannot be read (${(error as Error).message})`);
  }
  return {
    bytes: parseEncryptionKey(text, `${label} ${path}`),
    groupOrWorldReadable: (statSync(path).mode & 0o077) !== 0,
  };
}

/**
 * A short public name for a key, safe to print and log: 16 hex characters of a domain-separated SHA-256,
 * so it says which key without helping anyone guess it.
 */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update('pulse key fingerprint v1\0').update(key).digest('hex').slice(0, 16);
}

/**
 * Writes a fresh random 256-bit key as hex, mode 0600. Refuses to overwrite (O_EXCL): replacing a key file
 * would make everything encrypted under the old key unreadable.
 */
export function writeNewKeyFile(path: string): { fingerprint: string } {
  const key = randomBytes(32);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new EncryptionKeyError(
        `${path} already exists; refusing to overwrite a key file (data encrypted under it would be lost). Choose another --out`,
      );
    throw new EncryptionKeyError(`${path}: cannot be created (${(error as Error).message})`);
  }
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
  } finally {
    closeSync(fd);
  }
  return { fingerprint: keyFingerprint(key) };
}
