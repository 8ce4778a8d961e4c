import type { DuckDBConnection } from '@duckdb/node-api';
import type { Role } from '../../access/rbac.js';
import type { SessionRecord, UserPatch, UserRecord, UserStore } from '../user-store.js';
import { join, readRows, run, runAndReadAll, sql, timestamp as time, type Sql } from './sql.js';
import { msOrNull } from './sql-values.js';

const tablesSql = [
  `CREATE TABLE IF NOT EXISTS users (
  id VARCHAR PRIMARY KEY,
  email VARCHAR NOT NULL UNIQUE,
  name VARCHAR,
  role VARCHAR NOT NULL,
  tenants VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  disabled_at TIMESTAMP
)`,
  `CREATE TABLE IF NOT EXISTS sessions (
  token_hash VARCHAR PRIMARY KEY,
  user_id VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL
)`,
];

const userColumns = sql`id, email, name, role, tenants, password_hash, epoch_ms(created_at) AS created_at, created_by,
  epoch_ms(updated_at) AS updated_at, epoch_ms(disabled_at) AS disabled_at`;
const sessionColumns = sql`token_hash, user_id, epoch_ms(created_at) AS created_at,
  epoch_ms(last_seen_at) AS last_seen_at, epoch_ms(expires_at) AS expires_at`;

function userFromRow(r: Record<string, unknown>): UserRecord {
  return {
    id: String(r.id),
    email: String(r.email),
    name: typeof r.name === 'string' ? r.name : null,
    role: r.role as Role,
    tenants: JSON.parse(String(r.tenants)) as string[] | 'all',
    passwordHash: String(r.password_hash),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    updatedAt: Number(r.updated_at),
    disabledAt: msOrNull(r.disabled_at),
  };
}

function sessionFromRow(r: Record<string, unknown>): SessionRecord {
  return {
    tokenHash: String(r.token_hash),
    userId: String(r.user_id),
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at),
  };
}

/** Users and sessions in the event store's database file (so under the same encryption). */
export class DuckDbUserStore implements UserStore {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbUserStore> {
    const connection = await db.connect();
    for (const sql of tablesSql) await connection.run(sql);
    return new DuckDbUserStore(connection);
  }

  private rows(statement: Sql): Promise<Record<string, unknown>[]> {
    return readRows(this.connection, statement);
  }

  async insert(u: UserRecord): Promise<boolean> {
    const result = await runAndReadAll(
      this.connection,
      sql`INSERT INTO users VALUES (${u.id}, ${u.email}, ${u.name}, ${u.role},
        ${JSON.stringify(u.tenants)}, ${u.passwordHash}, ${time(u.createdAt)},
        ${u.createdBy}, ${time(u.updatedAt)}, ${time(u.disabledAt)})
       ON CONFLICT DO NOTHING`,
    );
    return Number(result.getRows()[0]?.[0] ?? 0) === 1;
  }

  async get(id: string): Promise<UserRecord | null> {
    const [row] = await this.rows(sql`SELECT ${userColumns} FROM users WHERE id = ${id}`);
    return row ? userFromRow(row) : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const [row] = await this.rows(sql`SELECT ${userColumns} FROM users WHERE email = ${email}`);
    return row ? userFromRow(row) : null;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.rows(sql`SELECT ${userColumns} FROM users ORDER BY email`)).map(userFromRow);
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord | null> {
    const sets = [sql`updated_at = ${time(patch.updatedAt)}`];
    if (patch.name !== undefined) sets.push(sql`name = ${patch.name}`);
    if (patch.role !== undefined) sets.push(sql`role = ${patch.role}`);
    if (patch.tenants !== undefined) sets.push(sql`tenants = ${JSON.stringify(patch.tenants)}`);
    if (patch.passwordHash !== undefined) sets.push(sql`password_hash = ${patch.passwordHash}`);
    if (patch.disabledAt !== undefined) sets.push(sql`disabled_at = ${time(patch.disabledAt)}`);
    await run(this.connection, sql`UPDATE users SET ${join(sets)} WHERE id = ${id}`);
    return this.get(id);
  }

  async remove(id: string): Promise<boolean> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await run(this.connection, sql`DELETE FROM sessions WHERE user_id = ${id}`);
      const result = await runAndReadAll(this.connection, sql`DELETE FROM users WHERE id = ${id}`);
      await this.connection.run('COMMIT');
      return Number(result.getRows()[0]?.[0] ?? 0) === 1;
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  async insertSession(s: SessionRecord): Promise<void> {
    await run(
      this.connection,
      sql`INSERT INTO sessions VALUES (${s.tokenHash}, ${s.userId}, ${time(s.createdAt)},
        ${time(s.lastSeenAt)}, ${time(s.expiresAt)})`,
    );
  }

  async getSession(tokenHash: string): Promise<SessionRecord | null> {
    const [row] = await this.rows(
      sql`SELECT ${sessionColumns} FROM sessions WHERE token_hash = ${tokenHash}`,
    );
    return row ? sessionFromRow(row) : null;
  }

  async touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await run(
      this.connection,
      sql`UPDATE sessions SET last_seen_at = ${time(lastSeenAt)}, expires_at = ${time(expiresAt)}
       WHERE token_hash = ${tokenHash}`,
    );
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await run(this.connection, sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`);
  }

  async deleteSessionsOf(userId: string, keep?: string): Promise<number> {
    const result = await runAndReadAll(
      this.connection,
      sql`DELETE FROM sessions WHERE user_id = ${userId}${keep ? sql` AND token_hash <> ${keep}` : sql``}`,
    );
    return Number(result.getRows()[0]?.[0] ?? 0);
  }

  async purgeSessions(now: number): Promise<number> {
    const result = await runAndReadAll(
      this.connection,
      sql`DELETE FROM sessions WHERE expires_at < ${time(now)}`,
    );
    return Number(result.getRows()[0]?.[0] ?? 0);
  }
}
