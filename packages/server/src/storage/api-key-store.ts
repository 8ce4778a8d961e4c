import type { Role } from '../access/rbac.js';

/** A stored API key: never its secret, only the secret's SHA-256. */
export interface ApiKeyRecord {
  id: string;
  name: string | null;
  role: Role;
  tenants: readonly string[] | 'all';
  /** Hex SHA-256 of the whole presented key. */
  hash: string;
  createdAt: number;
  /** Actor id of whoever created it. */
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface ApiKeyStore {
  insert(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
  /** Sets revoked_at if not yet revoked; false when there is no such key. */
  revoke(id: string, at: number): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
}
