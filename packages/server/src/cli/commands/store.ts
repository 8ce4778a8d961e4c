import type { Command } from 'commander';
import type { CompactResult } from '../../encryption/store-maintenance.js';
import { storeCompaction } from '../../storage/open-storage.js';
import { configOf, currentKey, say } from '../offline-store.js';
import { progressBar } from '../progress.js';
import { print } from '../table.js';

/** 51.6 MB, 812.0 kB: decimal units, as `ls -lh --si` and most dashboards show them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** `compacted /data/pulse.duckdb: 51.7 MB → 24.7 MB (−52 %), 374,942 rows in 22 tables, verified, 2.7 s` */
export function compactedLine(r: CompactResult): string {
  const change = r.bytesBefore ? Math.round(((r.bytesAfter - r.bytesBefore) / r.bytesBefore) * 100) : 0;
  const percent = `${change < 0 ? '−' : change > 0 ? '+' : '±'}${Math.abs(change)} %`;
  return `compacted ${r.file}: ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)} (${percent}), ${r.rows.toLocaleString('en-US')} rows in ${r.tables.length} tables, verified, ${r.seconds.toFixed(1)} s`;
}

/** `pulse store compact`: offline maintenance of the store file itself (docs/encryption.md, "Deleted data"). */
export function registerStore(program: Command): void {
  const store = program.command('store').description('Offline maintenance of the embedded store file');

  store
    .command('compact')
    .description(
      'Offline: rewrite the store into a fresh file without free blocks (deleted rows gone), same protection, verified, swapped atomically',
    )
    .option('--json', 'machine output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = configOf(command);
      const key = currentKey(config);
      const compaction = storeCompaction(config);
      say(
        `compacting ${compaction.file}, ${key ? `encrypted under key ${key.fingerprint}, which it stays` : 'plaintext, as it stays'}`,
      );
      const result = await compaction.compact({ key, say, progress: progressBar });
      print(Boolean(options.json), result, () => compactedLine(result));
    });
}
