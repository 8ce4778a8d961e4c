import { businessEventNames, type BusinessEventName } from '@pulse/events';
import { Type, type Static } from '@sinclair/typebox';
import {
  AnyKeys,
  Body,
  doc,
  errors,
  fromQuery,
  IdParams,
  IsoTime,
  limitQuery,
  literals,
  NoContent,
  Nullable,
  Role,
  TenantScope,
  text,
  toQuery,
} from './common.js';

/** Sign-in sessions, dashboard users, API keys, the audit trail and retention. */

export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  role: Role,
  tenants: TenantScope,
  createdAt: IsoTime,
  createdBy: Type.String(),
  updatedAt: IsoTime,
  disabled: Type.Boolean(),
});
export type User = Static<typeof User>;

export const Session = Type.Object({
  user: User,
  csrfToken: Type.String({ description: 'Send as x-pulse-csrf with every change made with the cookie' }),
  expiresAt: IsoTime,
});
export type Session = Static<typeof Session>;

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  role: Role,
  tenants: TenantScope,
  createdAt: IsoTime,
  createdBy: Type.String(),
  expiresAt: Nullable(IsoTime),
  revokedAt: Nullable(IsoTime),
  lastUsedAt: Nullable(IsoTime),
  status: literals(['active', 'revoked', 'expired']),
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedKey = Type.Composite([
  ApiKey,
  Type.Object({ key: Type.String({ description: 'The secret, shown only this once' }) }),
]);
export type CreatedKey = Static<typeof CreatedKey>;

const grant = {
  role: Type.String({ description: 'admin | executive | tenant_executive | analyst | ingest' }),
  tenants: Type.Optional(
    Type.Union([Type.Array(Type.String()), Type.String()], { description: 'Tenant ids or "all"' }),
  ),
  name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
};

export const AuditRecord = Type.Object({
  seq: Type.Integer(),
  at: IsoTime,
  actor: Type.Object({
    kind: literals(['user', 'api_key', 'project_token', 'anonymous', 'system']),
    id: Type.String(),
    role: Nullable(Role),
  }),
  action: Type.String(),
  scope: TenantScope,
  detail: AnyKeys(Type.Unknown()),
  result: literals(['started', 'ok', 'denied', 'error'], 'started: a change recorded before it runs'),
  requestId: Nullable(Type.String({ description: "The server's id of the request (x-request-id)" })),
  clientRequestId: Nullable(
    Type.String({ description: "The caller's X-Request-Id, kept when it matches ^[A-Za-z0-9._:-]{1,128}$" }),
  ),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type AuditRecord = Static<typeof AuditRecord>;

export const AuditVerify = Type.Object({
  ok: Type.Boolean(),
  records: Type.Integer({ description: 'Records checked' }),
  head: Nullable(Type.Object({ seq: Type.Integer(), hash: Type.String() })),
  problem: Nullable(
    Type.Object({
      seq: Type.Integer(),
      kind: Type.String({ description: 'edited | removed | reordered | truncated' }),
      message: Type.String(),
    }),
  ),
  failedWrites: Type.Optional(
    Type.Object(
      {
        count: Type.Integer({ description: 'Records this server could not write since it started' }),
        lastAt: Nullable(IsoTime),
        lastError: Nullable(Type.String()),
      },
      { description: 'verify is not ok while any record failed to be written' },
    ),
  ),
});
export type AuditVerify = Static<typeof AuditVerify>;

export const RetentionPolicy = Type.Object({
  event: literals<BusinessEventName | 'generic' | '*'>(
    [...businessEventNames, 'generic', '*'],
    'A business event type, generic, or * (every table without its own policy)',
  ),
  tenant: Type.Optional(Type.String({ description: 'A tenant override' })),
  days: Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('forever')]),
});
export type RetentionPolicy = Static<typeof RetentionPolicy>;

export const RetentionRun = Type.Object({
  dryRun: Type.Boolean(),
  ranAt: IsoTime,
  rows: Type.Array(
    Type.Object({
      event: Type.String(),
      tenant: Nullable(Type.String()),
      days: Type.Integer(),
      cutoff: IsoTime,
      events: Type.Integer(),
      quarantined: Type.Integer(),
    }),
  ),
  totals: Type.Object({ events: Type.Integer(), quarantined: Type.Integer() }),
  timings: Type.Object({ deleteMs: Type.Number(), rollupsMs: Nullable(Type.Number()) }),
});
export type RetentionRun = Static<typeof RetentionRun>;

const UserId = IdParams('User id (u_…)');
const Policies = Type.Object({ policies: Type.Array(RetentionPolicy) });

export const accessRoutes = {
  signIn: {
    ...doc('Sign in: sets the HttpOnly pulse_session cookie; 429 after repeated failures', 'none (sign-in)', {
      public: true,
    }),
    body: Nullable(Body({ email: Type.Optional(Type.Unknown()), password: Type.Optional(Type.Unknown()) })),
    response: { 200: Session, ...errors },
  },
  getSession: {
    ...doc(
      'Who is signed in, with the CSRF token that cookie-authenticated changes send as x-pulse-csrf',
      'a session cookie',
    ),
    response: { 200: Session, ...errors },
  },
  signOut: {
    ...doc('Sign out: ends the session and clears the cookie', 'none (sign-out)', { public: true }),
    response: { 204: NoContent, ...errors },
  },
  listUsers: {
    ...doc('Dashboard users with role, tenants and status (never passwords)', 'users:manage'),
    response: { 200: Type.Object({ users: Type.Array(User) }), ...errors },
  },
  createUser: {
    ...doc('Create a user (password hashed with argon2id); 409 when the email is taken', 'users:manage'),
    body: Body({
      email: Type.String(),
      password: Type.String({ description: 'At least 12 characters' }),
      ...grant,
    }),
    response: { 201: User, ...errors },
  },
  getUser: { ...doc('One user', 'users:manage'), params: UserId, response: { 200: User, ...errors } },
  updateUser: {
    ...doc(
      "Change a user's role, tenants, name or password, or disable them; a new password or disabling ends their sessions",
      'users:manage',
    ),
    params: UserId,
    body: Body({
      role: Type.Optional(grant.role),
      tenants: grant.tenants,
      password: Type.Optional(Type.String()),
      name: grant.name,
      disabled: Type.Optional(Type.Boolean()),
    }),
    response: { 200: User, ...errors },
  },
  deleteUser: {
    ...doc('Remove a user and end their sessions', 'users:manage'),
    params: UserId,
    response: { 204: NoContent, ...errors },
  },
  listKeys: {
    ...doc('API keys with role, tenants, status and last use (never secrets)', 'keys:manage'),
    response: { 200: Type.Object({ keys: Type.Array(ApiKey) }), ...errors },
  },
  createKey: {
    ...doc('Create an API key; the key is shown only this once', 'keys:manage'),
    body: Body({
      ...grant,
      expiresAt: Type.Optional(
        Nullable(Type.String({ description: 'ISO 8601 date or date-time, in the future' })),
      ),
    }),
    response: { 201: CreatedKey, ...errors },
  },
  revokeKey: {
    ...doc('Revoke an API key (it stops working at once)', 'keys:manage'),
    params: IdParams('Key id'),
    response: { 200: ApiKey, ...errors },
  },
  listAudit: {
    ...doc('The audit trail, newest first; format=jsonl|csv exports it in chain order', 'audit:read'),
    querystring: Type.Object({
      actor: Type.Optional(text('Actor id')),
      action: Type.Optional(text("Action, or a prefix ending in '.' or '*'")),
      result: Type.Optional(text('ok | denied | error')),
      from: Type.Optional(fromQuery),
      to: Type.Optional(toQuery),
      limit: Type.Optional(limitQuery(10_000, 100)),
      format: Type.Optional(text('json (default) | jsonl | csv')),
    }),
    response: {
      200: {
        description: 'The records as JSON, or exported as JSON lines or CSV',
        content: {
          'application/json': { schema: Type.Object({ records: Type.Array(AuditRecord) }) },
          'application/x-ndjson': { schema: Type.String() },
          'text/csv': { schema: Type.String() },
        },
      },
      ...errors,
    },
  },
  verifyAudit: {
    ...doc('Walk the hash chain; reports the first edited, removed or reordered record', 'audit:read'),
    querystring: Type.Object(
      {
        headSeq: Type.Optional(text('A head seq from an earlier verify (detects a cut tail)')),
        headHash: Type.Optional(text('That head’s hash')),
      },
      // A misspelt head must not pass as a verify without one.
      { additionalProperties: false },
    ),
    response: { 200: AuditVerify, ...errors },
  },
  getRetention: {
    ...doc('Retention policies (max age in days per event type, optionally per tenant)', 'retention:manage'),
    response: {
      200: Type.Composite([Policies, Type.Object({ nextRun: Nullable(IsoTime) })]),
      ...errors,
    },
  },
  putRetention: {
    ...doc('Replace every retention policy; a 400 lists every bad entry with its index', 'retention:manage'),
    body: Type.Union([Type.Array(Type.Unknown()), Type.Object({ policies: Type.Array(Type.Unknown()) })], {
      description:
        '[{ "event": "revenue_impact_event" | … | "generic" | "*", "tenant"?: string, "days": 90 | "forever" }, …]',
    }),
    response: { 200: Policies, ...errors },
  },
  applyRetention: {
    ...doc(
      'Apply the policies now: deleted (or, dry, deletable) events and quarantine entries per event type and tenant',
      'retention:manage',
    ),
    querystring: Type.Object({
      dryRun: Type.Optional(text('true: count only, delete nothing (default false)')),
      dry_run: Type.Optional(text('The same as dryRun')),
    }),
    response: { 200: RetentionRun, ...errors },
  },
} as const;
