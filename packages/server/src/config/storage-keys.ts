import { BadValue, bool, byteSize, int, key, optStr, str, url } from './keys.js';
import { checkPolicies, describeProblems } from '../retention/policy.js';
import { DEFAULT_RETENTION_CRON } from '../retention/schedule.js';
import type { RetentionPolicy } from '../storage/retention-store.js';

/** PULSE_RETENTION: a JSON array in env, an array in the file; every bad entry listed. */
const retentionPolicies = (raw: unknown): RetentionPolicy[] | undefined => {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new BadValue('must be a JSON array of {event, tenant?, days}');
    }
  }
  const { policies, problems } = checkPolicies(value);
  if (problems.length) throw new BadValue(describeProblems(problems));
  return policies;
};

/** PULSE_STATE_URL: a PostgreSQL connection URL; its password is never echoed back in a refusal. */
const postgresUrl = (raw: unknown): string | undefined => {
  try {
    return url(['postgres:', 'postgresql:'])(raw);
  } catch (error) {
    if (!(error instanceof BadValue)) throw error;
    throw new BadValue('must be a PostgreSQL URL, postgres://user:password@host:5432/database');
  }
};

/** The store: its engine, encryption at rest, memory, ad-hoc query limits and retention. */
export const storageKeys = {
  storeUrl: key({
    env: 'PULSE_STORE_URL',
    file: 'storeUrl',
    default: undefined,
    parse: optStr,
    secret: true,
    description:
      'Event store: duckdb:<file>, or clickhouse://user:password@host:8123/database (ClickHouse 18.16 or newer, its HTTP port) for the events in ClickHouse with the state in PULSE_STATE_URL, else in pulse-state.duckdb in the data dir. Default: the embedded DuckDB file pulse.duckdb in the data dir',
  }),
  stateUrl: key({
    env: 'PULSE_STATE_URL',
    file: 'stateUrl',
    default: undefined,
    parse: postgresUrl,
    secret: true,
    description:
      'PostgreSQL database (postgres://… or postgresql://…) holding the shared state: users and sessions, API keys, the audit trail, retention policies, subscriptions, alerts and the rest, so several Pulse processes can share it. Unset: kept in the embedded store',
  }),
  encryptionKeyFile: key({
    env: 'PULSE_ENCRYPTION_KEY_FILE',
    file: 'encryptionKeyFile',
    default: undefined,
    parse: optStr,
    description:
      'File holding the 256-bit at-rest encryption key (64 hex characters; `pulse encryption keygen` writes one). Set: the DuckDB store is encrypted with AES-256-GCM. Unset: data at rest is not encrypted',
  }),
  duckdbExtensionDir: key({
    env: 'PULSE_DUCKDB_EXTENSION_DIR',
    file: 'duckdbExtensionDir',
    default: undefined,
    parse: optStr,
    description:
      "DuckDB extension directory (DuckDB's extension_directory) holding httpfs, for hosts that cannot download it; when set, Pulse only loads httpfs from there and never downloads",
  }),
  encryptionAllowUnsafeMbedtls: key({
    env: 'PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS',
    file: 'encryptionAllowUnsafeMbedtls',
    default: false,
    parse: bool,
    description:
      "When httpfs (OpenSSL) cannot be loaded, encrypt with DuckDB's built-in mbedtls crypto instead of refusing to start. DuckDB labels such files NOT securely encrypted (weaker random numbers); for tests and evaluation only",
  }),
  duckdbMemoryLimit: key<string | undefined>({
    env: 'PULSE_DUCKDB_MEMORY_LIMIT',
    file: 'duckdbMemoryLimit',
    default: undefined,
    parse: byteSize,
    description:
      "DuckDB's memory_limit (e.g. 4GB, 512MiB): joins, sorts and aggregates beyond it spill to <store>.tmp or fail that one query; blocks read stay cached up to it. Default: 40 % of the machine's memory, at most 1 GiB, so the server does not grow with the store",
  }),
  duckdbCheckpointThreshold: key<string | undefined>({
    env: 'PULSE_DUCKDB_CHECKPOINT_THRESHOLD',
    file: 'duckdbCheckpointThreshold',
    // 256 MiB measured 12-19 % less server CPU per ingested event than DuckDB's 16 MiB (each checkpoint
    // recompresses the trailing row groups) and fewer free blocks in the file; its cost, a longer WAL replay
    // after a kill -9, is recorded in docs/adr/0002-ingest-throughput.md.
    default: '256MiB',
    parse: byteSize,
    description:
      "DuckDB's checkpoint_threshold (e.g. 64MiB): write-ahead log size after which DuckDB folds it into the store file. Larger: fewer, bigger checkpoints on ingest (cheaper), a longer WAL replay at a start after a crash (about 2 s per 100 MiB). A graceful stop always checkpoints. DuckDB's own default is 16 MiB",
  }),
  duckdbThreads: key({
    env: 'PULSE_DUCKDB_THREADS',
    file: 'duckdbThreads',
    default: 1,
    parse: int(1, 256),
    description:
      "DuckDB's worker threads. 1 (the default) measured cheapest for ingest and no slower for summaries on small machines; more threads speed up large scans and reports. A server's start runs its own scans (alert rules' state, summary rollups) on every core, then serves with this count",
  }),
  queryTimeoutMs: key({
    env: 'PULSE_QUERY_TIMEOUT_MS',
    file: 'queryTimeoutMs',
    default: 10_000,
    parse: int(100, 600_000),
    description: 'Wall time of one ad-hoc query (POST /api/query), from arrival to its last row converted',
  }),
  queryMaxRows: key({
    env: 'PULSE_QUERY_MAX_ROWS',
    file: 'queryMaxRows',
    default: 50_000,
    parse: int(1, 1_000_000),
    description: 'Rows one ad-hoc query returns at most; beyond it the answer is cut and says truncated',
  }),
  queryMaxBytes: key({
    env: 'PULSE_QUERY_MAX_BYTES',
    file: 'queryMaxBytes',
    default: 16 * 1024 * 1024,
    parse: int(1024, 1024 * 1024 * 1024),
    description: 'Size of one ad-hoc result as JSON; a larger one is refused (result_too_large), not cut',
  }),
  queryConcurrency: key({
    env: 'PULSE_QUERY_CONCURRENCY',
    file: 'queryConcurrency',
    default: 2,
    parse: int(1, 64),
    description: 'Ad-hoc queries and reports that run at once; up to 32 more wait, the rest get 503',
  }),
  retention: key<RetentionPolicy[] | undefined>({
    env: 'PULSE_RETENTION',
    file: 'retention',
    default: undefined,
    parse: retentionPolicies,
    description: 'Retention policies stored at start when none are: [{event, tenant?, days}] (JSON)',
  }),
  retentionCron: key({
    env: 'PULSE_RETENTION_CRON',
    file: 'retentionCron',
    default: DEFAULT_RETENTION_CRON,
    parse: str,
    description: 'Schedule of the retention job (cron, UTC; off disables)',
  }),
};
