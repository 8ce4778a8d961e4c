import type { Logger } from 'pino';
import type { SyncSource } from '../config/sync-keys.js';
import { startPoller, type Poller } from '../integrations/poller.js';
import type { SourceHandle, SourceStatusBoard } from '../integrations/source-status.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { SyncOutcome, SyncStore } from '../storage/sync-store.js';
import { mapSubscriptions, mapTenantNames, tenantOf, type InvalidRow } from './map-rows.js';
import { withoutSecrets } from './source-url.js';

/** The rows of a run that were not applied are listed up to this many; all are counted. */
const LISTED_ROWS = 100;

export interface SyncRun {
  at: number;
  rows: number;
  inserted: number;
  updated: number;
  ended: number;
  unchanged: number;
  invalid: number;
  conflicts: number;
  /** Invalid rows and rows another supplier owns, each with the reason it was not applied. */
  notApplied: InvalidRow[];
}

export interface SyncSourceView {
  name: string;
  target: SyncSource['target'];
  /** Where it reads, without credentials. */
  url: string;
  read: SyncSource['read'];
  intervalSeconds: number;
  status: ReturnType<SourceHandle['view']>;
  /** The last successful run; null before one. */
  lastRun: SyncRun | null;
}

export interface Sync {
  view(name: string): SyncSourceView | null;
  /** Runs a source now (or waits for its run in flight); null for an unknown name. */
  runNow(name: string): Promise<SyncSourceView | null>;
  stop(): Promise<void>;
}

export interface SyncDeps {
  sources: readonly SyncSource[];
  store: SyncStore;
  audit: AuditLog;
  board: SourceStatusBoard;
  logger: Logger;
  now?: () => number;
  /** False while another process runs the syncs (cluster/leader.ts). */
  runsHere?: () => boolean;
}

/** A run's counts: the board's detail and the audit record's. */
const countsOf = ({ rows, inserted, updated, ended, unchanged, invalid, conflicts }: SyncRun) => ({
  rows,
  inserted,
  updated,
  ended,
  unchanged,
  invalid,
  conflicts,
});

const whoSupplies = (suppliedBy: string | null) =>
  suppliedBy === null ? 'the API, a CSV import or Stripe' : `the source ${suppliedBy}`;

/** One full read → checked rows → one transaction → one audit record. */
async function syncOnce(source: SyncSource, deps: SyncDeps, signal: AbortSignal): Promise<SyncRun> {
  const now = deps.now ?? Date.now;
  // The PostgreSQL client is loaded by the first run, not by every start.
  const { readSource } = await import('./read-source.js');
  const raw = await readSource(source, signal);
  const at = now();
  let outcome: SyncOutcome;
  let invalid: InvalidRow[];
  if (source.target === 'subscriptions') {
    const read = mapSubscriptions(source, raw, at);
    invalid = read.invalid;
    outcome = await deps.store.applySubscriptions(source.name, read, at);
  } else {
    const read = mapTenantNames(source, raw);
    invalid = read.invalid;
    outcome = await deps.store.applyTenantNames(source.name, read, at);
  }
  const conflicts = outcome.conflicts.map(({ tenantId, suppliedBy }) => ({
    row: raw.findIndex((r) => tenantOf(r[source.key]) === tenantId) + 1,
    tenantId,
    reason: `${whoSupplies(suppliedBy)} supplies this tenant's row: it is left as it is`,
  }));
  const run: SyncRun = {
    at,
    rows: raw.length,
    inserted: outcome.inserted,
    updated: outcome.updated,
    ended: outcome.ended,
    unchanged: outcome.unchanged,
    invalid: invalid.length,
    conflicts: conflicts.length,
    notApplied: [...invalid, ...conflicts].sort((a, b) => a.row - b.row).slice(0, LISTED_ROWS),
  };
  await deps.audit.append({
    at,
    actor: { kind: 'system', id: `sync:${source.name}`, role: null },
    action: 'sync.run',
    scope: outcome.touched,
    detail: { source: source.name, target: source.target, ...countsOf(run) },
    result: 'ok',
    requestId: null,
  });
  return run;
}

/**
 * Synchronises each configured database view on its own schedule (the shared poller: back-off after a
 * failure) and reports it on the source board as kind `sync`. A failed run changes nothing and is audited.
 */
export function startSync(deps: SyncDeps): Sync {
  const now = deps.now ?? Date.now;
  const running = new Map<
    string,
    { source: SyncSource; status: SourceHandle; poller: Poller; last: { run: SyncRun | null } }
  >();
  for (const source of deps.sources) {
    const status = deps.board.register('sync', source.name);
    const last: { run: SyncRun | null } = { run: null };
    const poller = startPoller({
      intervalMs: source.intervalSeconds * 1000,
      status,
      logger: deps.logger,
      now,
      ...(deps.runsHere ? { runsHere: deps.runsHere } : {}),
      run: async (signal) => {
        try {
          last.run = await syncOnce(source, deps, signal);
          return countsOf(last.run);
        } catch (error) {
          if (!signal.aborted) await auditFailure(source, deps, now(), error);
          throw error;
        }
      },
    });
    running.set(source.name, { source, status, poller, last });
  }

  const view = (name: string): SyncSourceView | null => {
    const entry = running.get(name);
    if (!entry) return null;
    const { source } = entry;
    return {
      name,
      target: source.target,
      url: withoutSecrets(source.url),
      read: source.read,
      intervalSeconds: source.intervalSeconds,
      status: entry.status.view(),
      lastRun: entry.last.run,
    };
  };
  return {
    view,
    async runNow(name) {
      await running.get(name)?.poller.pollNow();
      return view(name);
    },
    async stop() {
      await Promise.all([...running.values()].map((e) => e.poller.stop()));
    },
  };
}

async function auditFailure(source: SyncSource, deps: SyncDeps, at: number, error: unknown) {
  await deps.audit
    .append({
      at,
      actor: { kind: 'system', id: `sync:${source.name}`, role: null },
      action: 'sync.run',
      scope: [],
      detail: {
        source: source.name,
        target: source.target,
        error: error instanceof Error ? error.message : String(error),
      },
      result: 'error',
      requestId: null,
    })
    .catch((auditError: unknown) =>
      deps.logger.error({ err: auditError, source: source.name }, 'audit of a failed sync failed'),
    );
}
