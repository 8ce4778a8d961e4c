import type pg from 'pg';
import type { Role } from '../../access/rbac.js';
import { join, sql } from '../../sql.js';
import type { SessionRecord, UserPatch, UserRecord, UserStore } from '../user-store.js';
import { createSchema, inTransaction, query } from './pg-client.js';

const tablesSql = [
  sql`CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  role TEXT NOT NULL,
  tenants JSONB NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  disabled_at BIGINT
)`,
  sql`CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
)`,
  sql`CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id)`,
  sql`CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at)`,
];

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: string;
  tenants: string[] | 'all';
  password_hash: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  disabled_at: number | null;
}

interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

const userFromRow = (r: UserRow): UserRecord => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as Role,
  tenants: r.tenants,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  disabledAt: r.disabled_at,
});

const sessionFromRow = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash,
  userId: r.user_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
});

/** Users and sessions in PostgreSQL, shared by every Pulse process on the database. */
export class PgUserStore implements UserStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgUserStore> {
    await createSchema(pool, tablesSql);
    return new PgUserStore(pool);
  }

  async insert(u: UserRecord): Promise<boolean> {
    const inserted = await query(
      this.pool,
      sql`INSERT INTO users VALUES (${u.id}, ${u.email}, ${u.name}, ${u.role}, ${JSON.stringify(u.tenants)},
        ${u.passwordHash}, ${u.createdAt}, ${u.createdBy}, ${u.updatedAt}, ${u.disabledAt})
       ON CONFLICT DO NOTHING RETURNING id`,
    );
    return inserted.length === 1;
  }

  async get(id: string): Promise<UserRecord | null> {
    const [row] = await query<UserRow>(this.pool, sql`SELECT * FROM users WHERE id = ${id}`);
    return row ? userFromRow(row) : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const [row] = await query<UserRow>(this.pool, sql`SELECT * FROM users WHERE email = ${email}`);
    return row ? userFromRow(row) : null;
  }

  async list(): Promise<UserRecord[]> {
    const rows = await query<UserRow>(this.pool, sql`SELECT * FROM users ORDER BY email COLLATE "C"`);
    return rows.map(userFromRow);
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord | null> {
    const sets = [sql`updated_at = ${patch.updatedAt}`];
    if (patch.name !== undefined) sets.push(sql`name = ${patch.name}`);
    if (patch.role !== undefined) sets.push(sql`role = ${patch.role}`);
    if (patch.tenants !== undefined) sets.push(sql`tenants = ${JSON.stringify(patch.tenants)}`);
    if (patch.passwordHash !== undefined) sets.push(sql`password_hash = ${patch.passwordHash}`);
    if (patch.disabledAt !== undefined) sets.push(sql`disabled_at = ${patch.disabledAt}`);
    const [row] = await query<UserRow>(
      this.pool,
      sql`UPDATE users SET ${join(sets)} WHERE id = ${id} RETURNING *`,
    );
    return row ? userFromRow(row) : null;
  }

  remove(id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const removed = await query(client, sql`DELETE FROM users WHERE id = ${id} RETURNING id`);
      await query(client, sql`DELETE FROM sessions WHERE user_id = ${id}`);
      return removed.length === 1;
    });
  }

  async insertSession(s: SessionRecord): Promise<void> {
    await query(
      this.pool,
      sql`INSERT INTO sessions VALUES (${s.tokenHash}, ${s.userId}, ${s.createdAt}, ${s.lastSeenAt}, ${s.expiresAt})`,
    );
  }

  async getSession(tokenHash: string): Promise<SessionRecord | null> {
    const [row] = await query<SessionRow>(
      this.pool,
      sql`SELECT * FROM sessions WHERE token_hash = ${tokenHash}`,
    );
    return row ? sessionFromRow(row) : null;
  }

  async touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await query(
      this.pool,
      sql`UPDATE sessions SET last_seen_at = ${lastSeenAt}, expires_at = ${expiresAt} WHERE token_hash = ${tokenHash}`,
    );
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await query(this.pool, sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`);
  }

  async deleteSessionsOf(userId: string, keep?: string): Promise<number> {
    const keeping = keep === undefined ? sql`` : sql` AND token_hash <> ${keep}`;
    const deleted = await query(
      this.pool,
      sql`DELETE FROM sessions WHERE user_id = ${userId}${keeping} RETURNING token_hash`,
    );
    return deleted.length;
  }

  async purgeSessions(now: number): Promise<number> {
    const deleted = await query(
      this.pool,
      sql`DELETE FROM sessions WHERE expires_at < ${now} RETURNING token_hash`,
    );
    return deleted.length;
  }
}
