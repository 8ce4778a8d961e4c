import type { AlertView as AlertRow, Notification as NotificationRow } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';
import { filterParams, nextPageHint, registerAlertInbox, withFilterOptions } from './alert-inbox.js';

const usd = (n: number | null) =>
  n === null
    ? ''
    : n.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

const alertTable = (alerts: AlertRow[]) =>
  formatTable(
    alerts.map((a) => ({
      ...a,
      amount: usd(a.amount),
      silenced: a.silence ? `${a.silence.kind} until ${a.silence.until}` : '',
    })),
    ['id', 'severity', 'state', 'tenantId', 'title', 'amount', 'count', 'lastSeen', 'silenced'],
    { empty: 'No alerts match these filters.' },
  );

const notificationTable = (rows: NotificationRow[]) =>
  formatTable(rows, ['id', 'channel', 'target', 'kind', 'status', 'attempts', 'lastError', 'sentAt'], {
    empty: 'No notifications.',
  });

/** `pulse alerts list|show|ack|resolve|outbox|retry|digest`, over the HTTP API. */
export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Alerts: list, group, acknowledge, resolve, snooze, mute, notifications');
  withClientOptions(
    withFilterOptions(alerts.command('list', { isDefault: true }).description('List alerts, newest first'))
      .option('--limit <n>', 'at most this many', '100')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & Record<string, string | boolean | undefined>) => {
    const result = await ApiClient.from(options).request<{
      alerts: AlertRow[];
      nextCursor: string | null;
    }>('GET', `/api/alerts?${filterParams(options)}`);
    print(options.json === true, result, () => alertTable(result.alerts) + nextPageHint(result.nextCursor));
  });
  withClientOptions(
    alerts
      .command('show')
      .description('One alert with its transitions and notifications')
      .argument('<id>', 'alert id')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<
      AlertRow & {
        transitions: { kind: string; at: string; actor: string; comment: string | null }[];
        notifications: NotificationRow[];
      }
    >('GET', `/api/alerts/${encodeURIComponent(id)}`);
    print(options.json ?? false, result, () =>
      [
        `${result.title}`,
        `${result.severity} · ${result.outlook} · ${result.state} · tenant ${result.tenantId} · ${usd(result.amount)} · ${result.count}×`,
        ...(result.acknowledgedBy
          ? [
              `acknowledged by ${result.acknowledgedByName ?? result.acknowledgedBy} (${result.acknowledgedBy})`,
            ]
          : []),
        ...(result.silence ? [`${result.silence.kind}d until ${result.silence.until}`] : []),
        `why: ${result.summary}`,
        '',
        ...result.transitions.map(
          (t) => `${t.at}  ${t.kind} by ${t.actor}${t.comment ? `: ${t.comment}` : ''}`,
        ),
        '',
        notificationTable(result.notifications),
      ].join('\n'),
    );
  });
  for (const [verb, path, description] of [
    ['ack', 'ack', 'Acknowledge an open alert'],
    ['resolve', 'resolve', 'Resolve an alert by hand'],
  ] as const)
    withClientOptions(
      alerts
        .command(verb)
        .description(description)
        .argument('<id>', 'alert id')
        .option('-m, --comment <text>', 'a comment kept with the transition')
        .option('--json', 'machine output'),
    ).action(async (id: string, options: ClientOptions & { comment?: string; json?: boolean }) => {
      const result = await ApiClient.from(options).request<AlertRow>(
        'POST',
        `/api/alerts/${encodeURIComponent(id)}/${path}`,
        options.comment ? { comment: options.comment } : {},
      );
      print(options.json ?? false, result, () => `${result.id}: ${result.state} — ${result.title}`);
    });
  withClientOptions(
    alerts
      .command('outbox')
      .description('Notifications: pending, sent, dead-lettered')
      .option('--status <statuses>', 'pending, sent, dead (comma-separated)')
      .option('--alert <id>', 'of one alert')
      .option('--limit <n>', 'at most this many', '100')
      .option('--json', 'machine output'),
  ).action(
    async (options: ClientOptions & { status?: string; alert?: string; limit: string; json?: boolean }) => {
      const params = new URLSearchParams({ limit: options.limit });
      if (options.status) params.set('status', options.status);
      if (options.alert) params.set('alert', options.alert);
      const result = await ApiClient.from(options).request<{ notifications: NotificationRow[] }>(
        'GET',
        `/api/alerts/outbox?${params}`,
      );
      print(options.json ?? false, result, () => notificationTable(result.notifications));
    },
  );
  withClientOptions(
    alerts
      .command('retry')
      .description('Send a dead-lettered notification again')
      .argument('<id>', 'notification id (from `pulse alerts outbox`)')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<NotificationRow>(
      'POST',
      `/api/alerts/outbox/${encodeURIComponent(id)}/retry`,
    );
    print(options.json ?? false, result, () => `${result.id}: ${result.status}`);
  });
  withClientOptions(
    alerts
      .command('digest')
      .description('Send the weekly digest of medium alerts now')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<{ notifications: NotificationRow[] }>(
      'POST',
      '/api/alerts/digest',
    );
    print(options.json ?? false, result, () =>
      result.notifications.length
        ? `queued ${result.notifications.length} digest notification(s)`
        : 'no medium alerts this week (or this digest was already sent)',
    );
  });
  registerAlertInbox(alerts);
}
