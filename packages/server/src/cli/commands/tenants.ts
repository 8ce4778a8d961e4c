import type { TenantPage } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface TenantsOptions extends ClientOptions {
  limit?: string;
  cursor?: string;
  json?: boolean;
}

export function registerTenants(program: Command): void {
  withClientOptions(
    program
      .command('tenants')
      .description('The tenants you may see that have events: event count, first and last event time')
      .option('--limit <n>', 'tenants per page (default 200)', '200')
      .option('--cursor <cursor>', 'the nextCursor of a previous page')
      .option('--json', 'machine output'),
  ).action(async (options: TenantsOptions) => {
    const params = new URLSearchParams();
    for (const key of ['limit', 'cursor'] as const) {
      const value = options[key];
      if (value !== undefined) params.set(key, value);
    }
    const page = await ApiClient.from(options).request<TenantPage>('GET', `/api/tenants?${params}`);
    print(options.json ?? false, page, () => {
      const table = formatTable(page.tenants, ['tenantId', 'events', 'firstEventAt', 'lastEventAt'], {
        empty: 'No tenant has events yet.',
      });
      return page.nextCursor ? `${table}\nmore: --cursor ${page.nextCursor}` : table;
    });
  });
}
