import { grants, scopeOf, type Role } from '../access/rbac.js';
import type { UserStore } from '../storage/user-store.js';
import type { ReportScheduleRecord } from '../storage/report-schedule-store.js';

export type Tenants = readonly string[] | 'all';

/** What one recipient's copy shows, or why they get none. */
export type RecipientScope =
  { tenants: Tenants; basis: 'user' | 'shared'; role: Role | null } | { tenants: null; reason: string };

export function intersect(a: Tenants, b: Tenants): Tenants {
  if (a === 'all') return b;
  if (b === 'all') return a;
  const inB = new Set(b);
  return a.filter((t) => inB.has(t));
}

/** The tenants the owner may see now: a user's current role and tenants (none once disabled or demoted). */
export async function ownerScope(schedule: ReportScheduleRecord, users: UserStore): Promise<Tenants> {
  if (schedule.owner.kind !== 'user') return schedule.owner.tenants;
  const owner = await users.get(schedule.owner.id);
  if (!owner || owner.disabledAt !== null || !grants[owner.role].has('reports:manage')) return [];
  return scopeOf({ kind: 'user', ...owner });
}

/**
 * A recipient who is a Pulse user sees their own scope within the schedule's tenants; any other address
 * sees only the tenants the owner shared explicitly (the schedule's `tenants`), and of those only the ones
 * the owner may see. An empty result means no copy.
 */
export async function recipientScope(
  schedule: ReportScheduleRecord,
  email: string,
  users: UserStore,
): Promise<RecipientScope> {
  const user = await users.findByEmail(email.toLowerCase());
  if (user) {
    if (user.disabledAt !== null) return { tenants: null, reason: 'the user is disabled' };
    if (!grants[user.role].has('reports:read'))
      return { tenants: null, reason: `role ${user.role} may not read reports` };
    const tenants = intersect(scopeOf({ kind: 'user', ...user }), schedule.tenants ?? 'all');
    return tenants === 'all' || tenants.length
      ? { tenants, basis: 'user', role: user.role }
      : { tenants: null, reason: 'none of the schedule’s tenants is in the user’s scope' };
  }
  return sharedScope(schedule, await ownerScope(schedule, users));
}

/** What addresses without a user (and the Slack channel) get: the shared tenants the owner may see. */
export function sharedScope(schedule: ReportScheduleRecord, owner: Tenants): RecipientScope {
  if (!schedule.tenants)
    return { tenants: null, reason: 'no tenants are shared with addresses outside Pulse' };
  const tenants = intersect(schedule.tenants, owner);
  return tenants === 'all' || tenants.length
    ? { tenants, basis: 'shared', role: null }
    : { tenants: null, reason: 'the owner may see none of the shared tenants' };
}

/** The scope in words, as the report states it. */
export const describeScope = (tenants: Tenants): string =>
  tenants === 'all'
    ? 'All tenants'
    : `${tenants.length === 1 ? 'Tenant' : 'Tenants'}: ${[...tenants].sort().join(', ')}`;
