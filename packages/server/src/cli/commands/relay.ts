import type { RelayRetryResults, RelayStatus } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

function statusText(status: RelayStatus): string {
  if (!status.enabled && !status.deadLetters.length)
    return 'The relay to PostHog is off (set PULSE_POSTHOG_HOST and PULSE_POSTHOG_PROJECT_TOKEN).';
  const lines = [
    `relay      ${status.enabled ? `on, to ${status.host} (${status.events} events)` : 'off'}`,
    `lag        ${status.lag.events} events, ${status.lag.seconds.toFixed(1)} s`,
    `sent       ${status.sent} events since start (${status.failedAttempts} failed attempts, ${status.dropped} dropped)`,
  ];
  if (status.position) lines.push(`position   ${status.position.position} (+${status.position.skip} events)`);
  const letters = status.deadLetters.length
    ? formatTable(status.deadLetters, ['id', 'firstAt', 'status', 'count', 'attempts', 'reason'])
    : 'No dead letters.';
  return `${lines.join('\n')}\n\n${letters}`;
}

/** `pulse relay status|retry`: the relay to PostHog, its dead letters, and sending them again. */
export function registerRelay(program: Command): void {
  const relay = program.command('relay').description('The relay of accepted events to PostHog');
  withClientOptions(
    relay
      .command('status')
      .description('Position, lag, events sent, failed attempts and dead-lettered batches')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const status = await ApiClient.from(options).request<RelayStatus>('GET', '/api/relay');
    print(options.json ?? false, status, () => statusText(status));
  });
  withClientOptions(
    relay
      .command('retry')
      .description('Send dead-lettered batches to PostHog again; delivered ones are removed')
      .argument('[id]', 'dead letter id (see pulse relay status)')
      .option('--all', 'every dead letter, oldest first')
      .option('--json', 'machine output'),
  ).action(async (id: string | undefined, options: ClientOptions & { all?: boolean; json?: boolean }) => {
    if ((id === undefined) === !options.all) throw new Error('name one dead letter id, or pass --all');
    const path =
      id === undefined
        ? '/api/relay/dead-letters/retry'
        : `/api/relay/dead-letters/${encodeURIComponent(id)}/retry`;
    const result = await ApiClient.from(options).request<RelayRetryResults>('POST', path);
    print(options.json ?? false, result, () =>
      result.results.length
        ? formatTable(
            result.results.map((r) => ({
              ...r,
              delivered: r.delivered ? 'yes' : 'no',
              status: r.status ?? '',
            })),
            ['id', 'delivered', 'status', 'reason'],
          )
        : 'No dead letters to retry.',
    );
    const failed = result.results.filter((r) => !r.delivered).length;
    if (failed) throw new Error(`${failed} dead letter(s) not delivered; they stay for a later retry`);
  });
}
