import type { StoredEvent } from '../../storage/event-store.js';
import { cellText } from '../../text.js';
import type { EventStateSource } from '../../storage/alert-store.js';
import type { Rule } from '../rule-model.js';
import type { Alert } from '../types.js';

/**
 * One evaluation of one rule for one tenant and key:
 * - `fire`: the condition holds (opens or updates the alert);
 * - `clear`: it clearly no longer holds (past the hysteresis margin): counts toward auto-resolve;
 * - `hold`: inside the hysteresis band, or not enough evidence: the alert stays as it is.
 */
export interface Outcome {
  verdict: 'fire' | 'clear' | 'hold';
  tenantId: string;
  /** The rule's key properties (and the evaluator's entity/month/group), in a stable order. */
  keyParts: Record<string, string>;
  /** Title and why, rendered only when a notification needs them (not for every dedup update). */
  text?: () => { title: string; summary: string };
  value?: number | null;
  amount?: number | null;
  eventUuid?: string;
  /** Business time of the trigger: event timestamp, window end, review date. */
  eventAt?: number;
}

export interface Budgets {
  /** The tenant's monthly budget and per-group (resource_type) budgets, USD. */
  of(tenantId: string): { monthly: number | null; byGroup: ReadonlyMap<string, number> } | undefined;
}

export interface EvaluatorContext {
  budgets: Budgets;
  /** Whether the tenant has an open/acknowledged alert for this rule: skips building needless clears. */
  hasActive(ruleId: string, tenantId: string): boolean;
}

/** A rule compiled for evaluation: O(1)-ish work per matching event, state kept per tenant and key. */
export interface Evaluator {
  readonly rule: Rule;
  /** How far back before a moment the evaluator's state reaches (a preview reads that much first). */
  readonly historyMs?: number;
  onEvent(event: StoredEvent, now: number): Outcome[];
  /** Time-based evaluation: fire what time alone makes true (overdue), clear the active alerts time clears. */
  onTick?(now: number, active: readonly Alert[]): Outcome[];
  /** Re-evaluates a tenant after its budgets changed. */
  onBudgetChange?(tenantId: string, now: number): Outcome[];
  /** Restores in-memory state from the stored events (at start). */
  rebuild?(source: EventStateSource, now: number): Promise<void>;
}

/** The rule's key properties of an event, as strings ('' when absent). */
export function keyPartsOf(rule: Rule, props: Readonly<Record<string, unknown>>): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const k of rule.key) {
    parts[k] = cellText(props[k]);
  }
  return parts;
}

/** `Rule name — subject`: the label property when the rule has one, else the key values. */
export function titleOf(rule: Rule, keyParts: Record<string, string>, label?: unknown): string {
  const subject =
    typeof label === 'string' && label ? `“${label}”` : Object.values(keyParts).filter(Boolean).join(', ');
  return subject ? `${rule.name} — ${subject}` : rule.name;
}

/** A property value as key text: '' for absent, JSON for objects. */
export const keyText = cellText;

export const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export const stateKey = (tenantId: string, parts: readonly string[]): string =>
  parts.length ? `${tenantId}\u0000${parts.join('\u0000')}` : tenantId;
