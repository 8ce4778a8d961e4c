import type { EventPage as EventsResponse } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface EventsOptions extends ClientOptions {
  tenant?: string;
  event?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

export function registerEvents(program: Command): void {
  withClientOptions(
    program
      .command('events')
      .description('Read back stored events, newest first')
      .option('--tenant <ids>', 'only these tenants (comma-separated)')
      .option('--event <name>', 'only this event name')
      .option('--from <time>', 'from this time (ISO 8601 or epoch ms), inclusive')
      .option('--to <time>', 'up to this time, exclusive')
      .option('--limit <n>', 'events per page (default 20)', '20')
      .option('--cursor <cursor>', 'the nextCursor of a previous page')
      .option('--json', 'machine output'),
  ).action(async (options: EventsOptions) => {
    const params = new URLSearchParams();
    for (const key of ['tenant', 'event', 'from', 'to', 'limit', 'cursor'] as const) {
      const value = options[key];
      if (value !== undefined) params.set(key, value);
    }
    const page = await ApiClient.from(options).request<EventsResponse>('GET', `/api/events?${params}`);
    print(options.json ?? false, page, () => {
      const rows = page.events.map((e) => ({ ...e, properties: e.properties }));
      const table = formatTable(
        rows,
        ['timestamp', 'event', 'tenantId', 'distinctId', 'uuid', 'properties'],
        {
          empty: 'No events match.',
        },
      );
      return page.nextCursor ? `${table}\nmore: --cursor ${page.nextCursor}` : table;
    });
  });
}
