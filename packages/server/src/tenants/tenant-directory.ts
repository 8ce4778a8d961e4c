import type { TenantActivity, TenantPage, UnknownTenant } from '@pulse/api';
import { decodeKeyset, encodeKeyset } from '../storage/cursor.js';
import type { EventStore } from '../storage/event-store.js';

/** How many near names a summary offers for a tenant without events. */
const SUGGESTIONS = 5;

type Scope = readonly string[] | 'all';
type TenantReads = Pick<EventStore, 'listTenants' | 'tenantsWithEvents' | 'nearestTenants'>;

const scoped = (scope: Scope) => (scope === 'all' ? {} : { tenants: scope });
const iso = (ms: number) => new Date(ms).toISOString();

/** A page's last tenant id. */
const encodeCursor = (tenantId: string) => encodeKeyset([tenantId]);

const decodeCursor = (cursor: string): string =>
  decodeKeyset(
    cursor,
    (parts) => (parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : undefined),
    ' of /api/tenants',
  );

/** One page of the tenants in `scope` that have events, by id. */
export async function listTenants(
  store: TenantReads,
  scope: Scope,
  page: { limit: number; cursor?: string | undefined },
): Promise<TenantPage> {
  const result = await store.listTenants({
    ...scoped(scope),
    limit: page.limit,
    ...(page.cursor ? { after: decodeCursor(page.cursor) } : {}),
  });
  const last = result.tenants.at(-1);
  return {
    tenants: result.tenants.map((t): TenantActivity => ({
      tenantId: t.tenantId,
      events: t.events,
      firstEventAt: iso(t.firstEventAt),
      lastEventAt: iso(t.lastEventAt),
    })),
    nextCursor: result.more && last ? encodeCursor(last.tenantId) : null,
  };
}

/**
 * Of the tenants a request named, those without a single stored event, each with the tenants the caller may
 * see whose names are nearest: a figure of zero then reads as "no such tenant" instead of "a bad month".
 */
export async function unknownTenants(
  store: TenantReads,
  named: readonly string[] | undefined,
  visible: Scope,
): Promise<UnknownTenant[]> {
  if (!named?.length) return [];
  const known = await store.tenantsWithEvents(named);
  const missing = [...new Set(named)].filter((t) => !known.has(t));
  return Promise.all(
    missing.map(async (tenantId) => ({
      tenantId,
      suggestions: await store.nearestTenants(tenantId, { ...scoped(visible), limit: SUGGESTIONS }),
    })),
  );
}
