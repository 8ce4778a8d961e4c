import type { TenantState } from './state.js';

const pages = [
  '/dashboard',
  '/dashboard',
  '/campaigns',
  '/campaigns/new',
  '/reports/deliverability',
  '/billing',
  '/settings/team',
  '/integrations',
];
const customEvents = [
  ['report_exported', 'format', ['csv', 'pdf', 'xlsx']],
  ['user_invited', 'role', ['admin', 'member', 'viewer']],
  ['campaign_scheduled', 'channel', ['email', 'sms']],
  ['integration_connected', 'integration', ['salesforce', 'hubspot', 'slack', 'stripe']],
] as const;

/** A person at the tenant: generic events come from users, not from the tenant's backend. */
export function userDistinctId(t: TenantState): string {
  return `${t.profile.id}:user-${1 + t.rng.int(t.users)}`;
}

/** A `$pageview` as posthog-js sends it (the parts Pulse keeps), tagged with the tenant. */
export function pageview(t: TenantState): Record<string, unknown> {
  const path = t.rng.pick(pages);
  const host = `app.${t.profile.domain}`;
  return {
    tenant_id: t.profile.id,
    $current_url: `https://${host}${path}`,
    $host: host,
    $pathname: path,
    $lib: 'web',
  };
}

/** A product-analytics custom event: stored and queryable, feeds no business metric. */
export function customEvent(t: TenantState): [name: string, properties: Record<string, unknown>] {
  const [name, key, values] = t.rng.pick(customEvents);
  return [name, { tenant_id: t.profile.id, [key]: t.rng.pick(values) }];
}
