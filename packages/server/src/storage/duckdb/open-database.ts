import { totalmem } from 'node:os';
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../sql-string.js';
import { ident, readRows, run, sql } from './sql.js';
import { StatementGate } from './statement-gate.js';

/** The catalog name an encrypted store is attached under; every connection `USE`s it. */
export const encryptedCatalog = 'pulse';

export interface DuckDbEncryptionOptions {
  /** The 32 key bytes; DuckDB receives them as hex and derives its AES-256-GCM key from them. */
  key: Buffer;
  /** Where the key came from, for messages (a file path; never the key). */
  keySource: string;
  /** DuckDB's extension_directory holding httpfs; when set, httpfs is only loaded from there, never downloaded. */
  extensionDir?: string | undefined;
  /** Use DuckDB's built-in mbedtls crypto ("NOT securely encrypted") when OpenSSL (httpfs) cannot be loaded. */
  allowUnsafeMbedtls: boolean;
}

/** Which crypto library DuckDB writes with: OpenSSL from httpfs, or its weaker built-in mbedtls path. */
export type CryptoProvider = 'openssl' | 'mbedtls-unsafe';

export interface OpenedDuckDb {
  instance: DuckDBInstance;
  /** A connection whose default catalog is the store (a fresh one per call). */
  connect(): Promise<DuckDBConnection>;
  /** null: a plaintext store. */
  encryption: { cipher: string; crypto: CryptoProvider; cryptoNote: string | null } | null;
  /** DuckDB's memory_limit as the instance was opened with it. */
  memoryLimit: string;
  /** `work` on a connection of its own while no statement runs on any connection from connect(). */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
}

/** The instance's connections, each through one gate, and its exclusive work. */
function gatedDatabase(
  instance: DuckDBInstance,
  connect: () => Promise<DuckDBConnection>,
  memoryLimit: string,
  encryption: OpenedDuckDb['encryption'],
): OpenedDuckDb {
  const gate = new StatementGate();
  return {
    instance,
    connect: async () => gate.connection(await connect()),
    encryption,
    memoryLimit,
    exclusive: (work) =>
      gate.exclusive(async () => {
        const connection = await connect();
        try {
          return await work(connection);
        } finally {
          connection.closeSync();
        }
      }),
  };
}

export type StoreOpenErrorCode =
  | 'store_encrypted_no_key'
  | 'store_not_encrypted'
  | 'store_wrong_key'
  | 'store_locked'
  | 'store_unreadable'
  | 'crypto_unavailable'
  | 'staging_not_in_memory';

/** Why a store cannot be opened, with what to do; thrown before anything on disk was changed. */
export class StoreOpenError extends Error {
  constructor(
    readonly code: StoreOpenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export type DuckDbFileKind = 'missing' | 'plaintext' | 'encrypted' | 'unknown';

/**
 * Reads a DuckDB file's main header without DuckDB: "DUCK" at byte 8, then the storage version (8 bytes)
 * and the flags word whose bit 0 DuckDB sets on encrypted databases (the main header stays plaintext so
 * a file can be recognised). Used to refuse a mismatch before DuckDB opens, and so touches, the file.
 */
export function inspectDuckDbFile(path: string): DuckDbFileKind {
  if (!existsSync(path)) return 'missing';
  const header = Buffer.alloc(28);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read === 0) return 'missing';
  if (read < header.length || header.toString('latin1', 8, 12) !== 'DUCK') return 'unknown';
  return (header.readUInt32LE(20) & 1) === 1 ? 'encrypted' : 'plaintext';
}

const notTouched = 'Nothing was changed.';

/** Turns DuckDB's open errors into what happened, to which file, and what to do. */
export function explainOpenError(
  error: unknown,
  path: string,
  encryption: DuckDbEncryptionOptions | null,
): Error {
  const message = (error as Error).message;
  if (/Conflicting lock is held/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new StoreOpenError(
      'store_locked',
      `${path} is in use by another process${pid ? ` (PID ${pid})` : ''}, probably a running Pulse server: DuckDB allows one process per file. Stop it, or talk to it over HTTP. ${notTouched}`,
    );
  }
  if (/without a key/i.test(message)) return encryptedWithoutKey(path);
  if (/Wrong encryption key/i.test(message) && encryption) return wrongKey(path, encryption);
  if (/is not encrypted/i.test(message)) return plaintextWithKey(path);
  return error as Error;
}

/** An encrypted store and no key configured (also refused by `pulse store compact`). */
export const encryptedWithoutKey = (path: string) =>
  new StoreOpenError(
    'store_encrypted_no_key',
    `${path} is an encrypted Pulse store, but PULSE_ENCRYPTION_KEY_FILE is not set. Set it to the key file the store was encrypted with. ${notTouched}`,
  );

const wrongKey = (path: string, encryption: DuckDbEncryptionOptions) =>
  new StoreOpenError(
    'store_wrong_key',
    `${path} is encrypted under a different key than the one in ${encryption.keySource}. Point PULSE_ENCRYPTION_KEY_FILE at the key file this store was encrypted with (after \`pulse encryption rotate\`, that is the new key file). ${notTouched}`,
  );

/** A plaintext store with a key configured (also refused by `pulse store compact`). */
export const plaintextWithKey = (path: string) =>
  new StoreOpenError(
    'store_not_encrypted',
    `${path} is a plaintext (unencrypted) Pulse store, but PULSE_ENCRYPTION_KEY_FILE is set. To encrypt it, stop Pulse and run \`pulse encryption encrypt --key-file <file>\`; to keep it unencrypted, unset PULSE_ENCRYPTION_KEY_FILE. ${notTouched}`,
  );

/**
 * The ATTACH statement of a store (encrypted when a key is given). DuckDB's ATTACH takes no bound parameters
 * (its parser rejects `ATTACH $1`), so the path is spliced through the one escaping helper, sqlString; the
 * alias is ours and the key is hex (0-9a-f).
 */
export function attachSql(
  path: string,
  alias: string,
  options: { key?: Buffer | null; readOnly?: boolean } = {},
): string {
  const settings = [
    ...(options.key ? [`ENCRYPTION_KEY '${options.key.toString('hex')}'`, `ENCRYPTION_CIPHER 'GCM'`] : []),
    ...(options.readOnly ? ['READ_ONLY'] : []),
  ];
  return `ATTACH ${sqlString(path)} AS ${alias}${settings.length ? ` (${settings.join(', ')})` : ''}`;
}

/**
 * Gives DuckDB a crypto module that may write: OpenSSL from httpfs (loaded, else installed first unless
 * an extension directory is configured, as on air-gapped hosts), else, only with the explicit opt-in,
 * DuckDB's built-in mbedtls. Without either it refuses, naming both remedies.
 */
export async function enableWritableCrypto(
  connection: DuckDBConnection,
  options: Pick<DuckDbEncryptionOptions, 'extensionDir' | 'allowUnsafeMbedtls'>,
): Promise<{ crypto: CryptoProvider; note: string | null }> {
  let failure: string;
  try {
    await connection.run('LOAD httpfs');
    return { crypto: 'openssl', note: null };
  } catch (error) {
    failure = (error as Error).message.split('\n')[0] ?? '';
  }
  if (!options.extensionDir) {
    try {
      await connection.run('INSTALL httpfs');
      await connection.run('LOAD httpfs');
      return { crypto: 'openssl', note: 'installed httpfs from the DuckDB extension repository' };
    } catch (error) {
      failure = (error as Error).message.split('\n')[0] ?? '';
    }
  }
  if (options.allowUnsafeMbedtls) {
    await connection.run('SET force_mbedtls_unsafe = true');
    return { crypto: 'mbedtls-unsafe', note: failure };
  }
  throw new StoreOpenError(
    'crypto_unavailable',
    `cannot write an encrypted store securely: DuckDB needs OpenSSL from its httpfs extension, and httpfs could not be loaded (${failure}). Either provision httpfs for this DuckDB version into a directory and set PULSE_DUCKDB_EXTENSION_DIR to it (layout <dir>/v<duckdb version>/<platform>/httpfs.duckdb_extension), or set PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS=true to encrypt with DuckDB's built-in mbedtls crypto, which DuckDB labels NOT securely encrypted. ${notTouched}`,
  );
}

/** Instance limits the store is opened with; absent ones keep DuckDB's default. */
interface InstanceLimits {
  threads?: number | undefined;
  memoryLimit?: string | undefined;
  /** DuckDB's checkpoint_threshold: WAL bytes before an automatic checkpoint. */
  checkpointThreshold?: string | undefined;
}

/** Threads, memory_limit, checkpoint_threshold and the spill directory, next to the store, never in the cwd. */
function instanceLimits(
  path: string,
  options: InstanceLimits,
): Record<string, string> & { memory_limit: string } {
  return {
    ...(path === ':memory:' ? {} : { temp_directory: `${path}.tmp` }),
    ...(options.threads ? { threads: String(options.threads) } : {}),
    ...(options.checkpointThreshold ? { checkpoint_threshold: options.checkpointThreshold } : {}),
    memory_limit: options.memoryLimit ?? defaultMemoryLimit(),
  };
}

/**
 * DuckDB's own default is 80 % of RAM, which leaves Node's heap too little room beside it; and blocks read
 * stay cached up to the limit, so a limit that scales with the machine lets the server grow with the store.
 */
function defaultMemoryLimit(): string {
  return `${Math.min(Math.floor((totalmem() * 0.4) / 2 ** 20), 1024)}MiB`;
}

/** Instance settings of an encrypted store: spills encrypted, next to the store, never in the cwd. */
export function encryptedInstanceConfig(
  path: string,
  options: InstanceLimits & { extensionDir?: string | undefined },
): Record<string, string> & { memory_limit: string } {
  const config: Record<string, string> & { memory_limit: string } = {
    ...instanceLimits(path, options),
    // DuckDB encrypts spill files of an encrypted database; set explicitly so it cannot be forgotten.
    temp_file_encryption: 'true',
  };
  if (options.extensionDir) config.extension_directory = options.extensionDir;
  return config;
}

/**
 * Opens the store's DuckDB database. Plaintext: the file is the instance's own database, as always.
 * Encrypted: an in-memory instance ATTACHes the file with its key and each connection `USE`s it. A
 * mismatch (plaintext file with a key, encrypted file without one, wrong key) or a missing crypto module
 * is refused before the file is written to.
 */
export async function openDuckDb(
  options: InstanceLimits & {
    path: string;
    encryption?: DuckDbEncryptionOptions | null | undefined;
  },
): Promise<OpenedDuckDb> {
  const { path } = options;
  const encryption = path === ':memory:' ? null : (options.encryption ?? null);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const kind = path === ':memory:' ? 'missing' : inspectDuckDbFile(path);

  if (!encryption) {
    if (kind === 'encrypted') throw encryptedWithoutKey(path);
    const config = instanceLimits(path, options);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (error) {
      throw explainOpenError(error, path, null);
    }
    return gatedDatabase(instance, () => instance.connect(), config.memory_limit, null);
  }

  if (encryption.key.length !== 32)
    throw new StoreOpenError('store_unreadable', `${encryption.keySource}: the key must be 32 bytes`);
  if (kind === 'plaintext') throw plaintextWithKey(path);
  if (kind === 'unknown')
    throw new StoreOpenError(
      'store_unreadable',
      `${path} is not a DuckDB database file (or is truncated). ${notTouched}`,
    );

  const config = encryptedInstanceConfig(path, options);
  const instance = await DuckDBInstance.create(':memory:', config);
  const setup = await instance.connect();
  try {
    const state = await attachEncrypted(setup, path, kind, encryption);
    // The attach and the crypto module belong to the instance, not to this connection.
    setup.closeSync();
    const connect = async () => {
      const connection = await instance.connect();
      await run(connection, sql`USE ${ident(encryptedCatalog)}`);
      return connection;
    };
    return gatedDatabase(instance, connect, config.memory_limit, state);
  } catch (error) {
    setup.closeSync();
    instance.closeSync();
    throw error;
  }
}

async function attachEncrypted(
  setup: DuckDBConnection,
  path: string,
  kind: DuckDbFileKind,
  encryption: DuckDbEncryptionOptions,
): Promise<NonNullable<OpenedDuckDb['encryption']>> {
  if (kind === 'encrypted') {
    // A read-only attach checks the key without writing; it needs no writable crypto module.
    try {
      await setup.run(attachSql(path, 'pulse_key_check', { key: encryption.key, readOnly: true }));
    } catch (error) {
      throw explainOpenError(error, path, encryption);
    }
    await setup.run('DETACH pulse_key_check');
  }
  const { crypto, note } = await enableWritableCrypto(setup, encryption);
  try {
    await setup.run(attachSql(path, encryptedCatalog, { key: encryption.key }));
  } catch (error) {
    throw explainOpenError(error, path, encryption);
  }
  const [row] = await readRows(
    setup,
    sql`SELECT encrypted, cipher FROM duckdb_databases() WHERE database_name = ${encryptedCatalog}`,
  );
  if (row?.encrypted !== true)
    throw new Error(`${path} was attached but DuckDB does not report it encrypted; refusing to use it`);
  return { cipher: typeof row.cipher === 'string' ? row.cipher : 'unknown', crypto, cryptoNote: note };
}
