import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface BudgetRow {
  tenant_id: string;
  monthly_usd: number | null;
  resource_types: Record<string, number>;
  updated_at: string | null;
}

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
          resource_types: Object.entries(b.resource_types)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        })),
        ['tenant_id', 'monthly_usd', 'resource_types', 'updated_at'],
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
        body.monthly_usd = options.monthly === 'none' ? null : Number(options.monthly);
      if (options.type.length) body.resource_types = Object.fromEntries(options.type.map(parseType));
      const result = await ApiClient.from(options).request<BudgetRow>(
        'PUT',
        `/api/budgets/${encodeURIComponent(tenant)}`,
        body,
      );
      print(
        options.json ?? false,
        result,
        () =>
          `${result.tenant_id}: monthly ${result.monthly_usd ?? '—'}${
            Object.keys(result.resource_types).length
              ? `; ${Object.entries(result.resource_types)
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
