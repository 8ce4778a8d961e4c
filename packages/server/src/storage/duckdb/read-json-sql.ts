import { allTables, type Column } from './schema.js';
import { definitionColumn, sdkProfileColumn, storeDefinitionsSql } from './sdk-profiles.js';
import { ident, join, sql, type Sql } from './sql.js';

/**
 * `SELECT … FROM read_json(file)` producing a table's columns: times arrive as epoch ms (BIGINT)
 * and are turned into TIMESTAMPs here. The file path is a bound parameter; names are catalog identifiers.
 */
export function selectFromStaging(path: string, columns: readonly Column[]): Sql {
  const spec = join(columns.map((c) => sql`${ident(c.name)}: ${c.type === 'TIMESTAMP' ? 'BIGINT' : c.type}`));
  const select = join(
    columns.map((c) =>
      c.type === 'TIMESTAMP' ? sql`epoch_ms(${ident(c.name)}) AS ${ident(c.name)}` : ident(c.name),
    ),
  );
  return sql`SELECT ${select} FROM read_json(${path}, format = 'newline_delimited', columns = {${spec}})`;
}

const columnsOf = new Map(allTables.map((t) => [t.table, t.columns]));

/**
 * Loads a staged file of event rows into its table; rows that carry an SDK profile's definition
 * (`carriesDefinitions`) store it first, in the same transaction.
 */
export function stagedInsertSql(table: string, path: string, carriesDefinitions: boolean): Sql[] {
  const columns = columnsOf.get(table);
  if (!columns) throw new Error(`no event table ${table}`);
  const insert = sql`INSERT INTO ${ident(table)} ${selectFromStaging(path, columns)}`;
  if (!carriesDefinitions) return [insert];
  return [storeDefinitionsSql(selectFromStaging(path, [sdkProfileColumn, definitionColumn])), insert];
}
