import type { DuckDBConnection } from '@duckdb/node-api';
import { withOutlook } from '../../alerts/outlook.js';
import { renameRuleFields } from '../../alerts/rule-renames.js';
import { isIn, readRows, run, sql } from './sql.js';

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

/**
 * Classifies what was stored before outlooks existed, once: each rule without an outlook gets the one of
 * the default rule with its id (else risk; see alerts/outlook.ts), then alerts without one get their rule's.
 * Returns how many rules were rewritten.
 */
export async function classifyStoredOutlooks(connection: DuckDBConnection): Promise<number> {
  const rows = await readRows(connection, sql`SELECT position, rule FROM alert_rules ORDER BY position`);
  const rules = rows.map((row) => ({
    position: Number(row.position),
    stored: JSON.parse(String(row.rule)) as { id?: unknown; outlook?: unknown },
  }));
  const rewritten = rules.flatMap(({ position, stored }) => {
    const classified = withOutlook(stored);
    return classified === null ? [] : [{ position, rule: JSON.stringify(classified) }];
  });
  const opportunities = rules
    .map(({ stored }) => withOutlook(stored) ?? stored)
    .filter((r) => r.outlook === 'opportunity')
    .map((r) => String(r.id));
  try {
    await connection.run('BEGIN TRANSACTION');
    for (const { position, rule } of rewritten)
      await run(connection, sql`UPDATE alert_rules SET rule = ${rule} WHERE position = ${position}`);
    if (opportunities.length)
      await run(
        connection,
        sql`UPDATE alerts SET outlook = 'opportunity' WHERE outlook IS NULL AND ${isIn(sql`rule_id`, opportunities)}`,
      );
    await run(connection, sql`UPDATE alerts SET outlook = 'risk' WHERE outlook IS NULL`);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return rewritten.length;
}
