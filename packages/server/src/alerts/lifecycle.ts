import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors.js';
import type { Outcome } from './evaluate/index.js';
import { outlookOf } from './outlook.js';
import type { Rule } from './rule-model.js';
import { MAX_EVENT_UUIDS, type Alert, type Transition, type TransitionKind } from './types.js';

/** An action the alert's state does not allow (ack a resolved alert…); maps to 409 conflict. */
export class AlertStateError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** One lifecycle step: the alert's new snapshot and, when its state changed, the transition. */
export interface Change {
  alert: Alert;
  /** Null for a dedup update (count and last_seen grew, nobody is notified). */
  transition: Transition | null;
}

interface Entry {
  alert: Alert;
  /**
   * When the condition was first seen clear since it last fired (hysteresis in time), in the readings' own
   * time; null while not clear.
   */
  clearSince: number | null;
}

/**
 * When a reading was true: its business time, never later than now. Resolve timing runs on this clock so a
 * backfill (the demo, an import, a seed) replays its history as it happened: a condition that cleared weeks
 * ago in the data is resolved, not left open until as much wall time has passed.
 */
const readingTime = (o: Outcome, now: number): number => Math.min(now, o.eventAt ?? now);

/** When a one-off fact was last seen, on the same clock: quiet mode counts from there. */
const lastOccurrence = (a: Alert): number => Math.min(a.lastSeen, a.lastEventAt ?? a.lastSeen);

/** What a person or the engine decided about an alert (its transitions), as opposed to its evidence. */
const stateOf = (a: Alert): Partial<Alert> => ({
  state: a.state,
  acknowledgedBy: a.acknowledgedBy,
  acknowledgedAt: a.acknowledgedAt,
  ackComment: a.ackComment,
  resolvedBy: a.resolvedBy,
  resolvedAt: a.resolvedAt,
  resolveComment: a.resolveComment,
  resolution: a.resolution,
});

export interface LifecycleOptions {
  /** Transitions whose trigger is older than this are backfill: recorded, not pushed. */
  notifyMaxAgeMs: number;
  /**
   * Storm guard: at most this many open alerts per rule and tenant (a rule keyed by a high-cardinality
   * property, or a flood of bad data, must not fill memory and the store); new keys beyond it are dropped
   * and counted in `suppressed` until some resolve.
   */
  maxActivePerRuleTenant?: number;
  newId?: () => string;
}

export const ENGINE_ACTOR = 'pulse';

export function dedupKeyOf(ruleId: string, tenantId: string, keyParts: Record<string, string>): string {
  return [ruleId, tenantId, ...Object.entries(keyParts).map(([k, v]) => `${k}=${v}`)].join('|');
}

/**
 * The open and acknowledged alerts, in memory, and the rules of their lifecycle:
 * open → acknowledged → resolved; one active alert per dedup key; a trigger within the cooldown of the
 * alert's last one only counts; auto-resolve after the condition stayed clear (or quiet) long enough.
 * Pure and synchronous: the engine persists what it returns.
 */
export class AlertLifecycle {
  private readonly active = new Map<string, Entry>();
  private readonly keyById = new Map<string, string>();
  /** Active alerts per rule, then per tenant (nested: no key string built per evaluated event). */
  private readonly perRuleTenant = new Map<string, Map<string, number>>();
  /**
   * Repeats that changed an alert's amount re-render its title once, in `settleTitles` (once per group
   * commit), not once per event: the latest repeat's text, with the alert's amount then.
   */
  private readonly staleTitles = new Map<Entry, NonNullable<Outcome['text']>>();
  private readonly newId: () => string;
  /** Triggers dropped by the storm guard, per `rule|tenant`. */
  readonly suppressed = new Map<string, number>();

  constructor(private readonly options: LifecycleOptions) {
    this.newId = options.newId ?? randomUUID;
  }

  /** Restores the active alerts (at start). */
  load(alerts: readonly Alert[]): void {
    for (const alert of alerts) if (alert.state !== 'resolved') this.track(alert, null);
  }

  /**
   * Takes the stored version of an alert another process changed: the store decides its state (open,
   * acknowledged, resolved); this process's own evaluation may be ahead on the evidence (count, last seen),
   * which it keeps. An alert of the same key this process raised and lost to the other's is replaced.
   */
  adopt(stored: Alert): void {
    const entry = this.entryOf(stored.id) ?? this.active.get(stored.dedupKey);
    const same = entry?.alert.id === stored.id;
    if (entry && same && stored.state !== 'resolved') {
      const local = this.current(entry);
      entry.alert = local.lastSeen > stored.lastSeen ? { ...local, ...stateOf(stored) } : stored;
      return;
    }
    if (entry && !same && stored.state === 'resolved') return; // an earlier alert of the key
    if (entry) this.untrack(entry.alert);
    if (stored.state !== 'resolved') this.track(stored, entry?.clearSince ?? null);
  }

  /** Takes the store's active alerts as they are now (changes of other processes may have been missed). */
  reload(stored: readonly Alert[]): void {
    const ids = new Set(stored.map((a) => a.id));
    for (const entry of [...this.active.values()]) if (!ids.has(entry.alert.id)) this.untrack(entry.alert);
    for (const alert of stored) this.adopt(alert);
  }

  hasActive(ruleId: string, tenantId: string): boolean {
    return (this.perRuleTenant.get(ruleId)?.get(tenantId) ?? 0) > 0;
  }

  /** Renders the titles repeats left stale (see staleTitles); call before the alerts are read or written. */
  settleTitles(): void {
    for (const entry of this.staleTitles.keys()) this.current(entry);
  }

  /** The entry's alert with its title rendered (a copy made from it must not carry a stale title). */
  private current(entry: Entry): Alert {
    const text = this.staleTitles.get(entry);
    if (text) {
      this.staleTitles.delete(entry);
      Object.assign(entry.alert, text(entry.alert.amount));
    }
    return entry.alert;
  }

  activeAlerts(ruleId?: string): Alert[] {
    this.settleTitles();
    const all = [...this.active.values()].map((e) => e.alert);
    return ruleId === undefined ? all : all.filter((a) => a.ruleId === ruleId);
  }

  get(id: string): Alert | undefined {
    const entry = this.entryOf(id);
    return entry && this.current(entry);
  }

  /** Applies one evaluation outcome. */
  apply(rule: Rule, outcome: Outcome, now: number): Change | null {
    const key = dedupKeyOf(rule.id, outcome.tenantId, outcome.keyParts);
    const entry = this.active.get(key);
    if (outcome.verdict === 'fire') return this.fire(rule, outcome, key, entry, now);
    if (!entry || rule.resolve.mode !== 'clear') return null;
    if (outcome.verdict === 'hold') {
      entry.clearSince = null;
      return null;
    }
    const at = readingTime(outcome, now);
    entry.clearSince ??= at;
    return at - entry.clearSince >= rule.resolve.afterMinutes * 60_000
      ? this.autoResolve(rule, entry, now)
      : null;
  }

  /**
   * A new occurrence of a one-off fact (quiet mode) whose alert had been quiet for its resolve period in the
   * data before it: that alert ended back then, and this occurrence is a new one (apply opens it). Live, the
   * timer resolves it first; a replayed history (a backfill, an import) brings both before any timer runs.
   */
  endQuiet(rule: Rule, outcome: Outcome, now: number): Change | null {
    if (outcome.verdict !== 'fire' || rule.resolve.mode !== 'quiet') return null;
    const entry = this.active.get(dedupKeyOf(rule.id, outcome.tenantId, outcome.keyParts));
    if (!entry) return null;
    const quiet = readingTime(outcome, now) - lastOccurrence(entry.alert);
    return quiet >= rule.resolve.afterMinutes * 60_000 ? this.autoResolve(rule, entry, now) : null;
  }

  /** Auto-resolves what stayed clear (clear mode) or quiet (quiet mode) long enough. */
  tick(rules: ReadonlyMap<string, Rule>, now: number): Change[] {
    const changes: Change[] = [];
    for (const entry of [...this.active.values()]) {
      const rule = rules.get(entry.alert.ruleId);
      if (!rule) continue;
      const after = rule.resolve.afterMinutes * 60_000;
      if (
        (rule.resolve.mode === 'clear' && entry.clearSince !== null && now - entry.clearSince >= after) ||
        (rule.resolve.mode === 'quiet' && now - lastOccurrence(entry.alert) >= after)
      )
        changes.push(this.autoResolve(rule, entry, now));
    }
    return changes;
  }

  acknowledge(id: string, actor: string, comment: string | null, now: number): Change | null {
    const entry = this.entryOf(id);
    if (!entry) return null;
    if (entry.alert.state === 'acknowledged')
      throw new AlertStateError(
        `alert ${id} is already acknowledged by ${entry.alert.acknowledgedBy ?? 'someone'}`,
      );
    const alert: Alert = {
      ...this.current(entry),
      state: 'acknowledged',
      acknowledgedBy: actor,
      acknowledgedAt: now,
      ackComment: comment,
      updatedAt: now,
    };
    entry.alert = alert;
    return { alert, transition: this.transition(alert, 'acknowledged', now, actor, comment) };
  }

  resolve(id: string, actor: string, comment: string | null, now: number): Change | null {
    const entry = this.entryOf(id);
    if (!entry) return null;
    return this.close(entry, now, actor, comment, 'manual');
  }

  private entryOf(id: string): Entry | undefined {
    const key = this.keyById.get(id);
    return key === undefined ? undefined : this.active.get(key);
  }

  private fire(rule: Rule, o: Outcome, key: string, entry: Entry | undefined, now: number): Change | null {
    const backfill = o.eventAt !== undefined && o.eventAt < now - this.options.notifyMaxAgeMs;
    if (!entry) {
      if (
        (this.perRuleTenant.get(rule.id)?.get(o.tenantId) ?? 0) >=
        (this.options.maxActivePerRuleTenant ?? 1000)
      ) {
        const rt = `${rule.id}|${o.tenantId}`;
        this.suppressed.set(rt, (this.suppressed.get(rt) ?? 0) + 1);
        return null;
      }
      const text = o.text?.(o.amount ?? null) ?? { title: rule.name, summary: '' };
      const alert: Alert = {
        id: this.newId(),
        ruleId: rule.id,
        ruleName: rule.name,
        severity: rule.severity,
        outlook: outlookOf(rule),
        tenantId: o.tenantId,
        dedupKey: key,
        keyParts: o.keyParts,
        state: 'open',
        title: text.title,
        summary: text.summary,
        amount: o.amount ?? null,
        value: o.value ?? null,
        eventUuids: o.eventUuid ? [o.eventUuid] : [],
        count: 1,
        firstSeen: now,
        lastSeen: now,
        lastEventAt: o.eventAt ?? null,
        acknowledgedBy: null,
        acknowledgedAt: null,
        ackComment: null,
        resolvedBy: null,
        resolvedAt: null,
        resolveComment: null,
        resolution: null,
        backfill,
        updatedAt: now,
      };
      this.track(alert, null);
      return { alert, transition: this.transition(alert, 'opened', now, ENGINE_ACTOR, null) };
    }
    const previous = this.current(entry);
    const cooldown = rule.cooldownMinutes * 60_000;
    // A state (clear mode) that kept holding is the same episode however long it lasts (a low score read
    // daily): refreshed, never announced again or un-acknowledged. It is announced again only after it was
    // seen clear for longer than the cooldown. A one-off fact is a new occurrence after the cooldown.
    const withinCooldown =
      rule.resolve.mode === 'clear'
        ? entry.clearSince === null || readingTime(o, now) - entry.clearSince <= cooldown
        : now - previous.lastSeen <= cooldown;
    // One-off facts (quiet mode) add up; a state (clear mode) shows its latest reading.
    const amount =
      rule.resolve.mode === 'clear' || o.amount === undefined || o.amount === null
        ? (o.amount ?? previous.amount)
        : (previous.amount ?? 0) + o.amount;
    const lastEventAt =
      o.eventAt === undefined ? previous.lastEventAt : Math.max(previous.lastEventAt ?? o.eventAt, o.eventAt);
    entry.clearSince = null;
    if (withinCooldown) {
      // The hot path (a repeat within the cooldown): updated in place, no copy. Queued writes and views
      // that hold this object only ever see a newer state of the same alert.
      if (o.eventUuid && !previous.eventUuids.includes(o.eventUuid)) {
        // A copy: outbox payloads share the array they were rendered with.
        previous.eventUuids = [...previous.eventUuids, o.eventUuid];
        if (previous.eventUuids.length > MAX_EVENT_UUIDS) previous.eventUuids.shift();
      }
      // A title that shows money shows the alert's amount: re-rendered when a repeat changes it.
      if (amount !== previous.amount && o.text) this.staleTitles.set(entry, o.text);
      previous.amount = amount;
      previous.value = o.value ?? previous.value;
      previous.count++;
      previous.lastSeen = now;
      previous.lastEventAt = lastEventAt;
      previous.updatedAt = now;
      return { alert: previous, transition: null };
    }
    const uuids =
      o.eventUuid && !previous.eventUuids.includes(o.eventUuid)
        ? [...previous.eventUuids, o.eventUuid].slice(-MAX_EVENT_UUIDS)
        : previous.eventUuids;
    const updated: Alert = {
      ...previous,
      amount,
      value: o.value ?? previous.value,
      eventUuids: uuids,
      count: previous.count + 1,
      lastSeen: now,
      lastEventAt,
      updatedAt: now,
    };
    // Quiet for longer than the cooldown and firing again: notify again, and an ack no longer holds.
    const refired: Alert = {
      ...updated,
      ...(o.text?.(amount) ?? {}),
      state: 'open',
      acknowledgedBy: null,
      acknowledgedAt: null,
      ackComment: null,
      backfill,
    };
    entry.alert = refired;
    return { alert: refired, transition: this.transition(refired, 'refired', now, ENGINE_ACTOR, null) };
  }

  private autoResolve(rule: Rule, entry: Entry, now: number): Change {
    const why =
      rule.resolve.mode === 'quiet'
        ? `no new occurrence for ${rule.resolve.afterMinutes} min`
        : `condition clear for ${rule.resolve.afterMinutes} min${rule.resolve.hysteresis ? ` (hysteresis ${rule.resolve.hysteresis})` : ''}`;
    return this.close(entry, now, ENGINE_ACTOR, why, 'auto');
  }

  private close(
    entry: Entry,
    now: number,
    actor: string,
    comment: string | null,
    resolution: 'manual' | 'auto',
  ): Change {
    const alert: Alert = {
      ...this.current(entry),
      state: 'resolved',
      resolvedBy: actor,
      resolvedAt: now,
      resolveComment: comment,
      resolution,
      updatedAt: now,
    };
    this.untrack(entry.alert);
    return { alert, transition: this.transition(alert, 'resolved', now, actor, comment) };
  }

  private transition(
    alert: Alert,
    kind: TransitionKind,
    at: number,
    actor: string,
    comment: string | null,
  ): Transition {
    return { id: this.newId(), alertId: alert.id, kind, at, actor, comment, backfill: alert.backfill };
  }

  private track(alert: Alert, clearSince: number | null): void {
    this.active.set(alert.dedupKey, { alert, clearSince });
    this.keyById.set(alert.id, alert.dedupKey);
    let tenants = this.perRuleTenant.get(alert.ruleId);
    if (!tenants) this.perRuleTenant.set(alert.ruleId, (tenants = new Map<string, number>()));
    tenants.set(alert.tenantId, (tenants.get(alert.tenantId) ?? 0) + 1);
  }

  private untrack(alert: Alert): void {
    this.active.delete(alert.dedupKey);
    this.keyById.delete(alert.id);
    const tenants = this.perRuleTenant.get(alert.ruleId);
    const n = (tenants?.get(alert.tenantId) ?? 1) - 1;
    if (n > 0) tenants?.set(alert.tenantId, n);
    else if (tenants?.delete(alert.tenantId) && !tenants.size) this.perRuleTenant.delete(alert.ruleId);
  }
}
