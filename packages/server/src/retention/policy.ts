import type { RetentionPolicy as RetentionPolicyView } from '@pulse/api';
import { businessEventNames } from '@pulse/events';
import { ValidationError } from '../errors.js';
import type {
  RetentionCut,
  RetentionEvent,
  RetentionPolicy,
  RetentionTable,
} from '../storage/retention-store.js';

/**
 * Retention policies, pure: validation and the cutoff each (table, tenant) resolves to.
 *
 * Precedence, most specific first: (type, tenant) > (`*`, tenant) > (type) > (`*`) > keep forever. A tenant
 * override beats any type default: a tenant's contract ("delete everything of ours after 30 days", or a
 * legal hold "keep ours forever") is about that tenant, whatever the type.
 */

export const DAY_MS = 86_400_000;
/** 100 years: enough for any real policy, far from Date's range. */
export const MAX_DAYS = 36_500;
export const retentionTables: readonly RetentionTable[] = [...businessEventNames, 'generic'];
const events: ReadonlySet<string> = new Set<RetentionEvent>([...retentionTables, '*']);

/** How a policy is written (API body, config, CLI file): days a whole number ≥ 1, or "forever" / null. */
export interface PolicyInput {
  event: RetentionEvent;
  tenant?: string | null;
  days: number | 'forever' | null;
}

export interface PolicyProblem {
  index: number;
  field: string;
  problem: string;
}

const knownKeys = new Set(['event', 'tenant', 'days']);

/** Every problem of every entry (an empty list when all are valid) and the valid policies. */
export function checkPolicies(input: unknown): { policies: RetentionPolicy[]; problems: PolicyProblem[] } {
  const list =
    input && typeof input === 'object' && !Array.isArray(input) && 'policies' in input
      ? input.policies
      : input;
  if (!Array.isArray(list))
    return {
      policies: [],
      problems: [{ index: -1, field: 'policies', problem: 'must be a list (or {"policies": [...]})' }],
    };
  const policies: RetentionPolicy[] = [];
  const problems: PolicyProblem[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const bad = (field: string, problem: string) => problems.push({ index, field, problem });
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      bad('', 'must be an object {event, tenant?, days}');
      return;
    }
    const before = problems.length;
    const { event, tenant = null, days } = entry as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!knownKeys.has(key)) bad(key, 'is not a known field');
    if (typeof event !== 'string' || !events.has(event))
      bad('event', `must be one of ${[...events].join(', ')}; received ${JSON.stringify(event ?? null)}`);
    if (tenant !== null && (typeof tenant !== 'string' || tenant.trim() === ''))
      bad('tenant', `must be a non-empty string (or absent); received ${JSON.stringify(tenant)}`);
    const forever = days === null || days === 'forever';
    if (!forever && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS))
      bad(
        'days',
        `must be a whole number of days from 1 to ${MAX_DAYS}, or "forever"; received ${JSON.stringify(days ?? null)}`,
      );
    if (problems.length > before) return;
    const name = event as RetentionEvent;
    const owner = tenant as string | null;
    const key = `${name}\u0000${owner ?? ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      bad(
        'event',
        `repeats policies[${first}] (${name}${owner === null ? '' : `, tenant ${owner}`}); one policy per (event, tenant)`,
      );
      return;
    }
    seen.set(key, index);
    policies.push({
      event: name,
      tenant: owner,
      days: forever ? null : (days as number),
    });
  });
  return { policies, problems };
}

/** Valid policies, or a ValidationError (400) that lists every bad entry with its index. */
export function parsePolicies(input: unknown): RetentionPolicy[] {
  const { policies, problems } = checkPolicies(input);
  if (problems.length) throw new ValidationError('policies', describeProblems(problems));
  return policies;
}

export function describeProblems(problems: readonly PolicyProblem[]): string {
  const lines = problems.map((p) =>
    p.index < 0 ? p.problem : `policies[${p.index}]${p.field ? `.${p.field}` : ''} ${p.problem}`,
  );
  if (problems.length === 1 && (problems[0]?.index ?? 0) < 0) return lines[0] ?? '';
  return `has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${lines.join('; ')}`;
}

/** The max age in days of a (table, tenant) under these policies; null = keep forever. */
export function daysFor(
  policies: readonly RetentionPolicy[],
  table: RetentionTable,
  tenant: string | null,
): number | null {
  const find = (event: RetentionEvent, t: string | null) =>
    policies.find((p) => p.event === event && p.tenant === t);
  const policy =
    (tenant !== null ? (find(table, tenant) ?? find('*', tenant)) : undefined) ??
    find(table, null) ??
    find('*', null);
  return policy ? policy.days : null;
}

const cutoffOf = (days: number | null, now: number) => (days === null ? null : now - days * DAY_MS);

/**
 * The cut of each table at `now`: rows older than now − days go. Tables with nothing to delete (every
 * resolution is "forever") are left out.
 */
export function planCuts(policies: readonly RetentionPolicy[], now: number): RetentionCut[] {
  const cuts: RetentionCut[] = [];
  for (const table of retentionTables) {
    const cutoff = cutoffOf(daysFor(policies, table, null), now);
    const tenants = new Map<string, number | null>();
    for (const p of policies) {
      if (p.tenant === null || (p.event !== table && p.event !== '*') || tenants.has(p.tenant)) continue;
      const own = cutoffOf(daysFor(policies, table, p.tenant), now);
      if (own !== cutoff) tenants.set(p.tenant, own);
    }
    if (cutoff !== null || [...tenants.values()].some((c) => c !== null))
      cuts.push({ table, cutoff, tenants });
  }
  return cuts;
}

/** Policies as the API and CLI show them: days or "forever", tenant only when set. */
export function presentPolicy(p: RetentionPolicy): RetentionPolicyView {
  return {
    event: p.event,
    ...(p.tenant !== null ? { tenant: p.tenant } : {}),
    days: p.days ?? 'forever',
  };
}
