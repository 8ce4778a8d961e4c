import type { ContributingEvent, ExplainEventPage, Explanation } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

interface ExplainOptions extends ClientOptions {
  tenant?: string;
  from?: string;
  to?: string;
  events?: boolean;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

const valueText = (value: number | null, unit: Explanation['unit']): string => {
  if (value === null) return '— (no data)';
  if (unit === 'usd') return `$${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
  if (unit === 'rate') return `${(value * 100).toFixed(2)} %`;
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
};

/** An explanation as a person reads it: the number, the formula, the inputs and where the events are. */
export function renderExplanation(x: Explanation): string {
  const lines = [
    `${x.label} = ${valueText(x.value, x.unit)}`,
    `  ${x.window.from} → ${x.window.to}`,
    '',
    x.formula,
  ];
  if (x.inputs.length) {
    lines.push('', 'Inputs');
    for (const input of x.inputs)
      lines.push(
        `  ${input.label}: ${valueText(input.value, input.unit)}${input.metric ? `   (pulse explain ${input.metric})` : ''}`,
      );
  }
  lines.push(
    '',
    x.eventsQuery
      ? `Events: their ${x.eventsQuery.combine} makes the ${x.eventsQuery.yields} (--events lists them)`
      : 'No events of its own: it is made of the inputs above.',
  );
  return lines.join('\n');
}

const eventsTable = (events: readonly ContributingEvent[]) =>
  formatTable(events, ['timestamp', 'tenantId', 'amount', 'uuid', 'properties'], {
    empty: 'No events in this window.',
  });

export function registerExplain(program: Command): void {
  withClientOptions(
    program
      .command('explain <metric>')
      .description(
        'How a number of the summary is computed: its formula in words, its inputs, and (--events) the events behind it',
      )
      .option('--tenant <ids>', 'only these tenants (comma-separated; default all you may see)')
      .option('--from <time>', 'window start (ISO 8601 or epoch ms; default 30 days before --to)')
      .option('--to <time>', 'window end (default now)')
      .option('--events', 'list the events behind the number, with what each adds')
      .option('--limit <n>', 'with --events: events per page (1..500, default 100)', '100')
      .option('--cursor <cursor>', 'with --events: the nextCursor of a previous page')
      .option('--json', 'machine output'),
  ).action(async (metric: string, options: ExplainOptions) => {
    const params = new URLSearchParams({ metric });
    for (const key of ['tenant', 'from', 'to'] as const) if (options[key]) params.set(key, options[key]);
    const client = ApiClient.from(options);
    if (!options.events) {
      const explanation = await client.request<Explanation>('GET', `/api/explain?${params}`);
      print(options.json ?? false, explanation, () => renderExplanation(explanation));
      return;
    }
    if (options.limit) params.set('limit', options.limit);
    if (options.cursor) params.set('cursor', options.cursor);
    const page = await client.request<ExplainEventPage>('GET', `/api/explain/events?${params}`);
    print(options.json ?? false, page, () => {
      const head = `Events behind ${page.metric}: their ${page.combine} makes the ${page.yields}`;
      const more = page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : '';
      return `${head}\n${eventsTable(page.events)}${more}`;
    });
  });
}
