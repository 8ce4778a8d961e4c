import type { FullConfig } from '../config/index.js';
import { copyEvents, copyQuarantine, EVENT_CHUNK, verifyEvents, type EventsCopied } from './copy-events.js';
import { copyState, verifyState } from './copy-state.js';
import { matches, type TableCheck } from './digest.js';

export interface MigrateOptions {
  /** clickhouse://user:password@host:8123/database */
  to: string;
  /** postgres://user:password@host:5432/database: the state goes there too; absent, it stays. */
  state?: string;
  /** Events per insert (default EVENT_CHUNK). */
  batch?: number;
  /** Reports steps (stderr). */
  say: (line: string) => void;
  /** A progress bar over the events and quarantine entries to copy. */
  progress: (total: number, label: string) => { update: (done: number) => void; stop: () => void };
}

export interface MigrateReport {
  source: string;
  /** Where the events went (the password left out). */
  eventsTo: string;
  /** Where the state is now (the embedded file when it stays). */
  stateIn: string;
  /** Events and quarantine entries the source holds. */
  copied: { events: number; quarantine: number };
  seconds: number;
  eventsPerSecond: number;
  /** Each table compared across source and target. */
  checks: TableCheck[];
  /** Every table matches. */
  ok: boolean;
}

/**
 * Copies the embedded store's events and quarantine into ClickHouse (offline: the DuckDB file's lock
 * refuses a running server), resuming where an interrupted run stopped, then compares both sides.
 */
export async function migrate(config: FullConfig, options: MigrateOptions): Promise<MigrateReport> {
  // Loaded here, not by every command of the CLI (`pulse serve` among them): ClickHouse's and PostgreSQL's clients.
  const { openEventMigration } = await import('../storage/event-migration.js');
  const { source, target, state, replayed, close } = await openEventMigration(
    config,
    options.to,
    options.state,
  );
  try {
    if (replayed) options.say(`loaded ${replayed} event(s) from the ingest log into ${source.path} first`);
    options.say(`copying the events of ${source.path} into ClickHouse at ${target.where}`);
    const totals = await source.totals();
    const bar = options.progress(totals.events + totals.quarantine, 'migrating');
    const started = performance.now();
    const copy = { source, target, batch: options.batch ?? EVENT_CHUNK, progress: bar.update };
    let copied: MigrateReport['copied'];
    let events: EventsCopied;
    try {
      events = await copyEvents(copy);
      copied = { events: events.events, quarantine: await copyQuarantine(copy, events.events) };
    } finally {
      bar.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    if (state) {
      options.say(`copying the state into PostgreSQL at ${state.where}`);
      await copyState(state, options.say);
    }
    options.say('verifying: counts and digests of both sides');
    const checks = [
      ...(await verifyEvents(source, target, events.sourceDigest)),
      ...(state ? await verifyState(state) : []),
    ];
    return {
      source: source.path,
      eventsTo: target.where,
      stateIn: state?.where ?? source.path,
      copied,
      seconds,
      eventsPerSecond: Math.round(copied.events / Math.max(seconds, 0.001)),
      checks,
      ok: checks.every(matches),
    };
  } finally {
    await close();
  }
}
