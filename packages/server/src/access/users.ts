import type { User } from '@pulse/api';
import { randomBytes } from 'node:crypto';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { UserPatch, UserRecord, UserStore } from '../storage/user-store.js';
import { AccessChanges } from './access-changes.js';
import { canGrant } from './api-keys.js';
import { checkGrant, parseGrant, parseTenants, type GrantInput } from './grant-input.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { roles, sameTenants, type Actor, type Role } from './rbac.js';

/** What the API shows of a user: never the password hash. */
export type UserView = User;

export interface CreateUserInput extends GrantInput {
  email: string;
  password: string;
  name: string | null;
}

export interface UpdateUserInput {
  role?: Role;
  tenants?: readonly string[] | 'all';
  password?: string;
  name?: string | null;
  disabled?: boolean;
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 254 || !EMAIL.test(raw.trim()))
    throw new ValidationError('email', `must be an email address; received ${JSON.stringify(raw)}`);
  return raw.trim().toLowerCase();
}

function objectBody(body: unknown, example: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', `must be a JSON object: ${example}`);
  return body as Record<string, unknown>;
}

function parseName(raw: unknown): string | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  if (typeof raw !== 'string' || raw.length > 200)
    throw new ValidationError('name', 'must be a string of at most 200 characters');
  return raw.trim() || null;
}

function checkedPassword(raw: unknown): string {
  const problem = passwordProblem(raw);
  if (problem) throw new ValidationError('password', problem);
  return raw as string;
}

/** The body of POST /api/users → a checked input; errors name the field. */
export function parseCreateUser(body: unknown): CreateUserInput {
  const b = objectBody(body, '{"email": "ceo@example.com", "password": "…", "role": "executive"}');
  return {
    email: normalizeEmail(b.email),
    password: checkedPassword(b.password),
    name: parseName(b.name) ?? null,
    ...parseGrant(b),
  };
}

/** The body of PATCH /api/users/:id: any of role, tenants, password, name, disabled. */
export function parseUpdateUser(body: unknown): UpdateUserInput {
  const b = objectBody(body, '{"role": "analyst", "tenants": ["acme"]}');
  const known = ['role', 'tenants', 'password', 'name', 'disabled'];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new ValidationError(unknown[0] ?? 'body', `is not a user field (${known.join(', ')})`);
  const input: UpdateUserInput = {};
  if (b.role !== undefined) {
    if (typeof b.role !== 'string' || !(roles as readonly string[]).includes(b.role))
      throw new ValidationError(
        'role',
        `must be one of ${roles.join(', ')}; received ${JSON.stringify(b.role)}`,
      );
    input.role = b.role as Role;
  }
  const tenants = parseTenants(b.tenants);
  if (tenants !== undefined) input.tenants = tenants;
  if (b.password !== undefined) input.password = checkedPassword(b.password);
  const name = parseName(b.name);
  if (name !== undefined) input.name = name;
  if (b.disabled !== undefined) {
    if (typeof b.disabled !== 'boolean') throw new ValidationError('disabled', 'must be true or false');
    input.disabled = b.disabled;
  }
  if (!Object.keys(input).length)
    throw new ValidationError('body', `must change at least one of ${known.join(', ')}`);
  return input;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function presentUser(u: UserRecord): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    tenants: u.tenants,
    createdAt: iso(u.createdAt),
    createdBy: u.createdBy,
    updatedAt: iso(u.updatedAt),
    disabled: u.disabledAt !== null,
  };
}

/** The actor a signed-in user acts as: their role and tenants as stored now, so changes apply at once. */
export function actorOfUser(u: UserRecord): Actor {
  return { kind: 'user', id: u.id, role: u.role, tenants: u.tenants };
}

/**
 * Creates, lists, changes and removes users. A new password, disabling or removal ends their sessions; that
 * and a change of role or tenants are published to `changes`, so grants already handed out follow at once.
 */
export class Users {
  constructor(
    private readonly store: UserStore,
    private readonly now: () => number = Date.now,
    private readonly changes: AccessChanges = new AccessChanges(),
  ) {}

  async create(granter: Actor, input: CreateUserInput): Promise<UserView> {
    const tenants = input.tenants ?? 'all';
    const refusal = canGrant(granter, input.role, tenants);
    if (refusal) throw new ForbiddenError(refusal);
    const at = this.now();
    const record: UserRecord = {
      id: `u_${randomBytes(8).toString('hex')}`,
      email: input.email,
      name: input.name,
      role: input.role,
      tenants,
      passwordHash: await hashPassword(input.password),
      createdAt: at,
      createdBy: granter.id,
      updatedAt: at,
      disabledAt: null,
    };
    if (!(await this.store.insert(record)))
      throw new ConflictError(`a user with email ${input.email} already exists`);
    return presentUser(record);
  }

  async list(): Promise<UserView[]> {
    return (await this.store.list()).map(presentUser);
  }

  async get(id: string): Promise<UserView> {
    const user = await this.store.get(id);
    if (!user) throw new NotFoundError(`user ${id}`);
    return presentUser(user);
  }

  async update(granter: Actor, id: string, input: UpdateUserInput): Promise<UserView> {
    const user = await this.store.get(id);
    if (!user) throw new NotFoundError(`user ${id}`);
    const role = input.role ?? user.role;
    // A role change without tenants keeps the old list only where it still fits the new role.
    const tenants =
      input.tenants ?? (input.role && (role === 'admin' || role === 'executive') ? 'all' : user.tenants);
    checkGrant(role, tenants);
    const refusal = canGrant(granter, role, tenants);
    if (refusal) throw new ForbiddenError(refusal);
    const at = this.now();
    const patch: UserPatch = { updatedAt: at, role, tenants };
    if (input.name !== undefined) patch.name = input.name;
    if (input.password !== undefined) patch.passwordHash = await hashPassword(input.password);
    if (input.disabled !== undefined) patch.disabledAt = input.disabled ? (user.disabledAt ?? at) : null;
    const updated = await this.store.update(id, patch);
    if (!updated) throw new NotFoundError(`user ${id}`);
    if (input.disabled === true || input.password !== undefined) {
      await this.store.deleteSessionsOf(id);
      const reason = input.disabled === true ? 'disabled' : 'password_changed';
      this.changes.publish({ kind: 'user_signed_out', userId: id, reason });
    } else if (role !== user.role || !sameTenants(tenants, user.tenants)) {
      this.changes.publish({ kind: 'user_grant_changed', userId: id, actor: actorOfUser(updated) });
    } else if (updated.name !== user.name) {
      this.changes.publish({ kind: 'user_renamed', userId: id });
    }
    return presentUser(updated);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.remove(id))) throw new NotFoundError(`user ${id}`);
    this.changes.publish({ kind: 'user_signed_out', userId: id, reason: 'removed' });
  }
}
