import type { CommittedBatch } from '../ingestion/event-stream.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import type { EventStateSource, IngestedRow } from '../storage/alert-store.js';
import type { StoredEvent } from '../storage/event-store.js';
import { isBusinessEventName, type BusinessEventName } from '@pulse/events';
import type { Evaluator } from './evaluate/index.js';
import {
  encodeRuleState,
  loadRuleState,
  ruleHash,
  saveRuleState,
  type SavedRuleState,
} from './rule-state-file.js';
import type { Rule } from './rule-model.js';
import type { AlertLogger } from './types.js';

/** Where the rules' state is saved (rule-state-file.ts) and with which cipher. */
export interface RuleStatePlace {
  path: string;
  cipher: RecordCipher | null;
}

/** What a start resumes from: the saved state that checked out, and how to read the events since. */
export interface RuleStateResume {
  /** A new evaluator of the rule (from `create`) with its saved state; null when none is saved for its definition. */
  restore(rule: Rule, create: () => Evaluator): Evaluator | null;
  /** The events of these types ingested since the state was saved, in ingestion order. */
  eventsSince(types: readonly BusinessEventName[]): Promise<StoredEvent[]>;
}

/** The newest ingestion instant the evaluators' state holds, and the uuids they hold of it. */
interface Mark {
  ingestedAt: number;
  uuids: Set<string>;
}

const asStored = (row: IngestedRow): StoredEvent => ({
  uuid: row.uuid,
  event: row.event,
  distinctId: row.tenantId,
  timestamp: row.timestamp,
  properties: row.values,
  tenantId: row.tenantId,
  ingestedAt: row.ingestedAt,
});

/**
 * Saves the evaluators' state with the instant it covers, and at a start offers it back when it checks out:
 * same version, no deletion in the store since, not newer than the store (a restored older store), each
 * rule's definition unchanged. Anything else rebuilds from the store, with one log line saying why.
 */
export function createRuleStateKeeper(deps: {
  place: RuleStatePlace;
  source: EventStateSource;
  logger: AlertLogger;
}) {
  const { place, source, logger } = deps;
  let mark: Mark = { ingestedAt: -Infinity, uuids: new Set() };
  /** The store's deletion count read at the start; null before (or where the store offers none: no save). */
  let deletions: number | null = null;

  /** Raises the mark to `at` with these uuids (a batch of the stream, or what the store held at the start). */
  function raise(at: number, uuids: Iterable<string>): void {
    if (at < mark.ingestedAt) return;
    if (at > mark.ingestedAt) mark = { ingestedAt: at, uuids: new Set() };
    for (const uuid of uuids) mark.uuids.add(uuid);
  }

  /**
   * Follows the evaluated stream: a batch is one commit, stamped with one ingestion time, in commit order.
   * Business events only (the store's mark is read from their tables), in lower case as the store gives them.
   */
  function track(batch: CommittedBatch): void {
    const business = batch.events.filter((e) => isBusinessEventName(e.event));
    const at = business[0]?.ingestedAt;
    if (at !== undefined)
      raise(
        at,
        business.map((e) => e.uuid.toLowerCase()),
      );
  }

  /** Why saved state cannot be used against the store as it is; null when it can. */
  function staleness(saved: SavedRuleState, deletions: number, newest: number | null): string | null {
    if (saved.deletions !== deletions) return 'events were deleted (retention) since it was saved';
    if (saved.appliedAt > (newest ?? -Infinity) && saved.appliedAt > 0)
      return 'it is newer than the newest stored event (an older copy of the store?)';
    return null;
  }

  return {
    track,

    /**
     * At a start, after the stream is followed: the store's mark, then the saved state if it checks out.
     * Null when there is nothing to resume from (the rules rebuild from the store).
     */
    async open(): Promise<RuleStateResume | null> {
      const store = await source.ingestionMark?.();
      if (!store) return null;
      // What the store holds now, the rebuild reads; what it gets later comes on the stream, followed already.
      if (store.newestIngestedAt !== null) raise(store.newestIngestedAt, store.uuidsAtNewest);
      deletions = store.deletions;
      let saved: SavedRuleState | null;
      try {
        saved = await loadRuleState(place.path, place.cipher);
      } catch (error) {
        logger.warn(
          { err: error },
          'saved alert rule state does not check out; rebuilding it from the store',
        );
        return null;
      }
      if (!saved) return null;
      const stale = staleness(saved, store.deletions, store.newestIngestedAt);
      if (stale) {
        logger.warn({ reason: stale }, 'saved alert rule state is stale; rebuilding it from the store');
        return null;
      }
      const { appliedAt, appliedUuids, rules } = saved;
      // After a graceful stop the store holds nothing the state does not: no read of the events since.
      const applied = new Set(appliedUuids);
      const nothingSince =
        store.newestIngestedAt === null ||
        (store.newestIngestedAt === appliedAt && store.uuidsAtNewest.every((u) => applied.has(u)));
      return {
        restore(rule, create) {
          const entry = rules.get(rule.id);
          const input = entry?.hash === ruleHash(rule) ? entry.state : null;
          if (!input) return null;
          const evaluator = create();
          if (!evaluator.loadState || !evaluator.replay) return null;
          try {
            evaluator.loadState(input);
          } catch (error) {
            logger.warn(
              { err: error, rule: rule.id },
              'saved alert rule state does not fit the rule; rebuilding it',
            );
            return null;
          }
          return input.done ? evaluator : null;
        },
        async eventsSince(types) {
          if (nothingSince) return [];
          const rows = await source.ingestedAfter?.({
            events: types,
            ingestedAt: appliedAt,
            uuids: appliedUuids,
          });
          if (!rows) throw new Error('the store does not read the events ingested since the saved state');
          return rows.map(asStored);
        },
      };
    },

    /** Saves the state of these evaluators as it is now (synchronously encoded: it matches the mark). */
    async save(evaluators: readonly Evaluator[]): Promise<void> {
      if (deletions === null) return;
      const bytes = encodeRuleState(
        {
          // Nothing held yet: every event is after the state.
          appliedAt: Number.isFinite(mark.ingestedAt) ? mark.ingestedAt : 0,
          appliedUuids: [...mark.uuids],
          deletions,
        },
        evaluators,
      );
      await saveRuleState(place.path, place.cipher, bytes);
    },
  };
}

export type RuleStateKeeper = ReturnType<typeof createRuleStateKeeper>;
