import type { Logger } from 'pino';
import type { RecordCipher } from '../encryption/record-cipher.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { CommittedBatch, CommittedListener } from '../ingestion/event-stream.js';
import type { AlertFilter, AlertStore, AlertWrite, Budget, DeliveryFilter } from '../storage/alert-store.js';
import { mergeBudgets, parseBudgetInput } from './budgets.js';
import type { ChannelRegistry, DashboardStream } from './channels/index.js';
import { defaultRules } from './default-rules.js';
import { WeeklyDigest } from './digest.js';
import { Dispatcher } from './dispatcher.js';
import { openAlertJournal } from './journal.js';
import { createEvaluator, type Budgets, type Evaluator, type Outcome } from './evaluate/index.js';
import { AlertLifecycle, AlertStateError, type Change } from './lifecycle.js';
import { toAlertView } from './present.js';
import { alertNotification, deliveriesFor } from './routing.js';
import type { Rule } from './rule-model.js';
import { parseRule, parseRuleSet } from './rule-validation.js';
import type { AlertSettings } from './settings.js';
import type { Alert, Delivery, Transition } from './types.js';
import { AlertWriter } from './writer.js';

export type AlertLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface EngineHooks {
  /** After a batch of transitions and outbox rows is durable, before anything is sent (tests crash here). */
  afterCommit?: (batch: AlertWrite) => void;
}

export type TransitionListener = (transition: Transition, alert: Alert) => void;

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
  /**
   * Journal notified transitions here before storing them (journal.ts): notifications then wait for an
   * fsync, not for the store. Without it they wait for the store's commit.
   */
  journal?: { dir: string; cipher: RecordCipher | null };
}

interface Compiled {
  byEvent: Map<string, Evaluator[]>;
  all: Evaluator[];
}

/**
 * The streaming alert engine: evaluates committed events as they arrive (synchronously, O(rules
 * of the event's type) per event), keeps the lifecycle in memory, writes each transition with its outbox
 * rows in one transaction, then sends them at once. A timer drives time-based rules and auto-resolve.
 */
export function createAlertEngine(options: AlertEngineOptions) {
  const { store, settings, channels, dashboard, logger } = options;
  const clock = options.clock ?? Date.now;
  const lifecycle = new AlertLifecycle({ notifyMaxAgeMs: settings.notifyMaxAgeMs });
  const transitionListeners = new Set<TransitionListener>();
  const budgetMap = new Map<string, { monthly: number | null; byGroup: Map<string, number> }>();
  const budgets: Budgets = { of: (tenantId) => budgetMap.get(tenantId) };
  const context = {
    budgets,
    hasActive: (ruleId: string, tenantId: string) => lifecycle.hasActive(ruleId, tenantId),
  };

  let rules: Rule[] = [];
  let rulesById = new Map<string, Rule>();
  let compiled: Compiled = { byEvent: new Map(), all: [] };
  let live = false;
  let buffered: CommittedBatch[] = [];
  const captures = new Set<(batch: CommittedBatch) => void>();
  let unsubscribe: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;

  const dispatcher = new Dispatcher({
    store,
    channels,
    policy: settings.delivery,
    clock,
    ...(options.random ? { random: options.random } : {}),
    onError: (error, delivery) =>
      logger.warn(
        { err: error, delivery: delivery.id, channel: delivery.channel, attempt: delivery.attempts + 1 },
        'alert notification failed',
      ),
  });

  const writer = new AlertWriter({
    store,
    lazyMs: options.writerLazyMs ?? 250,
    onError: (error) => logger.error({ err: error }, 'writing alerts failed; retrying'),
    onCommitted,
  });

  const digest = new WeeklyDigest({
    store,
    channels,
    settings,
    clock,
    dispatch: (rows) => dispatcher.dispatch(rows),
    onError: (error) => logger.error({ err: error }, 'weekly digest failed'),
  });

  function onCommitted(batch: AlertWrite, stored: Promise<void>): void {
    options.hooks?.afterCommit?.(batch);
    dispatcher.dispatch(batch.deliveries, stored);
    const snapshots = new Map(batch.alerts.map((a) => [a.id, a]));
    for (const t of batch.transitions) {
      const alert = snapshots.get(t.alertId);
      if (!alert) continue;
      const id = `${t.id}.dashboard`;
      channels.dashboard
        .send({ id, target: '', payload: alertNotification(alert, t, id, settings.publicUrl) })
        .catch((error: unknown) => logger.warn({ err: error }, 'dashboard stream failed'));
      for (const listener of transitionListeners) {
        try {
          listener(t, alert);
        } catch (error) {
          logger.error({ err: error }, 'alert transition listener failed');
        }
      }
    }
    const transitioned = new Set(batch.transitions.map((t) => t.alertId));
    for (const alert of batch.alerts)
      if (!transitioned.has(alert.id))
        dashboard.publish({ type: 'alert.updated', alert: toAlertView(alert, settings.publicUrl) });
  }

  /**
   * Queues a change for writing. Transitions that notify someone now (outbox rows; a live critical or high
   * alert for the dashboard) are written at once; the rest (backfill, medium, dedup) are coalesced.
   * With `urgent`, the promise resolves once the change is durable (API actions).
   */
  function record(change: Change, urgent = false): Promise<void> | void {
    const { alert, transition } = change;
    if (!transition) return writer.submitUpdate(alert);
    const deliveries = deliveriesFor(alert, transition, settings, channels);
    if (urgent || deliveries.length || (!transition.backfill && alert.severity !== 'medium'))
      return writer.submitTransition(alert, transition, deliveries);
    writer.submitQuiet(alert, transition);
  }

  function apply(rule: Rule, outcomes: readonly Outcome[], now: number): void {
    for (const outcome of outcomes) {
      const change = lifecycle.apply(rule, outcome, now);
      if (change) void record(change);
    }
  }

  /** The stream listener: evaluation is synchronous and in memory; the writes it causes are queued. */
  function evaluate(batch: CommittedBatch): void {
    for (const capture of captures) capture(batch);
    if (!live) {
      buffered.push(batch);
      return;
    }
    const now = clock();
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
  }

  function compile(list: readonly Rule[]): Compiled {
    const result: Compiled = { byEvent: new Map(), all: [] };
    for (const rule of list) {
      if (!rule.enabled) continue;
      const evaluator = createEvaluator(rule, context);
      result.all.push(evaluator);
      for (const event of rule.events)
        result.byEvent.set(event, [...(result.byEvent.get(event) ?? []), evaluator]);
    }
    return result;
  }

  /**
   * Compiles and rebuilds the evaluators of a rule set, then swaps them in. Events committed meanwhile go to
   * the current evaluators and are replayed into the new ones' state (their outcomes were already applied).
   */
  async function install(list: readonly Rule[]): Promise<void> {
    const next = compile(list);
    const during: CommittedBatch[] = [];
    const capture = (batch: CommittedBatch) => during.push(batch);
    captures.add(capture);
    try {
      for (const evaluator of next.all) {
        try {
          await evaluator.rebuild?.(store, clock());
        } catch (error) {
          logger.error({ err: error, rule: evaluator.rule.id }, 'rebuilding alert rule state failed');
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
  }

  /** Stores what the journal holds beyond the store (a crash between the two), then journals from there. */
  async function openJournal(where: { dir: string; cipher: RecordCipher | null }): Promise<void> {
    let stored = await store.journalStored();
    const { journal, unstored } = await openAlertJournal({ ...where, stored });
    for (const { batch, end } of unstored) {
      await store.write(batch, 'fast', end);
      stored = end;
    }
    journal.release(stored);
    if (unstored.length)
      logger.info({ batches: unstored.length }, 'stored alert changes left in the journal');
    writer.useJournal(journal, stored);
  }

  async function loadRules(): Promise<Rule[]> {
    const stored = await store.loadRules();
    if (stored === null) {
      await store.saveRules(defaultRules);
      return structuredClone([...defaultRules]);
    }
    const valid: Rule[] = [];
    stored.forEach((raw, i) => {
      try {
        valid.push(parseRule(raw, `rules[${i}]`));
      } catch (error) {
        logger.warn({ err: error }, 'a stored alert rule no longer validates; it is skipped');
      }
    });
    return valid;
  }

  function setBudgetMap(list: readonly Budget[]): void {
    budgetMap.clear();
    for (const b of list) {
      const entry = budgetMap.get(b.tenantId) ?? { monthly: null, byGroup: new Map<string, number>() };
      if (b.resourceType === null) entry.monthly = b.monthlyUsd;
      else entry.byGroup.set(b.resourceType, b.monthlyUsd);
      budgetMap.set(b.tenantId, entry);
    }
  }

  async function saveRules(list: Rule[]): Promise<Rule[]> {
    await store.saveRules(list);
    await install(list);
    return list;
  }

  const engine = {
    dashboard,

    /** Loads rules, budgets and open alerts, rebuilds rule state, subscribes, resumes pending notifications. */
    async start(stream?: { subscribe(listener: CommittedListener): () => void }): Promise<void> {
      if (options.journal) await openJournal(options.journal);
      unsubscribe = stream ? stream.subscribe(evaluate) : null;
      setBudgetMap(await store.listBudgets());
      lifecycle.load(await store.activeAlerts());
      await install(await loadRules());
      live = true;
      const pending = buffered;
      buffered = [];
      for (const batch of pending) evaluate(batch);
      const resumed = await dispatcher.resume();
      if (resumed) logger.info({ notifications: resumed }, 'resending pending alert notifications');
      timer = setInterval(() => {
        engine.tick().catch((error: unknown) => logger.error({ err: error }, 'alert timer failed'));
      }, settings.tickMs);
      timer.unref();
      digest.start();
    },

    /** Stops timers and the stream, writes what is queued and lets in-flight sends finish. */
    async stop(): Promise<void> {
      unsubscribe?.();
      unsubscribe = null;
      if (timer) clearInterval(timer);
      timer = null;
      digest.stop();
      await writer.close();
      await dispatcher.stop();
      for (const channel of Object.values(channels)) await channel.close?.();
    },

    evaluate,

    /** Time-based evaluation (overdue reviews, closing windows and months) and auto-resolve, now. */
    async tick(): Promise<void> {
      const now = clock();
      for (const evaluator of compiled.all) {
        if (!evaluator.onTick) continue;
        try {
          apply(evaluator.rule, evaluator.onTick(now, lifecycle.activeAlerts(evaluator.rule.id)), now);
        } catch (error) {
          logger.error({ err: error, rule: evaluator.rule.id }, 'alert rule timer failed');
        }
      }
      for (const change of lifecycle.tick(rulesById, now)) void record(change);
      await writer.flush();
    },

    /** Resolves once everything evaluated so far is durable (and its notifications handed to the dispatcher). */
    flush: () => writer.flush(),

    /** Resolves once no notification is being sent (tests). */
    idle: () => dispatcher.idle(),

    /** Called after each durable transition (audit trail, live dashboard). */
    onTransition(listener: TransitionListener): () => void {
      transitionListeners.add(listener);
      return () => transitionListeners.delete(listener);
    },

    // ── alerts ──────────────────────────────────────────────────────────────────────────────
    async listAlerts(filter: AlertFilter): Promise<Alert[]> {
      // Open alerts' newest counts may still sit in the writer's coalescing queue: memory is fresher.
      return (await store.listAlerts(filter)).map((a) => lifecycle.get(a.id) ?? a);
    },

    async getAlert(id: string): Promise<{ alert: Alert; transitions: Transition[]; deliveries: Delivery[] }> {
      const alert = lifecycle.get(id) ?? (await store.getAlert(id));
      if (!alert) throw new NotFoundError(`alert ${id}`);
      const [transitions, deliveries] = await Promise.all([
        store.transitions(id),
        store.listDeliveries({ alertId: id, limit: 1000 }),
      ]);
      return { alert, transitions, deliveries };
    },

    async acknowledge(id: string, actor: string, comment: string | null): Promise<Alert> {
      const change = lifecycle.acknowledge(id, actor, comment, clock());
      if (!change) throw await notActive(id, 'acknowledge');
      await record(change, true);
      return change.alert;
    },

    async resolve(id: string, actor: string, comment: string | null): Promise<Alert> {
      const change = lifecycle.resolve(id, actor, comment, clock());
      if (!change) throw await notActive(id, 'resolve');
      await record(change, true);
      return change.alert;
    },

    listDeliveries: (filter: DeliveryFilter) => store.listDeliveries(filter),

    /** Sends a dead-lettered (or pending) notification again now. */
    async retryDelivery(id: string): Promise<Delivery> {
      const delivery = await store.getDelivery(id);
      if (!delivery) throw new NotFoundError(`notification ${id}`);
      if (delivery.status === 'sent') throw new AlertStateError(`notification ${id} was already sent`);
      const now = clock();
      const again: Delivery = { ...delivery, status: 'pending', attempts: 0, nextAttemptAt: now };
      await store.updateDeliveries([
        {
          id,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastError: delivery.lastError,
          sentAt: null,
        },
      ]);
      dispatcher.retry(again);
      return again;
    },

    // ── rules ───────────────────────────────────────────────────────────────────────────────
    rules: (): readonly Rule[] => rules,

    /** Replaces the whole rule set (validated first: nothing changes when one rule is invalid). */
    replaceRules: (input: unknown) => saveRules(parseRuleSet(input)),

    async putRule(id: string, input: unknown): Promise<Rule> {
      const rule = parseRule(input);
      if (rule.id !== id)
        throw new ValidationError('id', `must match the rule in the path (${id}); received ${rule.id}`);
      const at = rules.findIndex((r) => r.id === id);
      await saveRules(at < 0 ? [...rules, rule] : rules.map((r) => (r.id === id ? rule : r)));
      return rule;
    },

    async deleteRule(id: string): Promise<void> {
      if (!rulesById.has(id)) throw new NotFoundError(`rule ${id}`);
      await saveRules(rules.filter((r) => r.id !== id));
    },

    resetRules: () => saveRules(structuredClone([...defaultRules])),

    // ── budgets ─────────────────────────────────────────────────────────────────────────────
    budgets: () => store.listBudgets(),

    /** Sets (merges) a tenant's budgets and re-evaluates its run-rate at once. */
    async setBudgets(tenantId: string, input: unknown): Promise<Budget[]> {
      const parsed = parseBudgetInput(input);
      const all = await store.listBudgets();
      const next = mergeBudgets(
        tenantId,
        all.filter((b) => b.tenantId === tenantId),
        parsed,
        clock(),
      );
      await store.replaceBudgets(tenantId, next);
      setBudgetMap([...all.filter((b) => b.tenantId !== tenantId), ...next]);
      await reevaluateBudgets(tenantId);
      return next;
    },

    async deleteBudgets(tenantId: string): Promise<boolean> {
      const all = await store.listBudgets();
      if (!all.some((b) => b.tenantId === tenantId)) return false;
      await store.replaceBudgets(tenantId, []);
      setBudgetMap(all.filter((b) => b.tenantId !== tenantId));
      await reevaluateBudgets(tenantId);
      return true;
    },

    /** Runs the weekly digest for the week ending now (or `at`). */
    runDigest: (at?: number) => digest.run(at ?? clock()),
    nextDigest: () => digest.nextRun(),
  };

  async function reevaluateBudgets(tenantId: string): Promise<void> {
    const now = clock();
    for (const evaluator of compiled.all)
      if (evaluator.onBudgetChange) apply(evaluator.rule, evaluator.onBudgetChange(tenantId, now), now);
    await writer.flush();
  }

  async function notActive(id: string, action: string): Promise<Error> {
    const stored = await store.getAlert(id);
    if (!stored) return new NotFoundError(`alert ${id}`);
    return new AlertStateError(`cannot ${action} alert ${id}: it is already ${stored.state}`);
  }

  return engine;
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
