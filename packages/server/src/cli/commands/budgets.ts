import type { Budget as BudgetRow } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `vps_instance=2000` → ['vps_instance', 2000]; `vps_instance=none` removes that budget. */
function parseType(assignment: string): [string, number | null] {
  const at = assignment.lastIndexOf('=');
  if (at < 1) throw new Error(`--type ${assignment}: expected resource_type=usd`);
  const raw = assignment.slice(at + 1);
  return [assignment.slice(0, at), raw === 'none' ? null : Number(raw)];
}

/** `pulse budgets list|set|delete`: monthly USD budgets per tenant and per resource_type. */
export function registerBudgets(program: Command): void {
  const budgets = program
    .command('budgets')
    .description('Monthly cost budgets per tenant (and per resource_type)');
  withClientOptions(
    budgets
      .command('list', { isDefault: true })
      .description('List budgets')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{ budgets: BudgetRow[] }>('GET', '/api/budgets');
    print(options.json ?? false, result, () =>
      formatTable(
        result.budgets.map((b) => ({
          ...b,
          resourceTypes: Object.entries(b.resourceTypes)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        })),
        ['tenantId', 'monthlyUsd', 'resourceTypes', 'updatedAt'],
      ),
    );
  });
  withClientOptions(
    budgets
      .command('set')
      .description("Set a tenant's budgets (merged with the current ones)")
      .argument('<tenant>', 'tenant id')
      .option('--monthly <usd>', 'monthly budget of the tenant, USD (none removes it)')
      .option(
        '--type <resource_type=usd>',
        'a per-resource_type budget (repeatable; =none removes it)',
        collect,
        [],
      )
      .option('--json', 'machine output'),
  ).action(
    async (tenant: string, options: ClientOptions & { monthly?: string; type: string[]; json?: boolean }) => {
      const body: Record<string, unknown> = {};
      if (options.monthly !== undefined)
        body.monthlyUsd = options.monthly === 'none' ? null : Number(options.monthly);
      if (options.type.length) body.resourceTypes = Object.fromEntries(options.type.map(parseType));
      const result = await ApiClient.from(options).request<BudgetRow>(
        'PUT',
        `/api/budgets/${encodeURIComponent(tenant)}`,
        body,
      );
      print(
        options.json ?? false,
        result,
        () =>
          `${result.tenantId}: monthly ${result.monthlyUsd ?? '—'}${
            Object.keys(result.resourceTypes).length
              ? `; ${Object.entries(result.resourceTypes)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}`
              : ''
          }`,
      );
    },
  );
  withClientOptions(
    budgets
      .command('delete')
      .description("Remove all of a tenant's budgets")
      .argument('<tenant>', 'tenant id'),
  ).action(async (tenant: string, options: ClientOptions) => {
    await ApiClient.from(options).request('DELETE', `/api/budgets/${encodeURIComponent(tenant)}`);
    process.stdout.write(`deleted the budgets of ${tenant}\n`);
  });
}
