/**
 * A SQL string literal (DuckDB dialect). NUL would end DuckDB's literal early, so it is spliced in with chr(0).
 * Shared by the storage adapter and analytics' rollup queries.
 */
export function sqlString(s: string): string {
  const quoted = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\0') ? `(${quoted.split('\0').join("' || chr(0) || '")})` : quoted;
}
