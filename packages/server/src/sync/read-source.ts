import pg from 'pg';
import Cursor from 'pg-cursor';
import type { SyncSource } from '../config/sync-keys.js';
import { withoutSecrets } from './source-url.js';

/** PostgreSQL type ids whose text form is kept: pg would read them in the machine's zone. */
const DATE = 1082;
const TIMESTAMP = 1114;

/** Dates and zone-less timestamps stay text (read as UTC later); everything else as pg reads it. */
const textOf = (value: string): unknown => value;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((id: number, format?: 'text' | 'binary') =>
    id === DATE || id === TIMESTAMP
      ? textOf
      : (pg.types.getTypeParser(id, format) as typeof textOf)) as typeof pg.types.getTypeParser,
};

const quoteIdentifier = (name: string) =>
  name
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');

/** The statement a source runs: the operator's own query as written, or every row of the view. */
const statementOf = (read: SyncSource['read']) =>
  'query' in read ? read.query : `SELECT * FROM ${quoteIdentifier(read.view)}`;

/**
 * Reads a source in full, inside a READ ONLY transaction with a statement timeout, through a cursor so
 * a view above `maxRows` fails after reading one row more than the cap, never the whole view. Read-only
 * credentials suffice; nothing is ever written. Errors never carry the URL's password.
 */
export async function readSource(
  source: SyncSource,
  signal: AbortSignal,
): Promise<Record<string, unknown>[]> {
  const timeoutMs = source.statementTimeoutSeconds * 1000;
  const client = new pg.Client({
    connectionString: source.url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'pulse-sync',
    types,
  });
  const abort = () => void client.end().catch(() => undefined);
  signal.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION READ ONLY');
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
    const cursor = client.query(new Cursor<Record<string, unknown>>(statementOf(source.read)));
    const rows = await cursor.read(source.maxRows + 1);
    await cursor.close();
    if (rows.length > source.maxRows)
      throw new Error(
        `the source returns more than ${source.maxRows} rows (max_rows); raise max_rows or narrow the ${'query' in source.read ? 'query' : 'view'}`,
      );
    await client.query('ROLLBACK'); // read only: nothing to commit
    return rows;
  } catch (error) {
    if (signal.aborted) throw new Error('the sync was stopped', { cause: error });
    throw new Error(`reading ${withoutSecrets(source.url)} failed: ${errorText(error, source.url)}`, {
      cause: error,
    });
  } finally {
    signal.removeEventListener('abort', abort);
    await client.end().catch(() => undefined);
  }
}

/** The driver's message (and PostgreSQL's detail), with the URL's password removed should it appear. */
function errorText(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const password = decodeURIComponent(new URL(url).password);
  return password ? message.split(password).join('***') : message;
}
