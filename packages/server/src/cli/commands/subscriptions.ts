import type { Subscription as SubscriptionRow } from '@pulse/api';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

export function registerSubscriptions(program: Command): void {
  const subscriptions = program
    .command('subscriptions')
    .description('Tenant subscriptions (plan, status, price) for reports');
  withClientOptions(
    subscriptions
      .command('list')
      .description('List subscriptions')
      .option('--tenant <ids>', 'only these tenants')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { tenant?: string; json?: boolean }) => {
    const query = options.tenant ? `?tenant=${encodeURIComponent(options.tenant)}` : '';
    const result = await ApiClient.from(options).request<{ subscriptions: SubscriptionRow[] }>(
      'GET',
      `/api/subscriptions${query}`,
    );
    print(options.json ?? false, result, () =>
      formatTable(result.subscriptions, [
        'tenantId',
        'displayName',
        'status',
        'planName',
        'priceMonthly',
        'currentPeriodStart',
        'currentPeriodEnd',
        'suppliedBy',
      ]),
    );
  });
  withClientOptions(
    subscriptions
      .command('set')
      .description("Create or replace one tenant's subscription")
      .argument('<tenant>', 'tenant id')
      .requiredOption(
        '--status <status>',
        'active | trialing | past_due | canceled | unpaid | incomplete | incomplete_expired | paused',
      )
      .requiredOption('--plan <name>', 'plan name')
      .requiredOption('--price <usd>', 'price per month, USD')
      .option('--start <time>', 'current period start (ISO 8601)')
      .option('--end <time>', 'current period end (ISO 8601)')
      .option('--json', 'machine output'),
  ).action(
    async (
      tenant: string,
      options: ClientOptions & {
        status: string;
        plan: string;
        price: string;
        start?: string;
        end?: string;
        json?: boolean;
      },
    ) => {
      const result = await ApiClient.from(options).request<SubscriptionRow>(
        'PUT',
        `/api/subscriptions/${encodeURIComponent(tenant)}`,
        {
          status: options.status,
          planName: options.plan,
          priceMonthly: options.price,
          ...(options.start ? { currentPeriodStart: options.start } : {}),
          ...(options.end ? { currentPeriodEnd: options.end } : {}),
        },
      );
      print(
        options.json ?? false,
        result,
        () => `set ${result.tenantId}: ${result.planName}, ${result.status}, $${result.priceMonthly}/month`,
      );
    },
  );
  withClientOptions(
    subscriptions
      .command('import')
      .description(
        'Import a CSV (tenant_id,status,plan_name,price_monthly[,current_period_start,current_period_end]); all rows or none',
      )
      .argument('<csv>', 'path to the CSV file')
      .option('--json', 'machine output'),
  ).action(async (path: string, options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{ imported: number }>(
      'POST',
      '/api/subscriptions/import',
      readFileSync(path, 'utf8'),
      'text/csv',
    );
    print(options.json ?? false, result, () => `imported ${result.imported} subscription(s)`);
  });
}
