import type { BusinessEventName } from '@pulse/events';
import { ValidationError } from '../errors.js';
import type { EventHistorySource } from '../storage/alert-store.js';
import type { StoredEvent } from '../storage/event-store.js';
import { createEvaluator, type Budgets, type Outcome } from './evaluate/index.js';
import { AlertLifecycle } from './lifecycle.js';
import type { Rule } from './rule-model.js';

/** The longest range a preview replays. */
export const PREVIEW_MAX_DAYS = 92;
/** Time-based evaluation (auto-resolve, closing windows) runs at most this often in event time. */
const TICK_MS = 60_000;

export interface PreviewRange {
  from: number;
  to: number;
  tenants?: readonly string[];
}

export interface PreviewFiring {
  /** Business time of the trigger (event time, window or bucket end). */
  at: number;
  kind: 'opened' | 'refired';
  tenantId: string;
  keyParts: Record<string, string>;
  value: number | null;
  title: string;
  summary: string;
}

export interface PreviewResult {
  ruleId: string;
  from: number;
  to: number;
  /** Events replayed, including the history read before `from` to warm the rule's state. */
  events: number;
  truncated: boolean;
  /** The newest event replayed (null without events): with truncation, the preview ends there. */
  evaluatedTo: number | null;
  firings: PreviewFiring[];
  tenants: { tenantId: string; firings: number }[];
}

function checkRange(range: PreviewRange): void {
  if (!(range.to > range.from)) throw new ValidationError('to', 'must be after from');
  const days = (range.to - range.from) / 86_400_000;
  if (days > PREVIEW_MAX_DAYS)
    throw new ValidationError(
      'to',
      `spans ${Math.ceil(days)} days; a preview covers at most ${PREVIEW_MAX_DAYS} days`,
    );
}

/**
 * The stored events of the rule's types in the range, merged oldest first. A type that has more than the
 * limit cuts the replay at its last event read, so no event before the cut is missing.
 */
async function history(
  source: EventHistorySource,
  events: readonly BusinessEventName[],
  query: { from: number; to: number; tenants?: readonly string[] },
  limit: number,
): Promise<{ events: StoredEvent[]; truncated: boolean }> {
  const all: StoredEvent[] = [];
  let cut = Infinity;
  for (const event of events) {
    const rows = await source.eventsBetween({ event, ...query, limit: limit + 1 });
    if (rows.length > limit) cut = Math.min(cut, (rows.at(-2) as (typeof rows)[number]).timestamp);
    for (const row of rows)
      all.push({
        uuid: row.uuid,
        event,
        distinctId: row.tenantId,
        timestamp: row.timestamp,
        tenantId: row.tenantId,
        ingestedAt: row.timestamp,
        properties: row.values,
      });
  }
  // Stable: events of one type keep their stored order.
  all.sort((a, b) => a.timestamp - b.timestamp);
  const kept = all.filter((e) => e.timestamp <= cut);
  return {
    events: kept.slice(0, limit),
    truncated: cut < Infinity || kept.length > limit,
  };
}

/**
 * Replays a rule over stored history through the live engine's evaluator and alert lifecycle, with each
 * event's time as the clock: when, and for which tenants, the rule would have opened (or re-fired) alerts.
 * The history its state needs before `from` is replayed first without recording.
 */
export async function previewRule(
  rule: Rule,
  range: PreviewRange,
  deps: { source: EventHistorySource; budgets: Budgets; maxEvents: number },
): Promise<PreviewResult> {
  checkRange(range);
  const lifecycle = new AlertLifecycle({ notifyMaxAgeMs: Infinity });
  const evaluator = createEvaluator(rule, {
    budgets: deps.budgets,
    hasActive: (ruleId, tenantId) => lifecycle.hasActive(ruleId, tenantId),
  });
  const rules = new Map([[rule.id, rule]]);
  const { events, truncated } = await history(
    deps.source,
    rule.events,
    {
      from: range.from - (evaluator.historyMs ?? 0),
      to: range.to,
      ...(range.tenants ? { tenants: range.tenants } : {}),
    },
    deps.maxEvents,
  );
  const firings: PreviewFiring[] = [];

  const apply = (outcomes: readonly Outcome[], now: number) => {
    for (const outcome of outcomes) {
      lifecycle.endQuiet(rule, outcome, now);
      const change = lifecycle.apply(rule, outcome, now);
      const kind = change?.transition?.kind;
      if (!change || (kind !== 'opened' && kind !== 'refired')) continue;
      const { alert } = change;
      firings.push({
        at: outcome.eventAt ?? now,
        kind,
        tenantId: alert.tenantId,
        keyParts: alert.keyParts,
        value: alert.value,
        title: alert.title,
        summary: alert.summary,
      });
    }
  };

  let lastTick = -Infinity;
  for (const event of events) {
    const now = event.timestamp;
    const outcomes = evaluator.onEvent(event, now);
    if (now < range.from) continue;
    apply(outcomes, now);
    if (now - lastTick >= TICK_MS) {
      lastTick = now;
      if (evaluator.onTick) apply(evaluator.onTick(now, lifecycle.activeAlerts(rule.id)), now);
      lifecycle.tick(rules, now);
    }
  }

  const perTenant = new Map<string, number>();
  for (const f of firings) perTenant.set(f.tenantId, (perTenant.get(f.tenantId) ?? 0) + 1);
  return {
    ruleId: rule.id,
    from: range.from,
    to: range.to,
    events: events.length,
    truncated,
    evaluatedTo: events.at(-1)?.timestamp ?? null,
    firings,
    tenants: [...perTenant]
      .map(([tenantId, n]) => ({ tenantId, firings: n }))
      .sort((a, b) => b.firings - a.firings),
  };
}
