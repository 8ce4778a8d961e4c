import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { ReportRun, ReportScheduleView } from '@pulse/api';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface Options extends ClientOptions {
  json?: boolean;
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const base = '/api/report-schedules';
const path = (id: string, tail = '') => `${base}/${encodeURIComponent(id)}${tail}`;

function runLines(runs: readonly ReportRun[]): string {
  return formatTable(
    runs.flatMap((run) =>
      (run.recipients.length ? run.recipients : [null]).map((r) => ({
        instant: run.instant,
        trigger: run.trigger,
        recipient: r?.recipient ?? '—',
        scope: r?.scope ?? '—',
        status: r?.status ?? '—',
        attempts: r?.attempts ?? 0,
        error: r?.error ?? '',
      })),
    ),
    ['instant', 'trigger', 'recipient', 'scope', 'status', 'attempts', 'error'],
  );
}

/** `pulse reports list|add|send|preview|history`: scheduled executive reports on a running server. */
export function registerReports(program: Command): void {
  const reports = program
    .command('reports')
    .description('Scheduled executive reports: list, add, send now, preview as a recipient, history');

  withClientOptions(reports.command('list').description('Every schedule with its next run'))
    .option('--json', 'machine output')
    .action(async (options: Options) => {
      const { schedules } = await ApiClient.from(options).request<{ schedules: ReportScheduleView[] }>(
        'GET',
        base,
      );
      print(options.json ?? false, schedules, () =>
        formatTable(
          schedules.map((s) => ({
            ...s,
            recipients: s.recipients.join(', '),
            tenants: s.tenants?.join(', ') ?? 'all',
          })),
          ['id', 'name', 'cron', 'timezone', 'nextRun', 'recipients', 'tenants'],
          { empty: 'No report schedules yet: add one with `pulse reports add`.' },
        ),
      );
    });

  withClientOptions(
    reports
      .command('add')
      .description('Create a schedule, e.g. --cron "0 8 * * MON" --timezone Europe/Berlin')
      .requiredOption('--name <name>', 'the report’s title')
      .requiredOption('--cron <pattern>', 'croner pattern; first weekday of the month: "0 8 1W * *"')
      .requiredOption('--to <emails>', 'recipients, comma-separated')
      .option('--timezone <zone>', 'IANA time zone (default UTC)')
      .option('--sections <ids>', 'sections, comma-separated (default all)')
      .option(
        '--tenants <ids>',
        'tenants shared with the report, comma-separated (default all, for users only)',
      )
      .option('--formats <list>', 'html,pdf,csv (default all)')
      .option('--json', 'machine output'),
  ).action(
    async (
      options: Options & {
        name: string;
        cron: string;
        to: string;
        timezone?: string;
        sections?: string;
        tenants?: string;
        formats?: string;
      },
    ) => {
      const created = await ApiClient.from(options).request<ReportScheduleView>('POST', base, {
        name: options.name,
        cron: options.cron,
        recipients: list(options.to),
        ...(options.timezone ? { timezone: options.timezone } : {}),
        ...(options.sections ? { sections: list(options.sections) } : {}),
        ...(options.tenants ? { tenants: list(options.tenants) } : {}),
        ...(options.formats ? { formats: list(options.formats) } : {}),
      });
      print(
        options.json ?? false,
        created,
        () => `created ${created.id}; next run ${created.nextRun ?? 'never'}`,
      );
    },
  );

  withClientOptions(
    reports
      .command('send')
      .description('Render and send the latest period now to every recipient')
      .argument('<id>', 'schedule id')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: Options) => {
    const run = await ApiClient.from(options).request<ReportRun>('POST', path(id, '/send'));
    print(options.json ?? false, run, () => runLines([run]));
  });

  withClientOptions(
    reports
      .command('preview')
      .description('Render exactly what one recipient gets, without sending')
      .argument('<id>', 'schedule id')
      .requiredOption('--as <email>', 'the recipient')
      .requiredOption('--out <file>', 'where to write it: a .pdf or .html file'),
  ).action(async (id: string, options: ClientOptions & { as: string; out: string }) => {
    const format = extname(options.out).toLowerCase() === '.pdf' ? 'pdf' : 'html';
    if (!['.pdf', '.html', '.htm'].includes(extname(options.out).toLowerCase()))
      throw new Error(`--out ${options.out}: name a .pdf or .html file`);
    const query = new URLSearchParams({ as: options.as, format });
    writeFileSync(options.out, await ApiClient.from(options).bytes(path(id, `/preview?${query}`)));
    console.log(`wrote ${options.out} (${format}, as ${options.as})`);
  });

  withClientOptions(
    reports
      .command('history')
      .description('Runs of a schedule, newest first, with each recipient’s status')
      .argument('<id>', 'schedule id')
      .option('--limit <n>', 'at most this many runs (default 50)')
      .option('--json', 'machine output'),
  ).action(async (id: string, options: Options & { limit?: string }) => {
    const query = options.limit ? `?limit=${encodeURIComponent(options.limit)}` : '';
    const { runs } = await ApiClient.from(options).request<{ runs: ReportRun[] }>(
      'GET',
      path(id, `/history${query}`),
    );
    print(options.json ?? false, runs, () => runLines(runs));
  });
}
