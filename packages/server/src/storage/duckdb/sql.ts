import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Sql } from '../../sql.js';

export { empty, ident, isIn, join, sql, stringList, timestamp, type Sql } from '../../sql.js';

/** A `sql` statement's bound values as the driver takes them (SqlValue is a subset of DuckDBValue). */
const bound = (statement: Sql) => statement.values as DuckDBValue[];

export const run = (connection: DuckDBConnection, statement: Sql) =>
  connection.run(statement.text, bound(statement));

export const runAndReadAll = (connection: DuckDBConnection, statement: Sql) =>
  connection.runAndReadAll(statement.text, bound(statement));

export const stream = (connection: DuckDBConnection, statement: Sql) =>
  connection.stream(statement.text, bound(statement));

/** The rows of a statement as plain JS objects. */
export const readRows = async (
  connection: DuckDBConnection,
  statement: Sql,
): Promise<Record<string, unknown>[]> => (await runAndReadAll(connection, statement)).getRowObjectsJS();
