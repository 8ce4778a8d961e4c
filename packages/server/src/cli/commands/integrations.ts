import type { ProviderStatus, SourceStatus } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

type IntegrationRow = ProviderStatus & { endpoint: string };

const lastError = (error: { at: string; message: string } | null) =>
  error ? `${error.at} ${error.message}` : '';

function providerTable(rows: IntegrationRow[]): string {
  return formatTable(
    rows.map((i) => ({
      ...i,
      configured: i.configured ? 'yes' : 'no',
      refused: Object.entries(i.refused)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', '),
      lastError: lastError(i.lastError),
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
  );
}

function sourceTable(rows: SourceStatus[]): string {
  if (!rows.length) return 'No relay, scrape targets, VPS providers or database views are configured.';
  return formatTable(
    rows.map((s) => ({
      ...s,
      tenant: s.tenant ?? '',
      lastSuccessAt: s.lastSuccessAt ?? 'never',
      nextAttemptAt: s.nextAttemptAt ?? '',
      detail: Object.entries(s.detail)
        .map(([key, value]) => `${key} ${String(value)}`)
        .join(', '),
      lastError: lastError(s.lastError),
    })),
    ['kind', 'id', 'tenant', 'state', 'lastSuccessAt', 'nextAttemptAt', 'detail', 'lastError'],
  );
}

/** `pulse integrations`: each provider webhook and each scheduled source, and what it has done since start. */
export function registerIntegrations(program: Command): void {
  withClientOptions(
    program
      .command('integrations')
      .description(
        'Provider webhooks (configured, accepted / duplicates / refused) and scheduled sources (last success, last error)',
      )
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{
      integrations: IntegrationRow[];
      sources: SourceStatus[];
    }>('GET', '/api/integrations');
    print(
      options.json ?? false,
      result,
      () => `${providerTable(result.integrations)}\n\n${sourceTable(result.sources)}`,
    );
  });
}
