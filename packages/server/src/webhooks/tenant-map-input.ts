import type { TenantMapConfig } from './tenant-map.js';

/** Reads a tenant map ({domains, stripeCustomers}, each key → tenant); `fail` makes the caller's error. */
export function parseTenantMap(value: unknown, fail: (problem: string) => Error): TenantMapConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('must be an object {"domains": {…}, "stripeCustomers": {…}}');
  const map: TenantMapConfig = { domains: {}, stripeCustomers: {} };
  for (const [name, entries] of Object.entries(value)) {
    if (name !== 'domains' && name !== 'stripeCustomers')
      throw fail(`has an unknown part "${name}" (domains, stripeCustomers)`);
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
      throw fail(`${name} must be an object of key → tenant`);
    for (const [key, tenant] of Object.entries(entries as Record<string, unknown>)) {
      if (typeof tenant !== 'string' || tenant.trim() === '' || key.trim() === '')
        throw fail(`${name}["${key}"] must name a tenant (a non-empty string)`);
      map[name][name === 'domains' ? key.trim().toLowerCase() : key.trim()] = tenant.trim();
    }
  }
  return map;
}
