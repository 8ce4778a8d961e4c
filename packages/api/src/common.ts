import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';

/** Shared pieces of the contract: enumerations, times, the error shape and the common parameters. */

/** One of a list of strings; its static type is the union of those strings. */
export const literals = <const T extends string>(values: readonly T[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  );

export const roles = ['admin', 'executive', 'tenant_executive', 'analyst', 'ingest'] as const;
export const severities = ['critical', 'high', 'medium'] as const;
export const alertStates = ['open', 'acknowledged', 'resolved'] as const;
/** What an alert reports: a risk (a problem to act on) or an opportunity (good news, e.g. identified savings). */
export const outlooks = ['risk', 'opportunity'] as const;

export const Role = literals(roles);
export type Role = Static<typeof Role>;

/** Every time the API answers with: an ISO 8601 UTC date-time string. */
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 date-time, UTC' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An array the server may hand over as readonly: the same JSON, a type that accepts both. */
export const List = <T extends TSchema>(items: T, options: { description?: string } = {}) =>
  Type.Unsafe<readonly Static<T>[]>(Type.Array(items, options));

/**
 * An object with any keys (event properties, SQL column names, metric names): every key is kept, whatever
 * characters it holds. (`Type.Record` becomes a `patternProperties` that a serializer may apply to some
 * keys only, silently dropping the rest.)
 */
export const AnyKeys = <T extends TSchema>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', additionalProperties: values });

/** Tenants a key or user may see: ids, or every tenant. */
export const TenantScope = Type.Union([List(Type.String()), Type.Literal('all')]);
export type TenantScope = Static<typeof TenantScope>;

/** `{ error: { code, message, requestId } }`: every /api error. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. invalid_request, forbidden' }),
      message: Type.String({ description: 'What went wrong, where and why, in words' }),
      requestId: Type.String({ description: 'The x-request-id of the request (send it with a report)' }),
    }),
  },
  { $id: 'Error', description: 'The error shape of every /api route' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** The error answers every authenticated route may give. */
export const errors = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

/** A request body: only the fields it names (an unknown one is refused, never dropped). */
export const Body = <T extends TProperties>(properties: T, options: { description?: string } = {}) =>
  Type.Object(properties, { ...options, additionalProperties: false });

/** A query parameter kept as text: the route checks it and names it in a clear 400. */
export const text = (description: string) => Type.String({ description });

export const tenantQuery = Type.Union([Type.String(), Type.Array(Type.String())], {
  description: 'Tenant ids, comma-separated or repeated; default every tenant the caller may see',
});
export const fromQuery = text('Window start, ISO 8601 (epoch milliseconds are also accepted), inclusive');
export const toQuery = text('Window end, ISO 8601 (epoch milliseconds are also accepted), exclusive');
export const limitQuery = (max: number, fallback: number) =>
  text(`At most this many, 1..${max} (default ${fallback})`);

export const TenantParams = Type.Object({ tenant: Type.String({ description: 'Tenant id' }) });
export const IdParams = (description: string) => Type.Object({ id: Type.String({ description }) });

export const Deleted = Type.Object({ deleted: Type.String({ description: 'The id that was removed' }) });
export const NoContent = Type.Null({ description: 'No content' });

/** The documentation fields of a route: what it does and the permission it needs. */
export const doc = (
  summary: string,
  permission: string,
  extra: { everyTenant?: true; public?: true } = {},
) => ({
  summary,
  description: `${permission.includes(':') ? `Requires the \`${permission}\` permission.` : `Needs ${permission}.`}${
    extra.everyTenant ? ' The caller must see every tenant.' : ''
  }`,
  'x-pulse-permission': permission,
  ...(extra.everyTenant ? { 'x-pulse-every-tenant': true as const } : {}),
  ...(extra.public ? { security: [] } : {}),
});
