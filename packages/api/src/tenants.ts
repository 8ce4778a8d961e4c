import { Type, type Static } from '@sinclair/typebox';
import { doc, errors, IsoTime, limitQuery, List, text } from './common.js';

/** GET /api/tenants: the tenants that have events, and what a summary says about tenants that have none. */

export const TenantActivity = Type.Object({
  tenantId: Type.String(),
  events: Type.Integer({ description: 'Events stored for the tenant, of every type' }),
  firstEventAt: IsoTime,
  lastEventAt: IsoTime,
});
export type TenantActivity = Static<typeof TenantActivity>;

export const TenantPage = Type.Object({
  tenants: Type.Array(TenantActivity, { description: 'Ordered by tenant id' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as cursor for the next page; null on the last',
  }),
});
export type TenantPage = Static<typeof TenantPage>;

/** A tenant a request named that has no events at all, with the names the caller may have meant. */
export const UnknownTenant = Type.Object({
  tenantId: Type.String(),
  suggestions: List(Type.String(), {
    description: 'Tenants with events the caller may see whose ids are nearest to this one, nearest first',
  }),
});
export type UnknownTenant = Static<typeof UnknownTenant>;

export const tenantRoutes = {
  getTenants: {
    ...doc(
      'The tenants the caller may see that have events, by id, with their event count and first and last event time; keyset-paged',
      'summary:read',
    ),
    querystring: Type.Object({
      limit: Type.Optional(limitQuery(1000, 200)),
      cursor: Type.Optional(text('nextCursor of the previous page')),
    }),
    response: { 200: TenantPage, ...errors },
  },
} as const;
