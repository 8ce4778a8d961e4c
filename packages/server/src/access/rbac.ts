/**
 * Authorization as one pure module (no I/O): who may do what, on which tenants.
 * Every /api route, the live socket and the CLI's server calls go through `authorize`.
 */

export const roles = ['admin', 'executive', 'tenant_executive', 'analyst', 'ingest'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'capture',
  'events:read',
  'summary:read',
  'reports:read',
  'reports:manage',
  'query:run',
  'alerts:read',
  'alerts:write',
  'rules:read',
  'rules:write',
  'budgets:read',
  'budgets:write',
  'subscriptions:read',
  'subscriptions:write',
  'quarantine:read',
  'quarantine:replay',
  'users:manage',
  'keys:manage',
  'audit:read',
  'retention:manage',
  'integrations:manage',
] as const;
export type Permission = (typeof permissions)[number];

const businessReads: Permission[] = [
  'events:read',
  'summary:read',
  'reports:read',
  'alerts:read',
  'rules:read',
  'budgets:read',
  'subscriptions:read',
];

/** What each role may do; the tenant scope is checked separately. */
export const grants: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(permissions),
  executive: new Set([...businessReads, 'alerts:write']),
  tenant_executive: new Set([...businessReads, 'alerts:write']),
  analyst: new Set([...businessReads, 'query:run']),
  ingest: new Set(['capture']),
};

/** Who is asking: a user (session), an API key, or a project token. */
export interface Actor {
  kind: 'user' | 'api_key' | 'project_token';
  id: string;
  role: Role;
  /** The tenants this actor may see; 'all' for admins, executives and all-tenant analysts. */
  tenants: readonly string[] | 'all';
}

export type Decision =
  | { allowed: true; scope: readonly string[] | 'all' }
  | { allowed: false; reason: string; deniedTenants: string[] };

/** Roles whose scope is a tenant list by nature; the others see every tenant unless listed. */
const listScoped = new Set<Role>(['tenant_executive']);

export function scopeOf(actor: Actor): readonly string[] | 'all' {
  if (actor.role === 'admin' || actor.role === 'executive') return 'all';
  if (listScoped.has(actor.role) && actor.tenants === 'all') return []; // misconfigured: sees nothing
  return actor.tenants;
}

/**
 * May `actor` do `permission` on `requestedTenants` (undefined = "everything I may see")?
 * Allowed answers carry the effective scope to filter by; a request naming any tenant outside the
 * actor's scope is denied as a whole (and the caller audits it), never silently narrowed.
 */
export function authorize(
  actor: Actor,
  permission: Permission,
  requestedTenants?: readonly string[],
): Decision {
  if (!grants[actor.role].has(permission))
    return { allowed: false, reason: `role ${actor.role} may not ${permission}`, deniedTenants: [] };
  const scope = scopeOf(actor);
  if (requestedTenants === undefined) return { allowed: true, scope };
  if (scope === 'all') return { allowed: true, scope: [...new Set(requestedTenants)] };
  const visible = new Set(scope);
  const denied = requestedTenants.filter((t) => !visible.has(t));
  if (denied.length)
    return { allowed: false, reason: `outside your tenants: ${denied.join(', ')}`, deniedTenants: denied };
  return { allowed: true, scope: [...new Set(requestedTenants)] };
}

/** True when the scope includes this tenant (a filter for lists: never leaks others' rows or counts). */
export function inScope(scope: readonly string[] | 'all', tenant: string | null): boolean {
  return scope === 'all' || (tenant !== null && scope.includes(tenant));
}

/** True when two tenant lists (or 'all') grant the same tenants, whatever their order. */
export function sameTenants(a: readonly string[] | 'all', b: readonly string[] | 'all'): boolean {
  if (a === 'all' || b === 'all') return a === b;
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setA].every((t) => setB.has(t));
}
