import type { AlertGroup, Silence } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

type Options = ClientOptions & Record<string, string | boolean | undefined>;

/** The inbox filters as flags; `--opportunities` lists good news, which is otherwise left out. */
export function withFilterOptions(command: Command): Command {
  return command
    .option('--state <states>', 'open, acknowledged, resolved (comma-separated)')
    .option('--severity <levels>', 'critical, high, medium (comma-separated)')
    .option('--tenant <ids>', 'only these tenants (comma-separated)')
    .option('--rule <ids>', 'only these rules (comma-separated)')
    .option('--opportunities', 'opportunities (good news such as identified savings) instead of risks')
    .option('--silenced <mode>', 'snoozed and muted alerts: exclude (default), include, only')
    .option('--from <time>', 'seen at or after (ISO 8601)')
    .option('--to <time>', 'seen before (ISO 8601)')
    .option('--cursor <cursor>', 'the next page (printed at the end of the previous one)');
}

/** The query string of the filter flags. */
export function filterParams(options: Options): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['state', 'severity', 'tenant', 'rule', 'silenced', 'from', 'to', 'cursor', 'limit'])
    if (typeof options[name] === 'string') params.set(name, options[name]);
  params.set('outlook', options.opportunities === true ? 'opportunity' : 'risk');
  return params;
}

/** The line under a page that has a next one. */
export const nextPageHint = (nextCursor: string | null) =>
  nextCursor ? `\nMore match: add --cursor ${nextCursor} for the next page.` : '';

const until = (options: Options) =>
  typeof options.until === 'string'
    ? { until: options.until }
    : typeof options.minutes === 'string'
      ? { minutes: Number(options.minutes) }
      : {};

const silenceLine = (s: Silence) =>
  `${s.kind} ${s.id}: ${s.tenantId} · ${s.rule}${s.alertId ? ` · alert ${s.alertId}` : ''} until ${s.until}` +
  `${s.active ? '' : ' (ended)'} by ${s.createdByName ?? s.createdBy}${s.comment ? `: ${s.comment}` : ''}`;

/** `pulse alerts groups|snooze|unsnooze|mute|unmute|mutes`. */
export function registerAlertInbox(alerts: Command): void {
  withClientOptions(
    withFilterOptions(
      alerts.command('groups').description('Alerts grouped by tenant + rule, with counts, newest first'),
    )
      .option('--limit <n>', 'at most this many groups', '50')
      .option('--json', 'machine output'),
  ).action(async (options: Options) => {
    const result = await ApiClient.from(options).request<{ groups: AlertGroup[]; nextCursor: string | null }>(
      'GET',
      `/api/alerts/groups?${filterParams(options)}`,
    );
    const rows = result.groups.map((g) => ({
      ...g,
      open: `${g.open}/${g.alerts}`,
      muted: g.mute ? `until ${g.mute.until}` : '',
    }));
    print(
      options.json === true,
      result,
      () =>
        formatTable(
          rows,
          ['tenantId', 'rule', 'severity', 'title', 'alerts', 'occurrences', 'open', 'lastSeen', 'muted'],
          {
            empty: 'No alerts match these filters.',
          },
        ) + nextPageHint(result.nextCursor),
    );
  });

  const timed = (command: Command) =>
    withClientOptions(
      command
        .option('--until <time>', 'until this time (ISO 8601)')
        .option('--minutes <n>', 'for this many minutes from now')
        .option('-m, --comment <text>', 'why (kept and audited)')
        .option('--json', 'machine output'),
    );

  timed(
    alerts
      .command('snooze')
      .description('Snooze an alert (or, with --tenant and --rule, every active alert of that group)')
      .argument('[id]', 'alert id')
      .option('--tenant <id>', 'the group’s tenant')
      .option('--rule <id>', 'the group’s rule'),
  ).action(async (id: string | undefined, options: Options) => {
    const client = ApiClient.from(options);
    const body = { ...until(options), ...(options.comment ? { comment: options.comment } : {}) };
    if (id) {
      const snooze = await client.request<Silence>(
        'POST',
        `/api/alerts/${encodeURIComponent(id)}/snooze`,
        body,
      );
      return print(options.json === true, snooze, () => silenceLine(snooze));
    }
    const result = await client.request<{ snoozes: Silence[] }>('POST', '/api/alerts/groups/snooze', {
      tenant: options.tenant,
      rule: options.rule,
      ...body,
    });
    print(options.json === true, result, () =>
      result.snoozes.length ? result.snoozes.map(silenceLine).join('\n') : 'No active alerts in that group.',
    );
  });

  withClientOptions(
    alerts
      .command('unsnooze')
      .description('Cancel the snooze of an alert')
      .argument('<id>', 'alert id')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: Options) => {
    const s = await ApiClient.from(options).request<Silence>(
      'DELETE',
      `/api/alerts/${encodeURIComponent(id)}/snooze`,
    );
    print(options.json === true, s, () => silenceLine(s));
  });

  timed(
    alerts
      .command('mute')
      .description('Mute a tenant + rule: new occurrences are recorded, not notified, not in the inbox')
      .requiredOption('--tenant <id>', 'tenant id')
      .requiredOption('--rule <id>', 'rule id'),
  ).action(async (options: Options) => {
    const mute = await ApiClient.from(options).request<Silence>('POST', '/api/alert-mutes', {
      tenant: options.tenant,
      rule: options.rule,
      ...until(options),
      ...(options.comment ? { comment: options.comment } : {}),
    });
    print(options.json === true, mute, () => silenceLine(mute));
  });

  withClientOptions(
    alerts
      .command('unmute')
      .description('Cancel a mute (or a snooze) by its id')
      .argument('<id>', 'mute id (from `pulse alerts mutes`)')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: Options) => {
    const s = await ApiClient.from(options).request<Silence>(
      'DELETE',
      `/api/alert-mutes/${encodeURIComponent(id)}`,
    );
    print(options.json === true, s, () => silenceLine(s));
  });

  withClientOptions(
    alerts
      .command('mutes')
      .description('Mutes that hold now (--all: ended ones too)')
      .option('--all', 'expired and cancelled mutes too')
      .option('--json', 'machine output'),
  ).action(async (options: Options) => {
    const result = await ApiClient.from(options).request<{ mutes: Silence[] }>(
      'GET',
      `/api/alert-mutes${options.all === true ? '?all=true' : ''}`,
    );
    print(options.json === true, result, () =>
      result.mutes.length ? result.mutes.map(silenceLine).join('\n') : 'No mutes.',
    );
  });
}
