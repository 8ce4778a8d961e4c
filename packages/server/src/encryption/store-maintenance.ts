/**
 * Offline encryption maintenance of the store (`pulse encryption status|rotate|encrypt`), engine-neutral:
 * the DuckDB adapter implements it (storage/duckdb/rewrite-database.ts) and main.ts hands it to the CLI.
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
  crypto: 'openssl' | 'mbedtls-unsafe';
  seconds: number;
}

export interface StoreEncryptionMaintenance {
  readonly file: string;
  status(key: KeyRef | null): Promise<StoreEncryptionStatus>;
  rewrite(request: RewriteRequest): Promise<RewriteResult>;
}
