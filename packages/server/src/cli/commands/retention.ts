import type { RetentionPolicy } from '@pulse/api';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import type { AuditActor } from '../../access/audit-chain.js';
import { loadConfig } from '../../config/index.js';
import type { AuditLog } from '../../storage/audit-log.js';
import { openPipeline } from '../../main.js';
import { parsePolicies, presentPolicy, type PolicyInput } from '../../retention/policy.js';
import { createRetention, type Retention, type RetentionRun } from '../../retention/retention.js';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

/** The verb's options with the program's (--config). */
interface RetentionOptions extends ClientOptions {
  json?: boolean;
  direct?: boolean;
}

/** Audit actor of runs made directly on the data dir (no server, so no API key). */
const cliActor: AuditActor = { kind: 'system', id: 'cli-direct', role: null };

const collect = (value: string, previous: string[]) => [...previous, value];

/** `revenue_impact_event=2555`, `resource_usage_event=90,tenant=acme`, `*=forever`. */
export function parsePolicyFlag(flag: string): PolicyInput {
  const [head = '', ...rest] = flag.split(',');
  const at = head.lastIndexOf('=');
  if (at < 1) throw new Error(`--policy ${flag}: expected event=days[,tenant=id] (days a number or forever)`);
  const raw = head.slice(at + 1).trim();
  const policy: Record<string, unknown> = {
    event: head.slice(0, at).trim(),
    days: raw === 'forever' ? 'forever' : /^\d+$/.test(raw) ? Number(raw) : raw,
  };
  for (const part of rest) {
    const [key, value] = part.split('=');
    if (key?.trim() !== 'tenant' || !value?.trim())
      throw new Error(
        `--policy ${flag}: expected event=days[,tenant=id]; did not understand ${JSON.stringify(part)}`,
      );
    policy.tenant = value.trim();
  }
  return policy as unknown as PolicyInput;
}

/**
 * Over HTTP when a server answers (it holds the data dir: one writer process), else directly on the data
 * dir as `pulse seed` does; summaries then follow at the next start, which rebuilds the rollups.
 */
async function via<T>(
  options: RetentionOptions,
  overHttp: (client: ApiClient) => Promise<T>,
  direct: (retention: Retention, audit: Pick<AuditLog, 'append'>) => Promise<T>,
): Promise<T> {
  const config = loadConfig(options.config ? { file: options.config } : {});
  const client = ApiClient.from(options, config);
  if (!options.direct && (await client.answers())) return overHttp(client);
  // Logs go to stderr: stdout is the command's output (--json).
  const { storage, close } = await openPipeline(
    config,
    pino({ level: config.logLevel }, pino.destination(2)),
  );
  try {
    return await direct(
      createRetention({ store: storage.retention, events: storage.events, audit: storage.audit }),
      storage.audit,
    );
  } finally {
    await close();
  }
}

function policiesTable(policies: readonly RetentionPolicy[]): string {
  if (!policies.length) return 'no retention policies: every event is kept';
  return formatTable(
    policies.map((p) => ({ event: p.event, tenant: p.tenant ?? '(default)', days: p.days })),
    ['event', 'tenant', 'days'],
  );
}

export function runTable(run: RetentionRun): string {
  const rows = run.rows.map((r) => ({ ...r, tenant: r.tenant ?? '(none)', cutoff: r.cutoff.slice(0, 19) }));
  rows.push({
    event: 'total' as RetentionRun['rows'][number]['event'],
    tenant: '',
    days: '' as unknown as number,
    cutoff: '',
    events: run.totals.events,
    quarantined: run.totals.quarantined,
  });
  const head = run.dryRun ? 'dry run: nothing deleted; would delete' : 'deleted';
  return `${head} (as of ${run.ranAt})\n${formatTable(rows, ['event', 'tenant', 'days', 'cutoff', 'events', 'quarantined'])}`;
}

/** `pulse retention list|set|apply`: retention policies per event type and tenant. */
export function registerRetention(program: Command): void {
  const retention = program
    .command('retention')
    .description('Retention policies per event type (and tenant), and applying them');
  const direct = '--direct';
  const directHelp = 'work on the data dir even if a server answers (default when none does)';

  withClientOptions(
    retention
      .command('list', { isDefault: true })
      .description('List the retention policies')
      .option(direct, directHelp)
      .option('--json', 'machine output'),
  ).action(async (_: unknown, command: Command) => {
    const options = command.optsWithGlobals<RetentionOptions>();
    const policies = await via(
      options,
      async (client) =>
        (await client.request<{ policies: RetentionPolicy[] }>('GET', '/api/retention')).policies,
      async (r) => (await r.policies()).map(presentPolicy),
    );
    print(options.json ?? false, { policies }, () => policiesTable(policies));
  });

  withClientOptions(
    retention
      .command('set')
      .description('Replace every retention policy (from --file, or repeated --policy)')
      .option('--file <policies.json>', 'a JSON array of {event, tenant?, days}')
      .option(
        '--policy <event=days[,tenant=id]>',
        'one policy; event a type, generic or *; days a number or forever (repeatable)',
        collect,
        [],
      )
      .option(direct, directHelp)
      .option('--json', 'machine output'),
  ).action(async (_: unknown, command: Command) => {
    const options = command.optsWithGlobals<RetentionOptions & { file?: string; policy: string[] }>();
    if (options.file && options.policy.length) throw new Error('give either --file or --policy, not both');
    if (!options.file && !options.policy.length)
      throw new Error('give the policies: --file policies.json or --policy event=days[,tenant=id] …');
    const body: unknown = options.file
      ? JSON.parse(readFileSync(options.file, 'utf8'))
      : options.policy.map(parsePolicyFlag);
    parsePolicies(body); // every problem at once, before any call
    const policies = await via(
      options,
      async (client) =>
        (await client.request<{ policies: RetentionPolicy[] }>('PUT', '/api/retention', body)).policies,
      async (r, audit) => {
        // Over HTTP the server's request audit records this; here the CLI does, first as started:
        // a change whose record cannot be written is not made.
        await audit.append({
          at: Date.now(),
          actor: cliActor,
          action: 'retention.set',
          scope: [],
          detail: { requested: body },
          result: 'started',
          requestId: null,
        });
        const { before, after } = await r.setPolicies(body);
        await audit.append({
          at: Date.now(),
          actor: cliActor,
          action: 'retention.set',
          scope: [],
          detail: { before: before.map(presentPolicy), after: after.map(presentPolicy) },
          result: 'ok',
          requestId: null,
        });
        return after.map(presentPolicy);
      },
    );
    print(options.json ?? false, { policies }, () => policiesTable(policies));
  });

  withClientOptions(
    retention
      .command('apply')
      .description('Apply the policies now: delete what is older than its policy (events and quarantine)')
      .option('--dry-run', 'count what would be deleted; delete nothing')
      .option(direct, directHelp)
      .option('--json', 'machine output'),
  ).action(async (_: unknown, command: Command) => {
    const options = command.optsWithGlobals<RetentionOptions & { dryRun?: boolean }>();
    const dryRun = options.dryRun ?? false;
    const run = await via(
      options,
      (client) => client.request<RetentionRun>('POST', `/api/retention/apply?dryRun=${dryRun}`),
      (r) => r.applyAudited(cliActor, { dryRun }),
    );
    print(options.json ?? false, run, () => runTable(run));
  });
}
