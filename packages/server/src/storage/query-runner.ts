import type { QueryDialect } from '@pulse/api';
import { DomainError } from '../errors.js';

export class QueryTimeoutError extends DomainError {
  constructor(ms: number) {
    super('query_timeout', `the query ran longer than ${ms} ms and was stopped; narrow it or add filters`);
  }
}

export class ResultTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super(
      'result_too_large',
      `the result is larger than ${maxBytes} bytes as JSON and was stopped; select fewer columns or rows, or aggregate`,
    );
  }
}

/** Which tenants a query may see: a list, or every tenant (admins, executives, all-tenant analysts). */
export type TenantScope = readonly string[] | 'all';

export interface QueryLimits {
  /** Wall time for the whole run: planning, execution and converting the rows. */
  timeoutMs: number;
  maxRows: number;
  /** Size of the rows as JSON; a larger result is refused, not cut. */
  maxBytes: number;
  /** performance.now() when the request arrived, so time spent waiting for a turn counts too. */
  startedAt?: number;
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  /** More rows existed than maxRows. */
  truncated: boolean;
  elapsedMs: number;
}

/** Read-only ad-hoc SQL over the documented `events` and `subscriptions` views, restricted to a scope. */
export interface QueryRunner {
  /** The SQL the runner takes: its engine's own. */
  readonly dialect: QueryDialect;
  run(sql: string, scope: TenantScope, limits: QueryLimits): Promise<QueryResult>;
}
