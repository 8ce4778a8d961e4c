import type { ApiKey } from '@pulse/api';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyStore } from '../storage/api-key-store.js';
import { AccessChanges } from './access-changes.js';
import { parseGrant, type GrantInput } from './grant-input.js';
import { ReadThroughCache } from './read-through-cache.js';
import { grants, scopeOf, type Actor, type Role } from './rbac.js';

/**
 * API keys: `pulse_<id>_<secret>`, 32 random bytes of secret, shown once; stored
 * only as the SHA-256 of the whole key (enough for a high-entropy secret: no salt or slow hash needed),
 * compared in constant time. The id in the key names its record, so a lookup is one primary-key read.
 */

export const KEY_PREFIX = 'pulse_';
const keyPattern = /^pulse_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface CreateKeyInput extends GrantInput {
  name?: string | null;
  expiresAt?: number | null;
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

export type ApiKeyView = ApiKey;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function statusOf(record: ApiKeyRecord, now: number): KeyStatus {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt <= now) return 'expired';
  return 'active';
}

const actorOfKey = (record: ApiKeyRecord): Actor => ({
  kind: 'api_key',
  id: record.id,
  role: record.role,
  tenants: record.tenants,
});

/** What GET /api/keys shows: never the secret, never its hash. */
export function presentKey(record: ApiKeyRecord, now: number): ApiKeyView {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    tenants: record.tenants,
    createdAt: new Date(record.createdAt).toISOString(),
    createdBy: record.createdBy,
    expiresAt: iso(record.expiresAt),
    revokedAt: iso(record.revokedAt),
    lastUsedAt: iso(record.lastUsedAt),
    status: statusOf(record, now),
  };
}

/** The body of POST /api/keys → a checked input; errors name the field. */
export function parseCreateKey(body: unknown, now: number): CreateKeyInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'must be a JSON object: {"role": "analyst", "tenants": ["a"]}');
  const b = body as Record<string, unknown>;
  const { role, tenants } = parseGrant(b);
  let name: string | null = null;
  if (b.name !== undefined && b.name !== null) {
    if (typeof b.name !== 'string' || b.name.length > 200)
      throw new ValidationError('name', 'must be a string of at most 200 characters');
    name = b.name.trim() || null;
  }
  let expiresAt: number | null = null;
  if (b.expiresAt !== undefined && b.expiresAt !== null) {
    const parsed =
      typeof b.expiresAt === 'string' && /^\d{4}-\d{2}-\d{2}/.test(b.expiresAt)
        ? Date.parse(b.expiresAt)
        : Number.NaN;
    if (!Number.isFinite(parsed))
      throw new ValidationError(
        'expiresAt',
        `must be an ISO 8601 date or date-time; received ${JSON.stringify(b.expiresAt)}`,
      );
    if (parsed <= now) throw new ValidationError('expiresAt', 'must be in the future');
    expiresAt = parsed;
  }
  return { role, ...(tenants !== undefined ? { tenants } : {}), name, expiresAt };
}

/**
 * May `granter` hand out a key with this role and tenants? Only if the key could do nothing the granter
 * cannot: every permission of the role, on tenants within the granter's scope.
 */
export function canGrant(granter: Actor, role: Role, tenants: readonly string[] | 'all'): string | null {
  const mine = grants[granter.role];
  const extra = [...grants[role]].filter((p) => !mine.has(p));
  if (extra.length) return `role ${granter.role} may not grant role ${role} (${extra.join(', ')})`;
  const scope = scopeOf(granter);
  if (scope === 'all') return null;
  if (tenants === 'all') return 'you may not grant access to all tenants';
  const outside = tenants.filter((t) => !scope.includes(t));
  return outside.length ? `outside your tenants: ${outside.join(', ')}` : null;
}

export interface ApiKeysOptions {
  now?: () => number;
  /**
   * How long a looked-up key is trusted without re-reading it: a revocation through this process takes
   * effect at once, through another process sharing the state database within this bound.
   */
  cacheMs?: number;
  /** last_used_at is written at most this often per key. */
  touchEveryMs?: number;
  /** Told of each revocation, so what was opened with the key closes at once. */
  changes?: AccessChanges;
}

/** Creates, lists, revokes and resolves API keys. */
export class ApiKeys {
  private readonly now: () => number;
  private readonly touchEveryMs: number;
  private readonly changes: AccessChanges;
  private readonly cache: ReadThroughCache<ApiKeyRecord | null>;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: ApiKeyStore,
    options: ApiKeysOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.cache = new ReadThroughCache(options.cacheMs ?? 10_000);
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
    this.changes = options.changes ?? new AccessChanges();
  }

  /** Returns the key itself once; only its hash is kept. */
  async create(
    granter: Actor,
    input: CreateKeyInput,
  ): Promise<{ id: string; key: string; record: ApiKeyRecord }> {
    const tenants = input.tenants ?? 'all';
    const refusal = canGrant(granter, input.role, tenants);
    if (refusal) throw new ForbiddenError(refusal);
    const id = randomBytes(8).toString('hex');
    const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      name: input.name ?? null,
      role: input.role,
      tenants,
      hash: sha256(key),
      createdAt: this.now(),
      createdBy: granter.id,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.insert(record);
    return { id, key, record };
  }

  async list(): Promise<ApiKeyView[]> {
    const now = this.now();
    return (await this.store.list()).map((r) => presentKey(r, now));
  }

  async revoke(id: string): Promise<ApiKeyView> {
    if (!(await this.store.revoke(id, this.now()))) throw new NotFoundError(`API key ${id}`);
    this.cache.delete(id);
    this.changes.publish({ kind: 'key_revoked', keyId: id });
    const record = await this.store.get(id);
    if (!record) throw new NotFoundError(`API key ${id}`);
    return presentKey(record, this.now());
  }

  /** What a key grants now, read from the store (not the cache); null once revoked or expired. */
  async current(id: string): Promise<{ actor: Actor; expiresAt: number | null } | null> {
    const record = await this.store.get(id);
    if (!record || statusOf(record, this.now()) !== 'active') return null;
    return { actor: actorOfKey(record), expiresAt: record.expiresAt };
  }

  /** The actor of a presented key, or null (unknown, malformed, revoked, expired). */
  async resolve(presented: string): Promise<Actor | null> {
    const match = keyPattern.exec(presented);
    if (!match?.[1]) return null;
    const id = match[1];
    const now = this.now();
    const record = await this.cache.get(id, now, () => this.store.get(id));
    if (!record) return null;
    const hash = Buffer.from(sha256(presented), 'hex');
    const expected = Buffer.from(record.hash, 'hex');
    if (expected.length !== hash.length || !timingSafeEqual(hash, expected)) return null;
    if (statusOf(record, now) !== 'active') return null;
    if (now - (this.touched.get(id) ?? -Infinity) >= this.touchEveryMs) {
      this.touched.set(id, now);
      await this.store.touch(id, now);
    }
    return actorOfKey(record);
  }

  /** A resolver for `authenticate`: the bootstrap admin key first, then stored keys. */
  resolver(...before: ((key: string) => Promise<Actor | null>)[]): (key: string) => Promise<Actor | null> {
    return async (key) => {
      for (const resolve of before) {
        const actor = await resolve(key);
        if (actor) return actor;
      }
      return this.resolve(key);
    };
  }
}
