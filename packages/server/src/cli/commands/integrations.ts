import type { ProviderStatus, SourceStatus, SyncSourceView } from '@pulse/api';
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

/** One synchronised view for people: where it reads, its state, its last run and each row not applied. */
function syncReport(view: SyncSourceView): string {
  const what = 'view' in view.read ? `view ${view.read.view}` : 'a query';
  const lines = [
    `${view.name}: ${what} of ${view.url} into ${view.target}, every ${view.intervalSeconds} s`,
    `state ${view.status.state}; last success ${view.status.lastSuccessAt ?? 'never'}` +
      (view.status.lastError ? `; last error ${lastError(view.status.lastError)}` : ''),
  ];
  const run = view.lastRun;
  if (!run) return lines.join('\n');
  lines.push(
    `last run ${run.at}: ${run.rows} rows read, ${run.inserted} inserted, ${run.updated} updated, ` +
      `${run.ended} ended, ${run.unchanged} unchanged, ${run.invalid} invalid, ${run.conflicts} conflicting`,
  );
  for (const row of run.notApplied)
    lines.push(`  row ${row.row}${row.tenantId === null ? '' : ` (${row.tenantId})`}: ${row.reason}`);
  return lines.join('\n');
}

/** `pulse integrations`: each provider webhook and each scheduled source, and what it has done since start. */
export function registerIntegrations(program: Command): void {
  const integrations = withClientOptions(
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

  // --url, --key and --json are the parent's (commander gives them to it wherever they stand).
  integrations
    .command('sync <name>')
    .description(
      'A synchronised database view: state, last run (inserted / updated / ended / invalid) and each row not applied with why',
    )
    .option('--run', 'synchronise it now and show the result')
    .action(async (name: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<ClientOptions & { json?: boolean; run?: boolean }>();
      const path = `/api/integrations/sync/${encodeURIComponent(name)}`;
      const client = ApiClient.from(options);
      const view = options.run
        ? await client.request<SyncSourceView>('POST', `${path}/run`)
        : await client.request<SyncSourceView>('GET', path);
      print(options.json ?? false, view, () => syncReport(view));
    });
}
