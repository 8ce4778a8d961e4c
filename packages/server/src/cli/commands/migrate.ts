import type { Command } from 'commander';
import { EVENT_CHUNK } from '../../migrate/copy-events.js';
import { matches } from '../../migrate/digest.js';
import { migrate, type MigrateReport } from '../../migrate/migrate.js';
import { ExitStatus } from '../exit-status.js';
import { configOf, say } from '../offline-store.js';
import { progressBar } from '../progress.js';
import { formatTable, print } from '../table.js';

function summary(report: MigrateReport): string {
  const table = formatTable(
    report.checks.map((c) => ({
      table: c.table,
      source: c.sourceRows,
      target: c.targetRows,
      'source digest': c.sourceDigest,
      'target digest': c.targetDigest,
      match: matches(c) ? 'yes' : `NO${c.note ? ` (${c.note})` : ''}`,
    })),
    ['table', 'source', 'target', 'source digest', 'target digest', 'match'],
  );
  const copied = `${report.copied.events.toLocaleString('en-US')} events and ${report.copied.quarantine.toLocaleString('en-US')} quarantine entries in ${report.seconds.toFixed(1)} s (${report.eventsPerSecond.toLocaleString('en-US')} events/s)`;
  const state =
    report.stateIn === report.source
      ? `the state (users, keys, rules, alerts, audit trail…) stays in ${report.source}: pass --state postgres://… to move it too`
      : `the state is now in PostgreSQL at ${report.stateIn}`;
  return `${table}\n\nmigrated ${report.source} → ${report.eventsTo}: ${copied}\n${state}`;
}

/** `pulse migrate --to clickhouse://…`: offline copy of the embedded store into ClickHouse, verified. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'Offline: copy the embedded store’s events into ClickHouse (resumable), then compare counts and digests per table',
    )
    .requiredOption('--to <url>', 'the ClickHouse database: clickhouse://user:password@host:8123/database')
    .option(
      '--state <url>',
      'also copy the state (users, keys, rules, alerts, audit trail…) into PostgreSQL: postgres://user:password@host:5432/database',
    )
    .option('--batch <n>', `events per insert (default ${EVENT_CHUNK.toLocaleString('en-US')})`)
    .option('--json', 'machine output')
    .action(
      async (options: { to: string; state?: string; batch?: string; json?: boolean }, command: Command) => {
        const batch = options.batch === undefined ? EVENT_CHUNK : Number(options.batch);
        if (!Number.isInteger(batch) || batch < 1)
          throw new Error(`--batch must be a whole number ≥ 1; got ${JSON.stringify(options.batch)}`);
        const report = await migrate(configOf(command), {
          to: options.to,
          ...(options.state ? { state: options.state } : {}),
          batch,
          say,
          progress: progressBar,
        });
        print(Boolean(options.json), report, () => summary(report));
        const differing = report.checks.filter((c) => !matches(c)).map((c) => c.table);
        if (differing.length) {
          process.stderr.write(
            `pulse: the copy does not match the source in ${differing.join(', ')}; run pulse migrate again to resume, or start over into an empty database\n`,
          );
          throw new ExitStatus(1, 'migration does not verify');
        }
      },
    );
}
