import type { FullConfig } from '../config/index.js';
import type { VerifyReport } from '../access/audit-chain.js';
import { openDuckDbAlertEventSource } from './duckdb/alert-event-reads.js';
import type { DuckDbEventStore } from './duckdb/duckdb-event-store.js';
import { forEachStatePage, stateTables } from './duckdb/state-export.js';
import { openEmbeddedStateOf } from './open-storage.js';
import { openPostgresState } from './postgres/open-postgres-state.js';
import { openPgPool } from './postgres/pg-client.js';
import {
  copyStateTable,
  forEachPgStateRow,
  pgStateTables,
  ping,
  stateRowMapping,
} from './postgres/state-copy.js';

/** The embedded store's state tables and their PostgreSQL counterparts, for `pulse migrate --state`. */
export interface StateMigration {
  /** Server and database (no password). */
  readonly where: string;
  /** The state tables, each copied whole. */
  readonly tables: readonly string[];
  /** A table's source rows, each as the target stores it. */
  sourceRows(table: string, visit: (row: Record<string, unknown>) => void): Promise<number>;
  /** A table's rows in the target. */
  targetRows(table: string, visit: (row: Record<string, unknown>) => void): Promise<number>;
  /** Copies a table in one transaction; false (nothing written) when the target table already holds rows. */
  copy(table: string): Promise<boolean>;
  /** Walks the audit trail's hash chain as PostgreSQL now holds it. */
  verifyAudit(): Promise<VerifyReport>;
  close(): Promise<void>;
}

/** `postgres://user:password@host:port/db` as it may be shown. */
const shown = (url: string): string => {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname}`;
  } catch {
    return 'the --state URL (not a URL)';
  }
};

/**
 * Opens PostgreSQL at `url` with every state store's tables created, and reads the embedded store's state
 * (its tables brought up to date, as a start would); refuses when a table cannot be copied one to one.
 */
export async function openStateMigration(
  config: FullConfig,
  events: DuckDbEventStore,
  url: string,
): Promise<StateMigration> {
  const where = shown(url);
  const pool = openPgPool(url, { max: 2, applicationName: 'pulse migrate' });
  try {
    await ping(pool);
  } catch (error) {
    await pool.end();
    throw new Error(`PostgreSQL at ${where}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const embedded = await openEmbeddedStateOf(config, events);
    await embedded.stores.alerts.close();
    await embedded.close();
    const { audit } = await openPostgresState(pool, {
      alertEvents: await openDuckDbAlertEventSource(events),
    });
    const reader = events.readConnection;
    const source = await stateTables(reader);
    const target = await pgStateTables(pool);
    const mappings = new Map(
      [...source].map(([table, columns]) => {
        const pgTable = target.get(table);
        if (!pgTable)
          throw new Error(
            `state table ${table} has no PostgreSQL counterpart in this version of Pulse; nothing was written`,
          );
        return [table, stateRowMapping(table, columns, pgTable)] as const;
      }),
    );
    const mapping = (table: string) => {
      const found = mappings.get(table);
      if (!found) throw new Error(`${table} is not a state table`);
      return found;
    };
    return {
      where,
      tables: [...mappings.keys()],
      async sourceRows(table, visit) {
        const { columns, convert } = mapping(table);
        let count = 0;
        await forEachStatePage(reader, table, columns, (rows) => {
          for (const row of rows) visit(convert(row));
          count += rows.length;
        });
        return count;
      },
      targetRows: (table, visit) => forEachPgStateRow(pool, table, mapping(table).columns, visit),
      copy(table) {
        const { columns, convert } = mapping(table);
        return copyStateTable(pool, table, columns, (write) =>
          forEachStatePage(reader, table, columns, (rows) => write(rows.map(convert))),
        );
      },
      verifyAudit: () => audit.verify(),
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
