import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { keyFingerprint, readEncryptionKeyFile } from './key-file.js';
import { RecordCipher } from './record-cipher.js';

/** The at-rest master key, read once from PULSE_ENCRYPTION_KEY_FILE. Never logged: log `fingerprint`. */
export interface AtRestKey {
  bytes: Buffer;
  file: string;
  fingerprint: string;
  /** The key file is readable by group or others (it should be 0600 or 0400). */
  looseMode: boolean;
}

export type AtRestConfig = Pick<
  Config,
  'encryptionKeyFile' | 'duckdbExtensionDir' | 'encryptionAllowUnsafeMbedtls'
>;

/** Reads the configured key file; null when encryption at rest is off. Throws EncryptionKeyError. */
export function loadAtRestKey(config: Pick<Config, 'encryptionKeyFile'>): AtRestKey | null {
  if (!config.encryptionKeyFile) return null;
  const file = resolve(config.encryptionKeyFile);
  const { bytes, groupOrWorldReadable } = readEncryptionKeyFile(file);
  return { bytes, file, fingerprint: keyFingerprint(bytes), looseMode: groupOrWorldReadable };
}

/**
 * The cipher for business data Pulse keeps outside the DuckDB file (e.g. the ingest log), under its own
 * subkey of the master key; null when encryption is off. One `purpose` per kind of file.
 */
export function recordCipherFor(key: AtRestKey | null, purpose = 'records'): RecordCipher | null {
  return key ? RecordCipher.fromMasterKey(key.bytes, purpose) : null;
}

interface StartLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** What the store's encryption looks like, once per start; the key itself is never part of it. */
export function logAtRestStatus(
  logger: StartLogger,
  key: AtRestKey | null,
  store: { cipher: string; crypto: 'openssl' | 'mbedtls-unsafe'; cryptoNote: string | null } | null,
  path: string,
): void {
  if (!key || !store) {
    logger.warn(
      { store: path },
      'data at rest is NOT encrypted: set PULSE_ENCRYPTION_KEY_FILE to encrypt the store (see docs/encryption.md)',
    );
    return;
  }
  if (key.looseMode)
    logger.warn(
      { keyFile: key.file },
      'the encryption key file is readable by group or others: chmod 600 it',
    );
  if (store.crypto === 'mbedtls-unsafe')
    logger.warn(
      { store: path, cipher: store.cipher, keyFingerprint: key.fingerprint, reason: store.cryptoNote },
      'UNSAFE ENCRYPTION: PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS=true and httpfs (OpenSSL) is not loaded, so DuckDB writes with its built-in mbedtls crypto, which DuckDB labels NOT securely encrypted. Provision httpfs (PULSE_DUCKDB_EXTENSION_DIR) and unset the opt-in for production',
    );
  else
    logger.info(
      { store: path, cipher: store.cipher, crypto: 'openssl', keyFingerprint: key.fingerprint },
      'data at rest is encrypted (AES-256)',
    );
}
