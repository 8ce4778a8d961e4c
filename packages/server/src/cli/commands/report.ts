import type { Command } from 'commander';
import type { Report as ReportResult } from '@pulse/api';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface ReportOptions extends ClientOptions {
  from?: string;
  to?: string;
  tenant?: string;
  json?: boolean;
  csv?: boolean;
}

export function registerReport(program: Command): void {
  withClientOptions(
    program
      .command('report')
      .description(
        'Run a named report: performance-dashboard | cost-optimization | decisions | deliverability | resource-costs',
      )
      .argument('<name>', 'report name')
      .option('--from <time>', 'window start (ISO 8601 or epoch ms; default 30 days before --to)')
      .option('--to <time>', 'window end (default now); cost-optimization runs month to date up to it')
      .option('--tenant <ids>', 'only these tenants (comma-separated)')
      .option('--json', 'machine output')
      .option('--csv', 'CSV output'),
  ).action(async (name: string, options: ReportOptions) => {
    const params = new URLSearchParams();
    if (options.from) params.set('from', options.from);
    if (options.to) params.set('to', options.to);
    if (options.tenant) params.set('tenant', options.tenant);
    const client = ApiClient.from(options);
    if (options.csv) {
      params.set('format', 'csv');
      process.stdout.write(await client.text('GET', `/api/reports/${encodeURIComponent(name)}?${params}`));
      return;
    }
    const report = await client.request<ReportResult>(
      'GET',
      `/api/reports/${encodeURIComponent(name)}?${params}`,
    );
    print(options.json ?? false, report, () =>
      [`${report.title} · ${report.window.label}`, '', formatTable(report.rows, report.columns)].join('\n'),
    );
  });
}
