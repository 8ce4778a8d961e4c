import type { TenantActivity, TenantPage, UnknownTenant } from '@pulse/api';
import { ValidationError } from '../errors.js';
import type { EventStore } from '../storage/event-store.js';

/** How many near names a summary offers for a tenant without events. */
const SUGGESTIONS = 5;

type Scope = readonly string[] | 'all';
type TenantReads = Pick<EventStore, 'listTenants' | 'tenantsWithEvents' | 'nearestTenants'>;

const scoped = (scope: Scope) => (scope === 'all' ? {} : { tenants: scope });
const iso = (ms: number) => new Date(ms).toISOString();

/** A page's last tenant id, opaque to callers. */
const encodeCursor = (tenantId: string) => Buffer.from(JSON.stringify([tenantId])).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 1 && typeof parsed[0] === 'string') return parsed[0];
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor', 'is not a cursor returned by a previous page of /api/tenants');
}

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
