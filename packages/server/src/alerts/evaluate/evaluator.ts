import type { SnapshotReader, SnapshotWriter } from '../../analytics/snapshot-codec.js';
import type { StoredEvent } from '../../storage/event-store.js';
import { cellText } from '../../text.js';
import type { EventStateSource } from '../../storage/alert-store.js';
import { formatUsd, formatWhen } from '../format.js';
import type { Rule } from '../rule-model.js';
import { nextStepOf } from './next-steps.js';
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
  /**
   * Title and why, rendered only when the alert's text is needed. `amount` is the alert's amount (one-off
   * amounts add up over repeats), so the money a title shows is always the alert's.
   */
  text?: (amount: number | null) => { title: string; summary: string };
  value?: number | null;
  amount?: number | null;
  eventUuid?: string;
  /**
   * Business time of the reading, a trigger's or a clear's: event timestamp, window end, review date. Resolve
   * timing runs on it, so a replayed history resolves as it happened.
   */
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
  /** Writes the state a restart resumes from instead of a rebuild (alerts/rule-state-file.ts). */
  saveState?(out: SnapshotWriter): void;
  /** Takes what `saveState` wrote into a fresh evaluator (throws SnapshotShapeError when it does not fit). */
  loadState?(input: SnapshotReader): void;
  /** Adds a stored event to loaded state as a rebuild would (no judging, no data clock): the events since a save. */
  replay?(event: StoredEvent): void;
}

/** Key parts as a count and name, value pairs (saved rule state). */
export function writeKeyParts(out: SnapshotWriter, parts: Record<string, string>): void {
  const entries = Object.entries(parts);
  out.word(entries.length);
  for (const [k, v] of entries) {
    out.string(k);
    out.string(v);
  }
}

export function readKeyParts(input: SnapshotReader): Record<string, string> {
  const parts: Record<string, string> = {};
  for (let i = input.word(); i > 0; i--) {
    const k = input.string();
    parts[k] = input.string();
  }
  return parts;
}

/** The rule's key properties of an event, as strings ('' when absent). */
export function keyPartsOf(rule: Rule, props: Readonly<Record<string, unknown>>): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const k of rule.key) {
    parts[k] = cellText(props[k]);
  }
  return parts;
}

/** `payment_failure` or `“Move ESP”`: the label property when the rule has one, else the key values. */
export function subjectOf(keyParts: Record<string, string>, label?: unknown): string {
  return typeof label === 'string' && label
    ? `“${label}”`
    : Object.values(keyParts).filter(Boolean).join(', ');
}

/** `Rule name: $25,000 at acme-corp (payment_failure)`: what happened, how much, to whom. */
export function titleOf(
  rule: Rule,
  tenantId: string,
  keyParts: Record<string, string>,
  options: { label?: unknown; money?: number | null } = {},
): string {
  const subject = subjectOf(keyParts, options.label);
  const money = options.money === undefined || options.money === null ? '' : `: ${formatUsd(options.money)}`;
  return `${rule.name}${money} at ${tenantId}${subject ? ` (${subject})` : ''}`;
}

/** `Since 14:05 UTC, 7 Dec: why. Next step: what to do.` */
export const summaryOf = (rule: Rule, since: number, why: string): string =>
  `Since ${formatWhen(since)}: ${why}. Next step: ${nextStepOf(rule)}`;

/** A property value as key text: '' for absent, JSON for objects. */
export const keyText = cellText;

export const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export const stateKey = (tenantId: string, parts: readonly string[]): string =>
  parts.length ? `${tenantId}\u0000${parts.join('\u0000')}` : tenantId;
