import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { RelayDeadLetter, RelayDeadLetterStore } from '../relay-dead-letter-store.js';

const tableSql = `CREATE TABLE IF NOT EXISTS relay_dead_letters (
  id VARCHAR PRIMARY KEY,
  first_at TIMESTAMP NOT NULL,
  last_at TIMESTAMP NOT NULL,
  status INTEGER NOT NULL,
  reason VARCHAR NOT NULL,
  count INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  events VARCHAR[] NOT NULL
)`;

/** Dead letters of the relay in the event store's database file: durable, and under the same encryption. */
export class DuckDbRelayDeadLetterStore implements RelayDeadLetterStore {
  /** The connection is shared: its calls run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(db: { connect(): Promise<DuckDBConnection> }): Promise<DuckDbRelayDeadLetterStore> {
    const connection = await db.connect();
    await connection.run(tableSql);
    return new DuckDbRelayDeadLetterStore(connection);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  add(letter: RelayDeadLetter, events: readonly string[]): Promise<void> {
    return this.serial(async () => {
      await this.connection.run(
        `INSERT INTO relay_dead_letters
         VALUES ($1, epoch_ms($2::BIGINT), epoch_ms($3::BIGINT), $4, $5, $6, $7, $8::VARCHAR[])`,
        [
          letter.id,
          Math.trunc(letter.firstAt),
          Math.trunc(letter.lastAt),
          letter.status,
          letter.reason,
          letter.count,
          letter.attempts,
          listValue([...events]),
        ],
      );
    });
  }

  list(): Promise<RelayDeadLetter[]> {
    return this.serial(async () => {
      const rows = (
        await this.connection.runAndReadAll(
          `SELECT id, epoch_ms(first_at) AS first_at, epoch_ms(last_at) AS last_at, status, reason, count, attempts
           FROM relay_dead_letters ORDER BY first_at, id`,
        )
      ).getRowObjectsJS();
      return rows.map((r) => ({
        id: r.id as string,
        firstAt: Number(r.first_at),
        lastAt: Number(r.last_at),
        status: Number(r.status),
        reason: r.reason as string,
        count: Number(r.count),
        attempts: Number(r.attempts),
      }));
    });
  }

  events(id: string): Promise<string[] | null> {
    return this.serial(async () => {
      const rows = (
        await this.connection.runAndReadAll('SELECT events FROM relay_dead_letters WHERE id = $1', [id])
      ).getRowObjectsJS();
      const row = rows[0];
      return row ? (row.events as string[]) : null;
    });
  }

  refusedAgain(id: string, at: number, status: number, reason: string): Promise<void> {
    return this.serial(async () => {
      await this.connection.run(
        `UPDATE relay_dead_letters SET last_at = epoch_ms($2::BIGINT), status = $3, reason = $4,
         attempts = attempts + 1 WHERE id = $1`,
        [id, Math.trunc(at), status, reason],
      );
    });
  }

  remove(id: string): Promise<void> {
    return this.serial(async () => {
      await this.connection.run('DELETE FROM relay_dead_letters WHERE id = $1', [id]);
    });
  }
}
