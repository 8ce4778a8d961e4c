import { copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type {
  CompactRequest,
  CompactResult,
  KeyRef,
  RewriteRequest,
  RewriteResult,
  StoreCompaction,
  StoreEncryptionMaintenance,
  StoreEncryptionStatus,
} from '../../encryption/store-maintenance.js';
import { logSegments, unloadedLogBytes } from '../../ingestion/log-segments.js';
import {
  attachSql,
  enableWritableCrypto,
  encryptedInstanceConfig,
  encryptedWithoutKey,
  explainOpenError,
  inspectDuckDbFile,
  plaintextWithKey,
  StoreOpenError,
  type CryptoProvider,
  type DuckDbEncryptionOptions,
} from './open-database.js';
import { ident, readRows, run, sql, type Sql } from './sql.js';

type Settings = Pick<DuckDbEncryptionOptions, 'extensionDir' | 'allowUnsafeMbedtls'> & {
  /** The ingest log's directory (ADR 0002): its segments hold business data under the old key, or plaintext. */
  ingestLogDir?: string | undefined;
  /** The alert journal's directory (alerts/journal.ts): the same kind of log, for notified alert changes. */
  alertJournalDir?: string | undefined;
  /** The audit journal's directory (storage/audit-journal.ts): audit records not yet in the audit table. */
  auditJournalDir?: string | undefined;
  /** Files derived from the store (saved summary rollups): after a key change they go (rebuilt at the next start). */
  derivedFiles?: readonly string[] | undefined;
};

/** A log position the store recorded in `table` (`select` gives it as p); 0 when the table does not exist. */
async function recordedPosition(
  c: DuckDBConnection,
  alias: string,
  table: string,
  select: (table: Sql) => Sql,
) {
  const [exists] = await readRows(
    c,
    sql`SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = ${alias} AND table_name = ${table}`,
  );
  if (Number(exists?.n) === 0) return 0;
  const [row] = await readRows(c, select(sql`${ident(alias)}.main.${ident(table)}`));
  return Number(row?.p ?? 0);
}

const loadedLogPosition = (c: DuckDBConnection, alias: string) =>
  recordedPosition(c, alias, 'ingest_log_state', (t) => sql`SELECT max(position) AS p FROM ${t}`);

const journalStoredPosition = (c: DuckDBConnection, alias: string) =>
  recordedPosition(
    c,
    alias,
    'alert_meta',
    // One process per file, so one journal: the key of whichever id it has.
    (t) => sql`SELECT max(value::BIGINT) AS p FROM ${t} WHERE key LIKE 'journal\_stored%' ESCAPE '\'`,
  );

const auditJournalStoredPosition = (c: DuckDBConnection, alias: string) =>
  recordedPosition(
    c,
    alias,
    'audit_meta',
    (t) => sql`SELECT max(value::BIGINT) AS p FROM ${t} WHERE key = 'journal_stored'`,
  );

/** The logs beside the store whose records the store must hold before a rewrite, and how far it does. */
const sideLogs = (settings: Settings) => [
  {
    name: 'ingest log',
    dir: settings.ingestLogDir,
    what: 'acknowledged events not yet loaded into the store',
    position: loadedLogPosition,
  },
  {
    name: 'alert journal',
    dir: settings.alertJournalDir,
    what: 'notified alert changes not yet stored',
    position: journalStoredPosition,
  },
  {
    name: 'audit journal',
    dir: settings.auditJournalDir,
    what: 'audit records not yet stored',
    position: auditJournalStoredPosition,
  },
];

interface TableFacts {
  /** schema.table, as shown in messages. */
  name: string;
  /** The table within its database (the alias is added per use). */
  ref: Sql;
  rows: number;
  /** bit_xor of every row's hash: equal contents give equal digests whatever the row order. */
  digest: string;
}

async function attach(
  connection: DuckDBConnection,
  path: string,
  alias: string,
  key: KeyRef | null,
  readOnly = false,
): Promise<void> {
  try {
    await connection.run(attachSql(path, alias, { key: key?.bytes ?? null, readOnly }));
  } catch (error) {
    throw explainOpenError(
      error,
      path,
      key && { key: key.bytes, keySource: key.source, allowUnsafeMbedtls: false },
    );
  }
}

async function tableFacts(connection: DuckDBConnection, alias: string): Promise<TableFacts[]> {
  const tables = await readRows(
    connection,
    sql`SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ${alias} ORDER BY schema_name, table_name`,
  );
  const facts: TableFacts[] = [];
  for (const t of tables) {
    const [schema, table] = [String(t.schema_name), String(t.table_name)];
    const ref = sql`${ident(schema)}.${ident(table)}`;
    const [row] = await readRows(
      connection,
      sql`SELECT count(*) AS n, coalesce(bit_xor(hash(t)), 0)::VARCHAR AS d FROM ${ident(alias)}.${ref} AS t`,
    );
    facts.push({ name: `${schema}.${table}`, ref, rows: Number(row?.n ?? 0), digest: row?.d as string });
  }
  return facts;
}

function compare(expected: TableFacts[], actual: TableFacts[], what: string): void {
  const got = new Map(actual.map((f) => [f.name, f]));
  for (const e of expected) {
    const a = got.get(e.name);
    if (!a) throw new Error(`${what}: table ${e.name} is missing`);
    if (a.rows !== e.rows) throw new Error(`${what}: table ${e.name} has ${a.rows} rows, expected ${e.rows}`);
    if (a.digest !== e.digest)
      throw new Error(`${what}: table ${e.name} has the right count but different rows`);
  }
  if (actual.length !== expected.length)
    throw new Error(`${what}: ${actual.length} tables, expected ${expected.length}`);
}

/** Runs `fn` on a fresh in-memory instance whose spills go, encrypted, next to the store. */
async function withInstance<T>(
  path: string,
  settings: Settings,
  fn: (c: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', encryptedInstanceConfig(path, settings));
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(`${path}.tmp`, { recursive: true, force: true });
  }
}

/**
 * One rewrite of the store into a fresh file. rotate/encrypt change its protection (`keyChange`: `to` is a
 * new key); compaction keeps it (`to` is `from`: the same key, or null for a plaintext store).
 */
type Plan = Omit<RewriteRequest, 'to'> & { to: KeyRef | null; keyChange: boolean };

/**
 * Copies the store into a new file protected as `plan.to`, verifies every table's row count and contents,
 * swaps it in atomically (rename), keeps the old file as `<file><keepSuffix>` until the swapped-in file
 * opens under `to` with the same contents (and, after a key change, not under the old key), then deletes
 * the old file. On any failure before the swap the store is untouched; after it, the old file is put back.
 */
async function copyVerifySwap(path: string, settings: Settings, plan: Plan): Promise<RewriteResult> {
  const started = Date.now();
  const { say, from, to } = plan;
  const next = `${path}.rewrite-new`;
  const kept = `${path}${plan.keepSuffix}`;
  if (existsSync(kept))
    throw new Error(
      plan.keyChange
        ? `${kept} exists: an earlier run did not finish. Check which file opens with which key (\`pulse encryption status\`), keep the right one as ${path}, and remove the other`
        : `${kept} exists: an earlier compaction did not finish, and it is the store as it was before. If Pulse has not run since, put it back (mv ${kept} ${path}) and compact again; if it has, remove it. Nothing was changed`,
    );
  for (const stale of [next, `${next}.wal`]) rmSync(stale, { force: true });

  let crypto: CryptoProvider | null = null;
  const expected = await withInstance(path, settings, async (c) => {
    // A plaintext target needs no crypto module: only writing an encrypted file does.
    if (to) {
      say(
        `loading a writable crypto module (httpfs/OpenSSL${settings.allowUnsafeMbedtls ? ', else mbedtls as opted in' : ''})`,
      );
      crypto = (await enableWritableCrypto(c, settings)).crypto;
      if (crypto === 'mbedtls-unsafe')
        say(
          "WARNING: writing with DuckDB's built-in mbedtls crypto (NOT securely encrypted), as PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS allows",
        );
    }
    say(
      `opening ${path} ${from ? `with the current key (${from.source})` : '(plaintext)'}; this fails if a server holds it`,
    );
    await attach(c, path, 'src', from);
    say('checkpointing it, so no write-ahead log is left behind');
    await c.run('CHECKPOINT src');
    for (const log of sideLogs(settings)) {
      const pending = unloadedLogBytes(log.dir, await log.position(c, 'src'));
      if (pending > 0)
        throw new Error(
          `the ${log.name} (${log.dir}) holds ${pending} bytes of ${log.what} (Pulse did not stop cleanly). Start Pulse once with the current settings so it stores them, stop it, and run this again. Nothing was changed`,
        );
    }
    say(
      to
        ? `creating ${next}, encrypted with AES-256-GCM under ${to.source}`
        : `creating ${next} (plaintext, as the store is)`,
    );
    await attach(c, next, 'dst', to);
    await c.run('COPY FROM DATABASE src TO dst (SCHEMA)');
    const source = await tableFacts(c, 'src');
    const total = source.reduce((n, t) => n + t.rows, 0);
    say(`copying ${source.length} tables, ${total.toLocaleString('en-US')} rows`);
    const bar = plan.progress(total, 'copying');
    let done = 0;
    try {
      for (const t of source) {
        await run(c, sql`INSERT INTO dst.${t.ref} SELECT * FROM src.${t.ref}`);
        done += t.rows;
        bar.update(done);
      }
    } finally {
      bar.stop();
    }
    say('verifying: row count and a digest of the rows of every table, old against new');
    compare(source, await tableFacts(c, 'dst'), `verify of ${next}`);
    await c.run('CHECKPOINT dst');
    await c.run('DETACH dst');
    await c.run('DETACH src');
    return source;
  }).catch((error: unknown) => {
    rmSync(next, { force: true });
    rmSync(`${next}.wal`, { force: true });
    throw error;
  });
  if (existsSync(`${path}.wal`) || existsSync(`${next}.wal`))
    throw new Error(
      `a write-ahead log is still present next to ${path}; is a server running? Nothing was swapped`,
    );

  say(`swapping: ${path} → ${kept} (kept until the new file is verified), ${next} → ${path}`);
  try {
    linkSync(path, kept);
  } catch {
    copyFileSync(path, kept); // a filesystem without hard links
  }
  renameSync(next, path);
  try {
    say(
      `verifying ${path} opens ${plan.keyChange ? 'under the new key' : to ? 'under the same key' : 'as before'} with the same contents`,
    );
    await withInstance(path, settings, async (c) => {
      await attach(c, path, 'now', to, true);
      compare(expected, await tableFacts(c, 'now'), `verify of ${path}`);
      await c.run('DETACH now');
      // After a key change the old key (or none) must not open it; an encrypted compaction must not open without one.
      const refused = plan.keyChange ? from : to ? null : undefined;
      if (refused === undefined) return;
      const opens = await attach(c, path, 'old', refused, true).then(
        () => true,
        () => false,
      );
      if (opens) throw new Error(`${path} still opens ${refused ? 'with the old key' : 'without a key'}`);
    });
  } catch (error) {
    say(`verification failed; putting ${kept} back as ${path}`);
    renameSync(kept, path);
    throw error;
  }
  say(`removing ${kept}`);
  rmSync(kept, { force: true });
  if (plan.keyChange)
    for (const file of settings.derivedFiles ?? []) {
      say(`removing ${file}: written under the old protection, rebuilt at the next start`);
      rmSync(file, { force: true });
    }
  for (const log of sideLogs(settings)) {
    const segments = logSegments(log.dir);
    if (segments.length && plan.keyChange) {
      // Every record is in the store (checked above); the files are sealed under the old key, or plaintext.
      say(
        `removing the ${log.name}'s ${segments.length} segment file(s): all in the store, and written under the old protection`,
      );
      for (const s of segments) rmSync(s.path, { force: true });
    } else if (segments.length) {
      // Same key: rotate's reason to delete them (sealed under a key that no longer opens anything) does
      // not hold. They are wholly in the store (checked above) and the copied positions keep them valid,
      // so Pulse releases them itself once it runs again, as after any stop.
      say(
        `leaving the ${log.name}'s ${segments.length} segment file(s) as they are: all in the store; Pulse releases them once it runs again`,
      );
    }
  }
  return {
    tables: expected.map((t) => ({ name: t.name, rows: t.rows })),
    rows: expected.reduce((n, t) => n + t.rows, 0),
    crypto,
    seconds: (Date.now() - started) / 1000,
  };
}

/** `pulse encryption rotate|encrypt`: the store under a new key (rotate) or encrypted for the first time. */
async function rewrite(path: string, settings: Settings, request: RewriteRequest): Promise<RewriteResult> {
  const kind = inspectDuckDbFile(path);
  if (kind === 'missing') throw new Error(`there is no store at ${path}`);
  if (kind === 'unknown') throw new Error(`${path} is not a DuckDB database file`);
  if (request.from && kind === 'plaintext')
    throw new Error(`${path} is not encrypted; use \`pulse encryption encrypt --key-file <file>\``);
  if (!request.from && kind === 'encrypted')
    throw new Error(`${path} is already encrypted; use \`pulse encryption rotate --new-key-file <file>\``);
  if (request.from && request.from.bytes.equals(request.to.bytes))
    throw new Error(`the new key is the same as the current one (${request.to.source})`);
  return copyVerifySwap(path, settings, { ...request, keyChange: true });
}

/** The store file and its write-ahead log, in bytes. */
const storeBytes = (path: string) =>
  [path, `${path}.wal`].reduce((n, f) => n + (existsSync(f) ? statSync(f).size : 0), 0);

/**
 * `pulse store compact`: the same rewrite under the same protection, so the new file holds only live
 * blocks: rows deleted by retention (kept in DuckDB's free blocks until reused) and rewritten segments go.
 */
async function compact(path: string, settings: Settings, request: CompactRequest): Promise<CompactResult> {
  const kind = inspectDuckDbFile(path);
  if (kind === 'missing')
    throw new Error(
      `there is no store at ${path}, so nothing to compact. Check PULSE_DATA_DIR (or PULSE_STORE_URL) names the data dir of the Pulse you mean`,
    );
  if (kind === 'unknown')
    throw new Error(`${path} is not a DuckDB database file (or is truncated). Nothing was changed`);
  if (kind === 'encrypted' && !request.key) throw encryptedWithoutKey(path);
  if (kind === 'plaintext' && request.key) throw plaintextWithKey(path);
  const bytesBefore = storeBytes(path);
  const result = await copyVerifySwap(path, settings, {
    from: request.key,
    to: request.key,
    keepSuffix: '.pre-compact',
    say: request.say,
    progress: request.progress,
    keyChange: false,
  });
  return {
    file: path,
    encrypted: kind === 'encrypted',
    bytesBefore,
    bytesAfter: storeBytes(path),
    ...result,
  };
}

async function status(path: string, settings: Settings, key: KeyRef | null): Promise<StoreEncryptionStatus> {
  const kind = inspectDuckDbFile(path);
  const base: StoreEncryptionStatus = {
    file: path,
    exists: kind !== 'missing',
    encrypted: kind === 'encrypted' ? true : kind === 'plaintext' ? false : null,
    cipher: null,
    keyOpens: null,
    inUse: false,
  };
  if (kind !== 'encrypted' || !key) return base;
  return withInstance(path, settings, async (c) => {
    try {
      await attach(c, path, 'probe', key, true);
    } catch (error) {
      if (error instanceof StoreOpenError && error.code === 'store_locked') return { ...base, inUse: true };
      if (error instanceof StoreOpenError && error.code === 'store_wrong_key')
        return { ...base, keyOpens: false };
      throw error;
    }
    const [row] = await readRows(c, sql`SELECT cipher FROM duckdb_databases() WHERE database_name = 'probe'`);
    return { ...base, keyOpens: true, cipher: typeof row?.cipher === 'string' ? row.cipher : null };
  });
}

/** The DuckDB implementation of `pulse encryption status|rotate|encrypt`, for the store file `path`. */
export function duckDbEncryptionMaintenance(path: string, settings: Settings): StoreEncryptionMaintenance {
  return {
    file: path,
    status: (key) => status(path, settings, key),
    rewrite: (request) => rewrite(path, settings, request),
  };
}

/** The DuckDB implementation of `pulse store compact`, for the store file `path`. */
export function duckDbStoreCompaction(path: string, settings: Settings): StoreCompaction {
  return { file: path, compact: (request) => compact(path, settings, request) };
}
