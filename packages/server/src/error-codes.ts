/**
 * Every public error code of the JSON API, with its HTTP status and what it means. The one source of truth:
 * `DomainError` accepts only these codes, http/errors.ts answers with their status, and docs/errors.md is
 * generated from this table (`npm run docs:errors`).
 */
export const errorCodes = {
  invalid_request: {
    status: 400,
    description:
      'The request is malformed: a parameter, header or body field is missing or has a bad value, or the body is not valid JSON; the message names the field and the problem.',
  },
  invalid_query: {
    status: 400,
    description:
      'The event store (DuckDB or ClickHouse) refused the ad-hoc SQL of POST /api/query (an unknown column, a type error, …).',
  },
  query_timeout: {
    status: 400,
    description:
      'An ad-hoc query ran longer than PULSE_QUERY_TIMEOUT_MS and was stopped; narrow it or add filters.',
  },
  query_memory_exceeded: {
    status: 400,
    description:
      "An ad-hoc query needed more memory than PULSE_DUCKDB_MEMORY_LIMIT (on ClickHouse: its user's max_memory_usage) allows and was stopped.",
  },
  result_too_large: {
    status: 400,
    description:
      'An ad-hoc result is larger than PULSE_QUERY_MAX_BYTES as JSON; it is refused rather than cut.',
  },
  unauthorized: {
    status: 401,
    description:
      'No valid credential: the API key or session cookie is missing, unknown, revoked or expired, or the sign-in failed.',
  },
  forbidden: {
    status: 403,
    description:
      "The caller is known but may not do this: outside their role's permissions or tenants, or a missing CSRF token.",
  },
  not_found: {
    status: 404,
    description: 'No such route, or no such resource (user, rule, alert, key, quarantined event, …).',
  },
  conflict: {
    status: 409,
    description:
      'The request clashes with the current state, such as an email already taken or an alert already resolved.',
  },
  payload_too_large: {
    status: 413,
    description: 'The request body is over the 1 MiB the JSON API accepts.',
  },
  unsupported_media_type: {
    status: 415,
    description:
      'The request body has a content type the route does not read; the JSON API reads application/json.',
  },
  upgrade_required: {
    status: 426,
    description: 'GET /api/live is a WebSocket: the request must ask to upgrade the connection.',
  },
  too_many_attempts: {
    status: 429,
    description:
      'Too many failed sign-ins for the account or from the address; Retry-After says when to try again.',
  },
  internal: {
    status: 500,
    description:
      'An unexpected failure inside Pulse; it is logged with the requestId, and the response carries no detail.',
  },
  unavailable: {
    status: 503,
    description:
      'Pulse cannot take the request now (queries queued to their limit, the store catching up, …); Retry-After says when to retry.',
  },
  audit_unavailable: {
    status: 503,
    description: 'An access to business data could not be recorded in the audit trail, so it was refused.',
  },
  dashboard_not_built: {
    status: 503,
    description:
      'The dashboard is requested but was never built: run `npm run build` in the repository root.',
  },
  pdf_engine_missing: {
    status: 503,
    description:
      'A report PDF was asked for but the Chromium that renders it is not installed at PULSE_CHROMIUM_PATH (Debian package chromium).',
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCodes;
