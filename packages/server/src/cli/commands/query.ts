import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { QueryResult } from '@pulse/api';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

export function registerQuery(program: Command): void {
  withClientOptions(
    program
      .command('query')
      .description('Read-only SQL over the events and subscriptions views (your tenants only)')
      .argument('[sql]', 'a SELECT statement (or use --file)')
      .option('--file <path>', 'read the SQL from a file')
      .option('--max-rows <n>', 'row limit (default 50000)')
      .option('--json', 'machine output'),
  ).action(
    async (
      sqlArgument: string | undefined,
      options: ClientOptions & { file?: string; maxRows?: string; json?: boolean },
    ) => {
      const sql = options.file ? readFileSync(options.file, 'utf8') : sqlArgument;
      if (!sql) throw new Error('give the SQL as an argument or with --file');
      const result = await ApiClient.from(options).request<QueryResult>('POST', '/api/query', {
        sql,
        ...(options.maxRows ? { max_rows: Number(options.maxRows) } : {}),
      });
      print(options.json ?? false, result, () => {
        const names = result.columns.map((c) => c.name);
        const rows = result.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
        return `${formatTable(rows, names)}\n${result.rowCount} row(s)${result.truncated ? ' (truncated)' : ''} in ${result.elapsedMs} ms`;
      });
    },
  );
}
