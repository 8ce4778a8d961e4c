import { type Column } from './schema.js';
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
