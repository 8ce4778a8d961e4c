import type { CommittedListener } from '../ingestion/event-stream.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { StateChange } from '../cluster/ports.js';
import type { AlertStore } from '../storage/alert-store.js';
import { createAlertActions } from './alert-actions.js';
import { createBudgetBook } from './budget-book.js';
import { createChangeRecorder } from './change-recorder.js';
import type { ChannelRegistry, DashboardStream } from './channels/index.js';
import { createAlertDelivery, type EngineHooks, type JournalPlace } from './delivery.js';
import { WeeklyDigest } from './digest.js';
import { createAlertInbox } from './inbox.js';
import { createSilences } from './silences.js';
import { AlertLifecycle } from './lifecycle.js';
import { createRuleCatalog } from './rule-catalog.js';
import { createSharedAlertState } from './shared-state.js';
import { previewRule, type PreviewRange } from './preview.js';
import { createRuleEvaluation, type InstallStats } from './rule-evaluation.js';
import { createRuleStateKeeper, type RuleStatePlace } from './rule-state.js';
import { parseRule } from './rule-validation.js';
import type { AlertSettings } from './settings.js';
import type { Alert, AlertLogger, Delivery } from './types.js';

export type { AlertLogger } from './types.js';

/** How often the rules' state is saved while running (a crash then replays at most this much since). */
const RULE_STATE_SAVE_EVERY_MS = 5 * 60_000;
export type { EngineHooks, TransitionListener } from './delivery.js';

export interface AlertEngineOptions {
  store: AlertStore;
  settings: AlertSettings;
  channels: ChannelRegistry;
  dashboard: DashboardStream;
  logger: AlertLogger;
  clock?: () => number;
  random?: () => number;
  hooks?: EngineHooks;
  /** How long dedup-only updates are coalesced before being written (default 250 ms). */
  writerLazyMs?: number;
  /** Where the rules' state is saved at a stop and resumed from at a start (rule-state.ts); absent: rebuilt. */
  ruleState?: RuleStatePlace;
  /**
   * Journal notified transitions here before storing them (journal.ts): notifications then wait for an
   * fsync, not for the store. Without it they wait for the store's commit.
   */
  journal?: JournalPlace;
}

/**
 * The streaming alert engine: evaluates committed events as they arrive (synchronously, O(rules
 * of the event's type) per event), keeps the lifecycle in memory, writes each transition with its outbox
 * rows in one transaction, then sends them at once. A timer drives time-based rules and auto-resolve.
 * This is the composition of its parts: rule evaluation, the lifecycle, delivery and budgets.
 */
export function createAlertEngine(options: AlertEngineOptions) {
  const { store, settings, channels, dashboard, logger } = options;
  const clock = options.clock ?? Date.now;
  const lifecycle = new AlertLifecycle({ notifyMaxAgeMs: settings.notifyMaxAgeMs });
  // Tells other processes sharing the store of a committed change (shared-state.ts, set below).
  let changed: (change: StateChange) => void = () => {};
  const silences = createSilences({
    store,
    clock,
    onSaved: (silence) => changed({ kind: 'silences', id: silence.id }),
  });
  const delivery = createAlertDelivery({
    silenceOf: silences.covering,
    store,
    settings,
    channels,
    dashboard,
    logger,
    clock,
    random: options.random,
    hooks: options.hooks,
    writerLazyMs: options.writerLazyMs,
  });
  const { writer } = delivery;
  const recorder = createChangeRecorder({
    lifecycle,
    writer,
    settings,
    channels,
    silenced: silences.isSilenced,
  });
  const budgets = createBudgetBook({ store, clock });
  const evaluation = createRuleEvaluation({
    source: store,
    budgets: budgets.lookup,
    lifecycle,
    apply: recorder.apply,
    group: recorder.group,
    clock,
    logger,
  });
  const catalog = createRuleCatalog({
    store,
    installed: evaluation,
    logger,
    onSaved: () => changed({ kind: 'rules', id: '' }),
  });
  const alerts = createAlertActions({ store, lifecycle, record: recorder.record, clock });
  const inbox = createAlertInbox({ store, lifecycle, silences, clock });
  const digest = new WeeklyDigest({
    store,
    channels,
    settings,
    clock,
    dispatch: delivery.dispatch,
    onError: (error) => logger.error({ err: error }, 'weekly digest failed'),
  });

  const keeper = options.ruleState
    ? createRuleStateKeeper({ place: options.ruleState, source: store, logger })
    : null;
  let unsubscribe: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let saveTimer: NodeJS.Timeout | null = null;
  let started = false;
  /** How the last start had the rules' state. */
  let startStats: InstallStats | null = null;

  /** Rules whose rebuild failed run on live events only: not saved, so the next start tries again. */
  const savable = () => {
    const failed = new Set(evaluation.rebuildFailures().map((f) => f.ruleId));
    return evaluation.evaluators().filter((e) => !failed.has(e.rule.id));
  };
  let saving: Promise<void> = Promise.resolve();
  // An idle engine's state is what its last save holds: the periodic save skips re-encoding it.
  let evaluatedSinceSave = false;
  /**
   * Saves the rules' state (rule-state.ts), one save at a time (they share the temporary file); a failure
   * is logged: the next start rebuilds instead.
   */
  function saveRuleState(): Promise<void> {
    evaluatedSinceSave = false;
    saving = saving.then(() =>
      keeper?.save(savable()).catch((error: unknown) => {
        logger.warn({ err: error }, 'saving the alert rules’ state failed');
      }),
    );
    return saving;
  }

  /** Re-evaluates a tenant's run-rate at once after its budgets changed. */
  async function reevaluateBudgets(tenantId: string): Promise<void> {
    evaluation.budgetsChanged(tenantId, clock());
    await writer.flush();
  }

  const shared = createSharedAlertState({
    store,
    lifecycle,
    loadRules: async () => {
      await catalog.load();
    },
    loadBudgets: budgets.load,
    budgetsChanged: reevaluateBudgets,
    loadSilences: () => silences.load(),
    flush: () => writer.flush(),
    showTransition: delivery.showTransition,
    onTransition: delivery.onTransition,
    logger,
  });
  changed = shared.changed;

  const engine = {
    dashboard,
    /** Its copies of shared state, kept in step with other processes sharing the store (cluster/). */
    shared: shared.owner,

    /**
     * Loads rules, budgets and open alerts, resumes or rebuilds rule state, subscribes, resumes pending
     * notifications. Says how the rules' state was had.
     */
    async start(stream?: { subscribe(listener: CommittedListener): () => void }): Promise<InstallStats> {
      if (options.journal) await delivery.openJournal(options.journal);
      await silences.load();
      unsubscribe = stream
        ? stream.subscribe((batch) => {
            evaluation.evaluate(batch);
            keeper?.track(batch);
            evaluatedSinceSave = true;
          })
        : null;
      await budgets.load();
      lifecycle.load(await store.activeAlerts());
      const stats = await catalog.load(stream ? await keeper?.open() : null);
      startStats = stats;
      evaluation.goLive();
      started = true;
      await delivery.resume();
      timer = setInterval(() => {
        engine.tick().catch((error: unknown) => logger.error({ err: error }, 'alert timer failed'));
      }, settings.tickMs);
      timer.unref();
      if (keeper) {
        saveTimer = setInterval(() => {
          if (evaluatedSinceSave) void saveRuleState();
        }, RULE_STATE_SAVE_EVERY_MS);
        saveTimer.unref();
      }
      digest.start();
      return stats;
    },

    /** Stops timers and the stream, writes what is queued and lets in-flight sends finish. */
    async stop(): Promise<void> {
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearInterval(timer);
      timer = null;
      if (saveTimer) clearInterval(saveTimer);
      saveTimer = null;
      digest.stop();
      // After the stream: the state saved holds every event evaluated, up to the mark it is saved with.
      if (started) await saveRuleState();
      started = false;
      await delivery.close();
    },

    evaluate: evaluation.evaluate,

    /** Time-based evaluation (overdue reviews, closing windows and months) and auto-resolve, now. */
    async tick(): Promise<void> {
      const now = clock();
      evaluation.tick(now);
      for (const change of lifecycle.tick(evaluation.rulesById(), now)) void recorder.record(change);
      await writer.flush();
    },

    /** Resolves once everything evaluated so far is durable (and its notifications handed to the dispatcher). */
    flush: () => writer.flush(),
    idle: delivery.idle,
    onTransition: delivery.onTransition,
    onDeliverySettled: delivery.onSettled,

    listAlerts: alerts.listAlerts,
    inbox,
    silences,
    /** Open and acknowledged alerts, from memory (fresher than the store, and no query). */
    activeAlerts: (): Alert[] => lifecycle.activeAlerts(),
    getAlert: alerts.getAlert,
    acknowledge: alerts.acknowledge,
    resolve: alerts.resolve,

    listDeliveries: delivery.listDeliveries,
    getDelivery: (id: string) => store.getDelivery(id),
    /** Outbox rows of other senders (scheduled reports): the new ids are stored, then sent; returns those. */
    async enqueue(rows: readonly Delivery[]): Promise<Delivery[]> {
      const inserted = await store.insertDeliveries(rows);
      delivery.dispatch(inserted);
      return inserted;
    },
    retryDelivery: delivery.retryDelivery,

    rules: catalog.rules,
    rebuildFailures: evaluation.rebuildFailures,
    /** Rules restored from saved state, rebuilt from the store, and events replayed, at the last start. */
    startStats: (): InstallStats | null => startStats,
    replaceRules: catalog.replaceRules,
    putRule: catalog.putRule,
    deleteRule: catalog.deleteRule,
    resetRules: catalog.resetRules,

    /** When a rule (a new document, or an installed one by id) would have fired over a stored range. */
    async previewRule(input: { rule?: unknown; ruleId?: string } & PreviewRange) {
      if ((input.rule === undefined) === (input.ruleId === undefined))
        throw new ValidationError('rule', 'give either a rule document or a ruleId');
      const rule =
        input.ruleId === undefined
          ? parseRule(input.rule, 'rule')
          : catalog.rules().find((r) => r.id === input.ruleId);
      if (!rule) throw new NotFoundError(`rule ${input.ruleId}`);
      return previewRule(rule, input, {
        source: store,
        budgets: budgets.lookup,
        maxEvents: settings.previewMaxEvents,
      });
    },

    budgets: budgets.list,

    /** Sets (merges) a tenant's budgets and re-evaluates its run-rate at once. */
    async setBudgets(tenantId: string, input: unknown) {
      const next = await budgets.set(tenantId, input);
      changed({ kind: 'budgets', id: tenantId });
      await reevaluateBudgets(tenantId);
      return next;
    },

    async deleteBudgets(tenantId: string): Promise<boolean> {
      const removed = await budgets.remove(tenantId);
      if (!removed) return false;
      changed({ kind: 'budgets', id: tenantId });
      await reevaluateBudgets(tenantId);
      return true;
    },

    /** Runs the weekly digest for the week ending now (or `at`). */
    runDigest: (at?: number) => digest.run(at ?? clock()),
    nextDigest: () => digest.nextRun(),
  };

  return engine;
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
