import type { CommittedBatch } from '../ingestion/event-stream.js';
import type { EventStateSource } from '../storage/alert-store.js';
import type { StoredEvent } from '../storage/event-store.js';
import { createEvaluator, type Budgets, type Evaluator, type Outcome } from './evaluate/index.js';
import type { AlertLifecycle } from './lifecycle.js';
import type { Rule } from './rule-model.js';
import type { RuleStateResume } from './rule-state.js';
import type { AlertLogger } from './types.js';

interface Compiled {
  byEvent: Map<string, Evaluator[]>;
  all: Evaluator[];
}

/** How a rule set's state was had: rules restored from saved state (and the events replayed since), rules rebuilt. */
export interface InstallStats {
  restored: number;
  rebuilt: number;
  replayed: number;
}

/** An installed rule whose state could not be rebuilt from stored events: it runs from empty state. */
export interface RebuildFailure {
  ruleId: string;
  error: string;
  /** Epoch ms of the failed rebuild. */
  at: number;
}

/**
 * The installed rules as evaluators: committed events go to the evaluators of their type (synchronously,
 * in memory), timer and budget changes to all; every outcome is handed to `apply`. Events that arrive
 * before `goLive` (while the engine starts) are held and evaluated then.
 */
export function createRuleEvaluation(deps: {
  /** Where evaluators rebuild their state from at install. */
  source: EventStateSource;
  budgets: Budgets;
  lifecycle: Pick<AlertLifecycle, 'hasActive' | 'activeAlerts'>;
  apply: (rule: Rule, outcomes: readonly Outcome[], now: number) => void;
  /** Runs a pass as one unit of recording (change-recorder.ts `group`). */
  group: (run: () => void) => void;
  clock: () => number;
  logger: AlertLogger;
}) {
  const { source, lifecycle, apply, group, clock, logger } = deps;
  const context = {
    budgets: deps.budgets,
    hasActive: (ruleId: string, tenantId: string) => lifecycle.hasActive(ruleId, tenantId),
  };
  let rules: Rule[] = [];
  let rulesById = new Map<string, Rule>();
  let compiled: Compiled = { byEvent: new Map(), all: [] };
  let rebuildFailures: RebuildFailure[] = [];
  let live = false;
  let buffered: CommittedBatch[] = [];
  const captures = new Set<(batch: CommittedBatch) => void>();

  /**
   * The stream listener: evaluation is synchronous and in memory, one pass per group commit (one clock
   * reading, repeats of an alert recorded once); the writes it causes are queued.
   */
  function evaluate(batch: CommittedBatch): void {
    for (const capture of captures) capture(batch);
    if (!live) {
      buffered.push(batch);
      return;
    }
    const now = clock();
    group(() => {
      for (const event of batch.events) {
        const evaluators = compiled.byEvent.get(event.event);
        if (!evaluators) continue;
        for (const evaluator of evaluators) {
          try {
            apply(evaluator.rule, evaluator.onEvent(event, now), now);
          } catch (error) {
            logger.error(
              { err: error, rule: evaluator.rule.id, event: event.uuid },
              'alert rule evaluation failed',
            );
          }
        }
      }
    });
  }

  function compile(list: readonly Rule[], make: (rule: Rule) => Evaluator): Compiled {
    const result: Compiled = { byEvent: new Map(), all: [] };
    for (const rule of list) {
      if (!rule.enabled) continue;
      const evaluator = make(rule);
      result.all.push(evaluator);
      for (const event of rule.events)
        result.byEvent.set(event, [...(result.byEvent.get(event) ?? []), evaluator]);
    }
    return result;
  }

  /** The events ingested since saved state, less those held for `goLive` (evaluated then); null if unread. */
  async function eventsSince(resume: RuleStateResume, list: readonly Rule[]): Promise<StoredEvent[] | null> {
    try {
      const rows = await resume.eventsSince([...new Set(list.flatMap((r) => r.events))]);
      const held = new Set(buffered.flatMap((b) => b.events.map((e) => e.uuid.toLowerCase())));
      return rows.filter((e) => !held.has(e.uuid));
    } catch (error) {
      logger.warn(
        { err: error },
        'reading the events since the saved alert rule state failed; rebuilding it',
      );
      return null;
    }
  }

  return {
    evaluate,

    /**
     * Compiles and rebuilds the evaluators of a rule set, then swaps them in. Events committed meanwhile go
     * to the current evaluators and are replayed into the new ones' state (their outcomes were already
     * applied). With `resume` (a start), a rule whose state was saved takes it, plus the events since.
     */
    install: async (list: readonly Rule[], resume?: RuleStateResume | null): Promise<InstallStats> => {
      const since = resume ? await eventsSince(resume, list) : null;
      const restored = new Set<Evaluator>();
      const next = compile(list, (rule) => {
        const saved = since ? resume?.restore(rule, () => createEvaluator(rule, context)) : null;
        if (saved) restored.add(saved);
        return saved ?? createEvaluator(rule, context);
      });
      for (const event of restored.size ? (since ?? []) : [])
        for (const evaluator of next.byEvent.get(event.event) ?? [])
          if (restored.has(evaluator)) evaluator.replay?.(event);
      const during: CommittedBatch[] = [];
      const capture = (batch: CommittedBatch) => during.push(batch);
      const failures: RebuildFailure[] = [];
      captures.add(capture);
      try {
        for (const evaluator of next.all) {
          if (restored.has(evaluator)) continue;
          try {
            await evaluator.rebuild?.(source, clock());
          } catch (error) {
            // The rule still runs (on live events only), so its blind spot is logged and shown by the API.
            logger.error(
              { err: error, rule: evaluator.rule.id },
              'rebuilding alert rule state failed: the rule starts from empty state',
            );
            const message = error instanceof Error ? error.message : String(error);
            failures.push({ ruleId: evaluator.rule.id, error: message, at: clock() });
          }
        }
      } finally {
        captures.delete(capture);
      }
      if (live) {
        const now = clock();
        for (const batch of during)
          for (const event of batch.events)
            for (const evaluator of next.byEvent.get(event.event) ?? []) evaluator.onEvent(event, now);
      }
      rules = [...list];
      rulesById = new Map(list.map((r) => [r.id, r]));
      compiled = next;
      rebuildFailures = failures;
      return {
        restored: restored.size,
        rebuilt: next.all.filter((e) => e.rebuild && !restored.has(e)).length,
        replayed: restored.size ? (since?.length ?? 0) : 0,
      };
    },

    /** The installed evaluators (their state is what a stop saves). */
    evaluators: (): readonly Evaluator[] => compiled.all,

    /** Starts evaluating at once, beginning with the batches held so far. */
    goLive: (): void => {
      live = true;
      const pending = buffered;
      buffered = [];
      for (const batch of pending) evaluate(batch);
    },

    rules: (): readonly Rule[] => rules,
    rulesById: (): ReadonlyMap<string, Rule> => rulesById,
    /** The installed rules whose state rebuild failed at their last install. */
    rebuildFailures: (): readonly RebuildFailure[] => rebuildFailures,

    /** Time-based evaluation: overdue reviews, closing windows and months. */
    tick: (now: number): void => {
      for (const evaluator of compiled.all) {
        if (!evaluator.onTick) continue;
        try {
          apply(evaluator.rule, evaluator.onTick(now, lifecycle.activeAlerts(evaluator.rule.id)), now);
        } catch (error) {
          logger.error({ err: error, rule: evaluator.rule.id }, 'alert rule timer failed');
        }
      }
    },

    /** Re-evaluates a tenant's budget rules after its budgets changed. */
    budgetsChanged: (tenantId: string, now: number): void => {
      for (const evaluator of compiled.all)
        if (evaluator.onBudgetChange) apply(evaluator.rule, evaluator.onBudgetChange(tenantId, now), now);
    },
  };
}

export type RuleEvaluation = ReturnType<typeof createRuleEvaluation>;
