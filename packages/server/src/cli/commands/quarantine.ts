import type { Quarantined } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';
import { ExitStatus } from '../exit-status.js';

export function registerQuarantine(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description('Business events kept aside for breaking their schema');
  withClientOptions(
    quarantine
      .command('list')
      .description('List quarantined events with the reasons')
      .option('--tenant <ids>', 'only these tenants (comma-separated)')
      .option('--event <name>', 'only this event name')
      .option('--limit <n>', 'at most this many', '100')
      .option('--json', 'machine output'),
  ).action(
    async (options: ClientOptions & { tenant?: string; event?: string; limit: string; json?: boolean }) => {
      const params = new URLSearchParams({ limit: options.limit });
      if (options.tenant) params.set('tenant', options.tenant);
      if (options.event) params.set('event', options.event);
      const result = await ApiClient.from(options).request<{ quarantined: Quarantined[] }>(
        'GET',
        `/api/quarantine?${params}`,
      );
      print(options.json ?? false, result, () =>
        formatTable(
          result.quarantined.map((q) => ({
            ...q,
            tenant: q.properties.tenant_id,
            reasons: q.issues.map((i) => i.message).join('; '),
          })),
          ['id', 'receivedAt', 'event', 'tenant', 'reasons'],
          { empty: 'The quarantine is empty: every event received was valid.' },
        ),
      );
    },
  );
  withClientOptions(
    quarantine
      .command('replay')
      .description('Re-check quarantined events against the current catalog and store the valid ones')
      .argument('[ids...]', 'quarantine ids (default: --all)')
      .option('--all', 'replay every quarantined event')
      .option(
        '--set <property=json>',
        'correct a property of the named events first (repeatable; value parsed as JSON, else text)',
        collect,
        [],
      )
      .option('--json', 'machine output'),
  ).action(
    async (ids: string[], options: ClientOptions & { all?: boolean; json?: boolean; set: string[] }) => {
      if (!ids.length && !options.all) throw new Error('name the quarantine ids to replay, or pass --all');
      if (options.set.length && !ids.length) throw new Error('--set needs the quarantine ids it corrects');
      const fix = Object.fromEntries(options.set.map(parseAssignment));
      const result = await ApiClient.from(options).request<{
        replayed: string[];
        stillInvalid: Quarantined[];
        notFound: string[];
      }>(
        'POST',
        '/api/quarantine/replay',
        ids.length ? { ids, fixes: Object.fromEntries(ids.map((id) => [id, fix])) } : { all: true },
      );
      print(options.json ?? false, result, () =>
        [
          `replayed: ${result.replayed.length}`,
          `still invalid: ${result.stillInvalid.length}`,
          ...result.stillInvalid.map((q) => `  ${q.id}: ${q.issues.map((i) => i.message).join('; ')}`),
          ...(result.notFound.length ? [`not found: ${result.notFound.join(', ')}`] : []),
        ].join('\n'),
      );
      // A script must see that the events it meant to replay are not stored yet.
      if (result.stillInvalid.length || result.notFound.length)
        throw new ExitStatus(1, 'some events were not replayed');
    },
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `impact_amount=100` → ['impact_amount', 100]; `note=late` → ['note', 'late']. */
function parseAssignment(assignment: string): [string, unknown] {
  const at = assignment.indexOf('=');
  if (at < 1) throw new Error(`--set ${assignment}: expected property=value`);
  const raw = assignment.slice(at + 1);
  try {
    return [assignment.slice(0, at), JSON.parse(raw) as unknown];
  } catch {
    return [assignment.slice(0, at), raw];
  }
}
