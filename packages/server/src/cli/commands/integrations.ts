import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface IntegrationRow {
  provider: string;
  configured: boolean;
  endpoint: string;
  lastAcceptedAt: string | null;
  accepted: number;
  duplicates: number;
  refused: Record<string, number>;
  failed: number;
  lastError: { at: string; message: string } | null;
}

/** `pulse integrations`: each provider webhook, configured or not, and what it has done since start. */
export function registerIntegrations(program: Command): void {
  withClientOptions(
    program
      .command('integrations')
      .description('Provider webhooks: configured, last accepted, accepted / duplicates / refused by reason')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{ integrations: IntegrationRow[] }>(
      'GET',
      '/api/integrations',
    );
    print(options.json ?? false, result, () =>
      formatTable(
        result.integrations.map((i) => ({
          ...i,
          configured: i.configured ? 'yes' : 'no',
          refused: Object.entries(i.refused)
            .map(([reason, n]) => `${reason} ${n}`)
            .join(', '),
          lastError: i.lastError ? `${i.lastError.at} ${i.lastError.message}` : '',
        })),
        [
          'provider',
          'configured',
          'endpoint',
          'lastAcceptedAt',
          'accepted',
          'duplicates',
          'refused',
          'failed',
          'lastError',
        ],
      ),
    );
  });
}
