import type pg from 'pg';
import { sql } from '../../sql.js';
import type { RelayDeadLetter, RelayDeadLetterStore } from '../relay-dead-letter-store.js';
import { createSchema, query, textArray } from './pg-client.js';

const tableSql = sql`CREATE TABLE IF NOT EXISTS relay_dead_letters (
  id TEXT PRIMARY KEY,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  count INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  events TEXT[] NOT NULL
)`;

interface LetterRow {
  id: string;
  first_at: number;
  last_at: number;
  status: number;
  reason: string;
  count: number;
  attempts: number;
}

/** Dead letters of the relay in PostgreSQL, shared by every Pulse process on the database. */
export class PgRelayDeadLetterStore implements RelayDeadLetterStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PgRelayDeadLetterStore> {
    await createSchema(pool, [tableSql]);
    return new PgRelayDeadLetterStore(pool);
  }

  async add(letter: RelayDeadLetter, events: readonly string[]): Promise<void> {
    await query(
      this.pool,
      sql`INSERT INTO relay_dead_letters VALUES (${letter.id}, ${Math.trunc(letter.firstAt)}, ${Math.trunc(letter.lastAt)},
        ${letter.status}, ${letter.reason}, ${letter.count}, ${letter.attempts}, ${textArray(events)})`,
    );
  }

  async list(): Promise<RelayDeadLetter[]> {
    const rows = await query<LetterRow>(
      this.pool,
      sql`SELECT id, first_at, last_at, status, reason, count, attempts FROM relay_dead_letters
          ORDER BY first_at, id COLLATE "C"`,
    );
    return rows.map((r) => ({
      id: r.id,
      firstAt: r.first_at,
      lastAt: r.last_at,
      status: r.status,
      reason: r.reason,
      count: r.count,
      attempts: r.attempts,
    }));
  }

  async events(id: string): Promise<string[] | null> {
    const [row] = await query<{ events: string[] }>(
      this.pool,
      sql`SELECT events FROM relay_dead_letters WHERE id = ${id}`,
    );
    return row ? row.events : null;
  }

  /** One statement: two processes retrying the same letter both count their attempt. */
  async refusedAgain(id: string, at: number, status: number, reason: string): Promise<void> {
    await query(
      this.pool,
      sql`UPDATE relay_dead_letters SET last_at = ${Math.trunc(at)}, status = ${status}, reason = ${reason},
        attempts = attempts + 1 WHERE id = ${id}`,
    );
  }

  async remove(id: string): Promise<void> {
    await query(this.pool, sql`DELETE FROM relay_dead_letters WHERE id = ${id}`);
  }
}
