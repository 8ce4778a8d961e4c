import type pg from 'pg';
import type { Role } from '../../access/rbac.js';
import { sql } from '../../sql.js';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
import { createSchema, query } from './pg-client.js';

const tableSql = sql`CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT,
  role TEXT NOT NULL,
  tenants JSONB NOT NULL,
  key_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT
)`;

interface KeyRow {
  id: string;
  name: string | null;
  role: string;
  tenants: string[] | 'all';
  key_hash: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const fromRow = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  tenants: r.tenants,
  hash: r.key_hash,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/** API keys in PostgreSQL; a presented key is looked up by the id it carries (the primary key). */
export class PgApiKeyStore implements ApiKeyStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgApiKeyStore> {
    await createSchema(pool, [tableSql]);
    return new PgApiKeyStore(pool);
  }

  async insert(k: ApiKeyRecord): Promise<void> {
    await query(
      this.pool,
      sql`INSERT INTO api_keys VALUES (${k.id}, ${k.name}, ${k.role}, ${JSON.stringify(k.tenants)}, ${k.hash},
        ${k.createdAt}, ${k.createdBy}, ${k.expiresAt}, ${k.revokedAt}, ${k.lastUsedAt})`,
    );
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const [row] = await query<KeyRow>(this.pool, sql`SELECT * FROM api_keys WHERE id = ${id}`);
    return row ? fromRow(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await query<KeyRow>(
      this.pool,
      sql`SELECT * FROM api_keys ORDER BY created_at, id COLLATE "C"`,
    );
    return rows.map(fromRow);
  }

  /** One statement: the first revocation time stays, whichever process revokes again. */
  async revoke(id: string, at: number): Promise<boolean> {
    const revoked = await query(
      this.pool,
      sql`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ${at}) WHERE id = ${id} RETURNING id`,
    );
    return revoked.length === 1;
  }

  async touch(id: string, at: number): Promise<void> {
    await query(this.pool, sql`UPDATE api_keys SET last_used_at = ${at} WHERE id = ${id}`);
  }
}
