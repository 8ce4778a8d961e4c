import type { DuckDBConnection } from '@duckdb/node-api';
import { renameRuleFields } from '../../alerts/rule-renames.js';
import { readRows, run, sql } from './sql.js';

/**
 * Rewrites stored rules that still use renamed field names, in one transaction; a rule already renamed
 * is left as it is, so a second run changes nothing. Returns how many rules were rewritten.
 */
export async function renameStoredRuleFields(connection: DuckDBConnection): Promise<number> {
  const rows = await readRows(connection, sql`SELECT position, rule FROM alert_rules ORDER BY position`);
  const rewritten = rows.flatMap((row) => {
    const renamed = renameRuleFields(JSON.parse(String(row.rule)));
    return renamed === null ? [] : [{ position: Number(row.position), rule: JSON.stringify(renamed) }];
  });
  if (!rewritten.length) return 0;
  try {
    await connection.run('BEGIN TRANSACTION');
    for (const { position, rule } of rewritten)
      await run(connection, sql`UPDATE alert_rules SET rule = ${rule} WHERE position = ${position}`);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return rewritten.length;
}
