import type { AuditVerify as VerifyReport, AuditRecord as AuditRow } from '@pulse/api';
import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

/** Why a report is not ok: a break in the chain, or records the server could not write. */
function whyNotIntact(report: VerifyReport): string {
  if (report.problem)
    return `audit trail BROKEN at seq ${report.problem.seq} (${report.problem.kind}): ${report.problem.message}`;
  const failed = report.failedWrites;
  return `audit trail INCOMPLETE: ${failed?.count ?? 0} record(s) could not be written since the server started (last at ${failed?.lastAt}: ${failed?.lastError}); the chain of the ${report.records} written record(s) is intact`;
}

type ListOptions = ClientOptions & {
  actor?: string;
  action?: string;
  result?: string;
  from?: string;
  to?: string;
  limit?: string;
  format?: string;
  json?: boolean;
};

/** `pulse audit verify|list`: check the hash chain; read or export the trail. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');
  withClientOptions(
    audit
      .command('verify')
      .description('Walk the hash chain; exits 1 naming the first edited, removed or reordered record')
      .option('--head <seq:hash>', 'a head from an earlier verify: also detects a removed tail')
      .option('--json', 'machine output'),
  ).action(async (options: ClientOptions & { head?: string; json?: boolean }) => {
    let query = '';
    if (options.head) {
      const [seq, hash] = options.head.split(':');
      query = `?headSeq=${encodeURIComponent(seq ?? '')}&headHash=${encodeURIComponent(hash ?? '')}`;
    }
    const report = await ApiClient.from(options).request<VerifyReport>('GET', `/api/audit/verify${query}`);
    print(options.json ?? false, report, () =>
      report.ok
        ? `audit trail intact: ${report.records} record(s)${report.head ? `; head ${report.head.seq}:${report.head.hash}` : ''}`
        : whyNotIntact(report),
    );
    if (!report.ok)
      throw new Error(
        report.problem
          ? `the audit trail does not verify (seq ${report.problem.seq})`
          : 'the audit trail is missing records the server could not write',
      );
  });
  withClientOptions(
    audit
      .command('list')
      .description('Read the trail, newest first; --format jsonl|csv exports it oldest first')
      .option('--actor <id>', 'actor id (API key id, bootstrap-admin)')
      .option('--action <action>', "action, or a prefix ending in '.' or '*' (keys.*)")
      .option('--result <result>', 'ok | denied | error | started')
      .option('--from <time>', 'from (ISO 8601)')
      .option('--to <time>', 'to, exclusive (ISO 8601)')
      .option('--limit <n>', 'at most n records (default 100)')
      .option('--format <format>', 'jsonl | csv: raw export to stdout')
      .option('--json', 'machine output'),
  ).action(async (options: ListOptions) => {
    const params = new URLSearchParams();
    for (const name of ['actor', 'action', 'result', 'from', 'to', 'limit', 'format'] as const) {
      const value = options[name];
      if (value !== undefined) params.set(name, value);
    }
    const path = `/api/audit${params.size ? `?${params.toString()}` : ''}`;
    const client = ApiClient.from(options);
    if (options.format && options.format !== 'json') {
      process.stdout.write(await client.text('GET', path));
      return;
    }
    const result = await client.request<{ records: AuditRow[] }>('GET', path);
    print(options.json ?? false, result, () =>
      formatTable(
        result.records.map((r) => ({
          seq: r.seq,
          at: r.at,
          actor: `${r.actor.id}${r.actor.role ? ` (${r.actor.role})` : ''}`,
          action: r.action,
          scope: r.scope === 'all' ? 'all' : r.scope.join(','),
          result: r.result,
          detail: typeof r.detail.sql === 'string' ? r.detail.sql : (r.detail.reason ?? r.detail.route ?? ''),
          requestId: r.requestId,
          clientRequestId: r.clientRequestId ?? '',
        })),
        ['seq', 'at', 'actor', 'action', 'scope', 'result', 'detail', 'requestId', 'clientRequestId'],
      ),
    );
  });
}
