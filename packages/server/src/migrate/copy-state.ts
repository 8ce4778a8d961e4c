import type { StateMigration } from '../storage/state-migration.js';
import { checkOf, matches, TableDigest, type TableCheck } from './digest.js';

/** One state table compared across the embedded store and PostgreSQL. */
async function compareTable(state: StateMigration, table: string, note?: string): Promise<TableCheck> {
  const source = new TableDigest();
  const target = new TableDigest();
  await state.sourceRows(table, (row) => source.add(row));
  await state.targetRows(table, (row) => target.add(row));
  return checkOf(table, source, target, note);
}

/**
 * Copies every state table, each in one transaction (an interrupted run leaves whole tables, so a rerun
 * copies the rest). A table that already holds rows is left alone if they are the source's, and refused
 * otherwise: the state is never merged with another installation's.
 */
export async function copyState(state: StateMigration, say: (line: string) => void): Promise<void> {
  for (const table of state.tables) {
    if (await state.copy(table)) continue;
    const check = await compareTable(state, table);
    if (!matches(check))
      throw new Error(
        `PostgreSQL table ${table} at ${state.where} already holds other rows (${check.targetRows} there, ${check.sourceRows} in the embedded store): ` +
          'migrate the state into an empty database. Nothing more was written.',
      );
    say(`${table} was already copied`);
  }
}

/** Each state table compared, and the audit trail's hash chain walked as PostgreSQL holds it. */
export async function verifyState(state: StateMigration): Promise<TableCheck[]> {
  const audit = await state.verifyAudit();
  const broken = audit.ok
    ? undefined
    : `the hash chain does not verify at seq ${audit.problem?.seq} (${audit.problem?.kind})`;
  const checks: TableCheck[] = [];
  for (const table of state.tables)
    checks.push(await compareTable(state, table, table === 'audit_log' ? broken : undefined));
  return checks;
}
