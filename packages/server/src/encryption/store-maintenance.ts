/**
 * Offline maintenance of the store, engine-neutral: encryption (`pulse encryption status|rotate|encrypt`)
 * and compaction (`pulse store compact`). The DuckDB adapter implements both with one verified rewrite
 * (storage/duckdb/rewrite-database.ts) and main.ts hands them to the CLI.
 */
export interface StoreEncryptionStatus {
  file: string;
  exists: boolean;
  /** null when the file does not exist or is not recognised. */
  encrypted: boolean | null;
  /** e.g. 'GCM'; null when unknown (no key given, or the file is in use). */
  cipher: string | null;
  /** Whether the given key opens the store; null when not checked. */
  keyOpens: boolean | null;
  /** Another process (a running server) holds the file. */
  inUse: boolean;
}

export interface KeyRef {
  bytes: Buffer;
  /** For messages: where the key came from (a file path). */
  source: string;
}

export interface RewriteRequest {
  /** The current key; null: the store is plaintext (`encrypt`). */
  from: KeyRef | null;
  to: KeyRef;
  /** What the old file is kept as until the new one is verified: '.pre-rotate' or '.pre-encrypt'. */
  keepSuffix: string;
  /** One line per step, as it starts. */
  say: (line: string) => void;
  progress: (total: number, label: string) => { update: (done: number) => void; stop: () => void };
}

export interface RewriteResult {
  tables: { name: string; rows: number }[];
  rows: number;
  /** null: the new file is plaintext (compaction of a plaintext store), so no crypto module was loaded. */
  crypto: 'openssl' | 'mbedtls-unsafe' | null;
  seconds: number;
}

export interface StoreEncryptionMaintenance {
  readonly file: string;
  status(key: KeyRef | null): Promise<StoreEncryptionStatus>;
  rewrite(request: RewriteRequest): Promise<RewriteResult>;
}

export interface CompactRequest {
  /** The store's key (PULSE_ENCRYPTION_KEY_FILE); null: a plaintext store. The new file keeps it as it is. */
  key: KeyRef | null;
  say: RewriteRequest['say'];
  progress: RewriteRequest['progress'];
}

export interface CompactResult extends RewriteResult {
  file: string;
  encrypted: boolean;
  /** The store file plus its write-ahead log, before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

/** Rewrites the store into a fresh file holding only live data (deleted rows and free blocks gone). */
export interface StoreCompaction {
  readonly file: string;
  compact(request: CompactRequest): Promise<CompactResult>;
}
