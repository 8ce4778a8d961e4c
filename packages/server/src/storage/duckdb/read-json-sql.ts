import { sqlString } from '../../sql-string.js';
import { quote, type Column } from './schema.js';

/**
 * `SELECT … FROM read_json(file)` producing a table's columns: times arrive as epoch ms (BIGINT)
 * and are turned into TIMESTAMPs here.
 */
export function selectFromStaging(path: string, columns: readonly Column[]): string {
  const spec = columns
    .map((c) => `${sqlString(c.name)}: ${sqlString(c.type === 'TIMESTAMP' ? 'BIGINT' : c.type)}`)
    .join(', ');
  const select = columns
    .map((c) => (c.type === 'TIMESTAMP' ? `epoch_ms(${quote(c.name)}) AS ${quote(c.name)}` : quote(c.name)))
    .join(', ');
  return `SELECT ${select} FROM read_json(${sqlString(path)}, format = 'newline_delimited', columns = {${spec}})`;
}

export { sqlString };
