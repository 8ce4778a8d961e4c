import type { Role } from '../access/rbac.js';

/** A dashboard user: the password only as its argon2id hash. */
export interface UserRecord {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  name: string | null;
  role: Role;
  tenants: readonly string[] | 'all';
  passwordHash: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  disabledAt: number | null;
}

/** A signed-in browser: only the SHA-256 of its cookie token is kept, so a stolen file opens no session. */
export interface SessionRecord {
  tokenHash: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export type UserPatch = Partial<
  Pick<UserRecord, 'name' | 'role' | 'tenants' | 'passwordHash' | 'disabledAt'>
> & {
  updatedAt: number;
};

export interface UserStore {
  /** False when the email is taken. */
  insert(user: UserRecord): Promise<boolean>;
  get(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  list(): Promise<UserRecord[]>;
  update(id: string, patch: UserPatch): Promise<UserRecord | null>;
  /** Removes the user and every session of theirs; false when there is no such user. */
  remove(id: string): Promise<boolean>;

  insertSession(session: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of a user, but `keep` (e.g. the one that just changed its password). */
  deleteSessionsOf(userId: string, keep?: string): Promise<number>;
  /** Drops sessions that expired before `now`. */
  purgeSessions(now: number): Promise<number>;
}
