import { ValidationError } from '../errors.js';
import { roles, type Role } from './rbac.js';

export interface GrantInput {
  role: Role;
  /** Omitted = 'all' (not allowed for tenant_executive, whose scope is a list by nature). */
  tenants?: readonly string[] | 'all';
}

/** The role and tenants of a key or user being created or changed; errors name the field. */
export function parseGrant(b: Record<string, unknown>): GrantInput {
  const role = b.role;
  if (typeof role !== 'string' || !(roles as readonly string[]).includes(role))
    throw new ValidationError('role', `must be one of ${roles.join(', ')}; received ${JSON.stringify(role)}`);
  const tenants = parseTenants(b.tenants);
  checkGrant(role as Role, tenants);
  return { role: role as Role, ...(tenants !== undefined ? { tenants } : {}) };
}

export function parseTenants(raw: unknown): readonly string[] | 'all' | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'all') return 'all';
  if (!Array.isArray(raw)) throw new ValidationError('tenants', 'must be a list of tenant ids or "all"');
  if (!raw.length) throw new ValidationError('tenants', 'must list at least one tenant (or be "all")');
  if (!raw.every((t): t is string => typeof t === 'string' && t.trim() !== '' && t.length <= 200))
    throw new ValidationError(
      'tenants',
      'must be a list of non-empty tenant ids (at most 200 characters each)',
    );
  return [...new Set(raw.map((t) => t.trim()))];
}

/** Role and tenants must fit together: a tenant executive needs a list; admins and executives see all. */
export function checkGrant(role: Role, tenants: readonly string[] | 'all' | undefined): void {
  if (role === 'tenant_executive' && (tenants === undefined || tenants === 'all'))
    throw new ValidationError('tenants', 'is required for role tenant_executive: the tenants it may see');
  if ((role === 'admin' || role === 'executive') && Array.isArray(tenants))
    throw new ValidationError('tenants', `does not apply to role ${role}: it sees every tenant`);
}
