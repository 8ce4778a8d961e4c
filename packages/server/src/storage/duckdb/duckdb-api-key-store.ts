import type { DuckDBConnection } from '@duckdb/node-api';
import type { Role } from '../../access/rbac.js';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store.js';
import { readRows, run, sql, timestamp as time } from './sql.js';
import { msOrNull as ms } from './sql-values.js';

export const apiKeysTableSql = `CREATE TABLE IF NOT EXISTS api_keys (
  id VARCHAR PRIMARY KEY,
  name VARCHAR,
  role VARCHAR NOT NULL,
  tenants VARCHAR NOT NULL,
  key_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR NOT NULL,
  expires_at TIMESTAMP,
  revoked_at TIMESTAMP,
  last_used_at TIMESTAMP
)`;

const columns = sql`id, name, role, tenants, key_hash, epoch_ms(created_at) AS created_at, created_by,
  epoch_ms(expires_at) AS expires_at, epoch_ms(revoked_at) AS revoked_at, epoch_ms(last_used_at) AS last_used_at`;

function fromRow(r: Record<string, unknown>): ApiKeyRecord {
  const tenants = JSON.parse(String(r.tenants)) as string[] | 'all';
  return {
    id: String(r.id),
    name: typeof r.name === 'string' ? r.name : null,
    role: r.role as Role,
    tenants,
    hash: String(r.key_hash),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    expiresAt: ms(r.expires_at),
    revokedAt: ms(r.revoked_at),
    lastUsedAt: ms(r.last_used_at),
  };
}

/** API keys in the event store's database file (so under the same encryption). */
export class DuckDbApiKeyStore implements ApiKeyStore {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbApiKeyStore> {
    const connection = await db.connect();
    await connection.run(apiKeysTableSql);
    return new DuckDbApiKeyStore(connection);
  }

  async insert(k: ApiKeyRecord): Promise<void> {
    await run(
      this.connection,
      sql`INSERT INTO api_keys VALUES (${k.id}, ${k.name}, ${k.role}, ${JSON.stringify(k.tenants)}, ${k.hash}, ${time(k.createdAt)}, ${k.createdBy}, ${time(k.expiresAt)}, ${time(k.revokedAt)}, ${time(k.lastUsedAt)})`,
    );
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const rows = await readRows(this.connection, sql`SELECT ${columns} FROM api_keys WHERE id = ${id}`);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (
      await readRows(this.connection, sql`SELECT ${columns} FROM api_keys ORDER BY created_at, id`)
    ).map(fromRow);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const existing = await this.get(id);
    if (!existing) return false;
    if (existing.revokedAt === null)
      await run(
        this.connection,
        sql`UPDATE api_keys SET revoked_at = ${time(at)} WHERE id = ${id} AND revoked_at IS NULL`,
      );
    return true;
  }

  async touch(id: string, at: number): Promise<void> {
    await run(this.connection, sql`UPDATE api_keys SET last_used_at = ${time(at)} WHERE id = ${id}`);
  }
}
