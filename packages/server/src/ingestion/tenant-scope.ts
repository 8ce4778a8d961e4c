import { makeIssue, type SchemaIssue } from '@pulse/events';
import type { CapturedEvent } from './captured-event.js';

/**
 * Why an event may not be stored with the capture token that sent it: its `tenant_id` is not one of
 * the token's tenants (a missing one neither). Undefined when it may be, or the token is not scoped.
 */
export function scopeIssue(
  event: CapturedEvent,
  tenants: readonly string[] | 'all',
): SchemaIssue | undefined {
  if (tenants === 'all') return undefined;
  const tenant = event.properties.tenant_id;
  if (typeof tenant === 'string' && tenants.includes(tenant)) return undefined;
  return makeIssue(
    event.event,
    'tenant_id',
    'scope',
    `a tenant this capture token may write (${tenants.join(' | ')})`,
    tenant,
  );
}
