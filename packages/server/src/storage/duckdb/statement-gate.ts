import type { DuckDBAppender, DuckDBConnection, DuckDBResult } from '@duckdb/node-api';

/** Statement entry points of a connection the gate lets through, each held until its result is in. */
const held = new Set<PropertyKey>(['run', 'runAndRead', 'runAndReadAll', 'runAndReadUntil']);

/** Entry points that run statements outside a held call (a prepared or pending statement runs later). */
const refused = new Set<PropertyKey>([
  'streamAndRead',
  'streamAndReadAll',
  'streamAndReadUntil',
  'start',
  'startThenRead',
  'startThenReadAll',
  'startThenReadUntil',
  'startStream',
  'startStreamThenRead',
  'startStreamThenReadAll',
  'startStreamThenReadUntil',
  'prepare',
  'createPrepared',
  'extractStatements',
  'runUntilLast',
]);

/**
 * Lets engine-wide work (a setting that would fail whatever statement runs at that instant) run while no
 * statement runs on any connection of one database. Every connection is handed out wrapped
 * (`connection()`): a statement waits while such work waits or runs, and such work waits until the
 * statements in flight are done. A streamed result is held per chunk fetched, an appender from its
 * creation to its close (its writes are synchronous calls that could not wait).
 */
export class StatementGate {
  private running = 0;
  /** Set while exclusive work waits for the statements in flight or runs; resolved when it is done. */
  private closed: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  /** `work` alone on the database: no statement of a wrapped connection runs meanwhile. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      if (this.running > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      return await work();
    } finally {
      this.drained = null;
      this.closed = null;
      open();
    }
  }

  /** `connection` with every statement going through the gate. */
  connection(connection: DuckDBConnection): DuckDBConnection {
    return new Proxy(connection, {
      get: (target, property) => {
        if (held.has(property) || property === 'stream' || property === 'createAppender')
          return (...args: unknown[]) => this.call(target, property, args);
        if (refused.has(property))
          throw new Error(
            `DuckDB connection.${String(property)} is not supported here: use run, runAndReadAll or stream`,
          );
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private async call(target: DuckDBConnection, property: PropertyKey, args: unknown[]): Promise<unknown> {
    const method = Reflect.get(target, property, target) as (...a: unknown[]) => Promise<unknown>;
    await this.enter();
    if (property === 'createAppender') {
      try {
        return this.appender((await method.apply(target, args)) as DuckDBAppender);
      } catch (error) {
        this.leave();
        throw error;
      }
    }
    try {
      const result = await method.apply(target, args);
      return property === 'stream' ? this.streamed(result as DuckDBResult) : result;
    } finally {
      this.leave();
    }
  }

  /** A streamed result runs its statement chunk by chunk: each fetch is a statement in flight. */
  private streamed(result: DuckDBResult): DuckDBResult {
    return new Proxy(result, {
      get: (target, property, receiver) => {
        if (property !== 'fetchChunk') return Reflect.get(target, property, receiver) as unknown;
        return async () => {
          await this.enter();
          try {
            return await target.fetchChunk();
          } finally {
            this.leave();
          }
        };
      },
    });
  }

  private appender(appender: DuckDBAppender): DuckDBAppender {
    let open = true;
    return new Proxy(appender, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const bound = (value as (...a: unknown[]) => unknown).bind(target);
        if (property !== 'closeSync') return bound;
        return () => {
          try {
            bound();
          } finally {
            if (open) this.leave();
            open = false;
          }
        };
      },
    });
  }

  private async enter(): Promise<void> {
    while (this.closed) await this.closed;
    this.running++;
  }

  private leave(): void {
    this.running--;
    if (this.running === 0) this.drained?.();
  }
}
