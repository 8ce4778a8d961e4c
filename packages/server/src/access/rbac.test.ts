import { describe, expect, it } from 'vitest';
import {
  authorize,
  grants,
  inScope,
  permissions,
  sameTenants,
  roles,
  scopeOf,
  type Actor,
  type Permission,
  type Role,
} from './rbac.js';

const actor = (role: Role, tenants: Actor['tenants'] = ['acme']): Actor => ({
  kind: 'api_key',
  id: `k-${role}`,
  role,
  tenants,
});

// The role table, written out by hand: the table the implementation must match.
const expected: Record<Role, Permission[]> = {
  admin: [...permissions],
  executive: [
    'events:read',
    'summary:read',
    'reports:read',
    'alerts:read',
    'alerts:write',
    'rules:read',
    'budgets:read',
    'subscriptions:read',
  ],
  tenant_executive: [
    'events:read',
    'summary:read',
    'reports:read',
    'alerts:read',
    'alerts:write',
    'rules:read',
    'budgets:read',
    'subscriptions:read',
  ],
  analyst: [
    'events:read',
    'summary:read',
    'reports:read',
    'query:run',
    'alerts:read',
    'rules:read',
    'budgets:read',
    'subscriptions:read',
  ],
  ingest: ['capture'],
};

describe('authorize', () => {
  it.each(roles.flatMap((role) => permissions.map((p) => [role, p] as const)))(
    '%s × %s matches the role table',
    (role, permission) => {
      const decision = authorize(actor(role, 'all'), permission);
      expect(decision.allowed).toBe(expected[role].includes(permission));
      if (!decision.allowed) expect(decision.reason).toBe(`role ${role} may not ${permission}`);
    },
  );

  it('gives admins and executives every tenant whatever their tenant list says', () => {
    expect(scopeOf(actor('admin', ['x']))).toBe('all');
    expect(scopeOf(actor('executive', ['x']))).toBe('all');
    expect(authorize(actor('executive', []), 'summary:read', ['globex'])).toEqual({
      allowed: true,
      scope: ['globex'],
    });
  });

  it('confines a tenant executive to its tenants and refuses a request naming any other', () => {
    const te = actor('tenant_executive', ['acme', 'initech']);
    expect(authorize(te, 'summary:read')).toEqual({ allowed: true, scope: ['acme', 'initech'] });
    expect(authorize(te, 'summary:read', ['acme'])).toEqual({ allowed: true, scope: ['acme'] });
    expect(authorize(te, 'summary:read', ['acme', 'globex'])).toEqual({
      allowed: false,
      reason: 'outside your tenants: globex',
      deniedTenants: ['globex'],
    });
    // A tenant executive with no list (misconfigured) sees nothing rather than everything.
    expect(authorize(actor('tenant_executive', 'all'), 'events:read')).toEqual({ allowed: true, scope: [] });
  });

  it('lets an analyst be tenant-scoped or all-tenant', () => {
    expect(authorize(actor('analyst', ['acme']), 'query:run')).toEqual({ allowed: true, scope: ['acme'] });
    expect(authorize(actor('analyst', 'all'), 'query:run', ['globex'])).toEqual({
      allowed: true,
      scope: ['globex'],
    });
    expect(authorize(actor('analyst', ['acme']), 'query:run', ['globex']).allowed).toBe(false);
  });

  it('never lets an ingest token read', () => {
    for (const p of permissions.filter((x) => x !== 'capture'))
      expect(authorize(actor('ingest', 'all'), p).allowed).toBe(false);
  });

  it('deduplicates requested tenants', () => {
    expect(authorize(actor('admin'), 'events:read', ['a', 'a', 'b'])).toEqual({
      allowed: true,
      scope: ['a', 'b'],
    });
  });

  it('grants are exactly the table', () => {
    for (const role of roles) expect([...grants[role]].sort()).toEqual([...expected[role]].sort());
  });
});

describe('inScope', () => {
  it('filters rows by tenant; untenanted rows only for all-tenant scopes', () => {
    expect(inScope('all', null)).toBe(true);
    expect(inScope(['acme'], 'acme')).toBe(true);
    expect(inScope(['acme'], 'globex')).toBe(false);
    expect(inScope(['acme'], null)).toBe(false);
  });
});

describe('sameTenants', () => {
  it('compares grants as sets: order and repeats do not matter, a narrowing or widening does', () => {
    expect(sameTenants(['a', 'b'], ['b', 'a', 'a'])).toBe(true);
    expect(sameTenants('all', 'all')).toBe(true);
    expect(sameTenants(['a', 'b'], ['a'])).toBe(false);
    expect(sameTenants(['a'], ['a', 'b'])).toBe(false);
    expect(sameTenants(['a'], 'all')).toBe(false);
    expect(sameTenants([], [])).toBe(true);
  });
});
