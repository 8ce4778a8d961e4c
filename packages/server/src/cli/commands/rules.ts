import type { RulePreview, RuleView as RuleRow } from '@pulse/api';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

/** A JSON file, or `-` for stdin. */
function readJson(path: string): unknown {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

interface RuleList {
  rules: RuleRow[];
  rebuildFailures: { ruleId: string; error: string }[];
}

const table = ({ rules, rebuildFailures }: RuleList) =>
  formatTable(
    rules.map((r) => ({
      ...r,
      events: r.events.join(','),
      kind: r.condition.kind,
      resolve: `${r.resolve.mode} ${r.resolve.afterMinutes}m`,
    })),
    ['id', 'severity', 'enabled', 'events', 'kind', 'cooldownMinutes', 'resolve', 'name'],
  ) +
  rebuildFailures
    .map((f) => `\nwarning: ${f.ruleId} runs on new events only, its state rebuild failed: ${f.error}`)
    .join('');

/** The firings, then the count per tenant; says when the event limit cut the replay short. */
function previewText(p: RulePreview): string {
  const firings = formatTable(
    p.firings.map((f) => ({ ...f, value: f.value ?? '' })),
    ['at', 'tenantId', 'kind', 'value', 'title'],
  );
  const tenants = formatTable(p.tenants, ['tenantId', 'firings']);
  const cut = p.truncated ? `\ntruncated: the event limit ended the replay at ${p.evaluatedTo ?? '—'}` : '';
  return `${p.firings.length} firing(s) of ${p.ruleId} over ${p.events} events from ${p.from} to ${p.to}${cut}\n\n${firings}\n\n${tenants}`;
}

/** `pulse rules list|get|set|put|delete|reset|preview`: alert rules as JSON documents. */
export function registerRules(program: Command): void {
  const rules = program.command('rules').description('Alert rules (JSON): list, replace, edit, reset');
  withClientOptions(
    rules
      .command('list', { isDefault: true })
      .description('List the rules')
      .option('--json', 'machine output (the full rule set)'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<RuleList>('GET', '/api/rules');
    print(options.json ?? false, result, () => table(result));
  });
  withClientOptions(rules.command('get').description('One rule as JSON').argument('<id>', 'rule id')).action(
    async (id: string, options: ClientOptions) => {
      const result = await ApiClient.from(options).request<RuleRow>(
        'GET',
        `/api/rules/${encodeURIComponent(id)}`,
      );
      print(true, result, () => '');
    },
  );
  withClientOptions(
    rules
      .command('set')
      .description('Replace the whole rule set from a JSON file ({"rules": [...]} or [...]; - for stdin)')
      .argument('<file>', 'JSON file')
      .option('--json', 'machine output'),
  ).action(async (file: string, options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<RuleList>('PUT', '/api/rules', readJson(file));
    print(options.json ?? false, result, () => `saved ${result.rules.length} rule(s)`);
  });
  withClientOptions(
    rules
      .command('put')
      .description('Create or replace one rule from a JSON file (- for stdin)')
      .argument('<file>', 'JSON file holding one rule')
      .option('--json', 'machine output'),
  ).action(async (file: string, options: ClientOptions & { json?: boolean }) => {
    const rule = readJson(file) as { id?: unknown };
    if (typeof rule?.id !== 'string') throw new Error(`${file}: the rule needs an "id"`);
    const result = await ApiClient.from(options).request<RuleRow>(
      'PUT',
      `/api/rules/${encodeURIComponent(rule.id)}`,
      rule,
    );
    print(options.json ?? false, result, () => `saved rule ${result.id}`);
  });
  withClientOptions(
    rules.command('delete').description('Delete one rule').argument('<id>', 'rule id'),
  ).action(async (id: string, options: ClientOptions) => {
    await ApiClient.from(options).request('DELETE', `/api/rules/${encodeURIComponent(id)}`);
    process.stdout.write(`deleted rule ${id}\n`);
  });
  withClientOptions(
    rules
      .command('preview')
      .description(
        'Replay a rule (a JSON file, - for stdin, or --id) over stored events: when it would have fired',
      )
      .argument('[file]', 'JSON file holding one rule')
      .option('--id <id>', 'an installed rule instead of a file')
      .requiredOption('--from <time>', 'start, ISO 8601')
      .requiredOption('--to <time>', 'end, ISO 8601')
      .option('--tenant <id...>', 'only these tenants')
      .option('--json', 'machine output'),
  ).action(
    async (
      file: string | undefined,
      options: ClientOptions & { id?: string; from: string; to: string; tenant?: string[]; json?: boolean },
    ) => {
      if ((file === undefined) === (options.id === undefined))
        throw new Error('give either a rule file or --id <rule id>');
      const result = await ApiClient.from(options).request<RulePreview>('POST', '/api/rules/preview', {
        ...(file === undefined ? { ruleId: options.id } : { rule: readJson(file) }),
        from: options.from,
        to: options.to,
        ...(options.tenant ? { tenants: options.tenant } : {}),
      });
      print(options.json ?? false, result, () => previewText(result));
    },
  );
  withClientOptions(
    rules.command('reset').description('Restore the default rule set').option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { json?: boolean }) => {
    const result = await ApiClient.from(options).request<RuleList>('POST', '/api/rules/reset');
    print(options.json ?? false, result, () => `restored ${result.rules.length} default rule(s)`);
  });
}
