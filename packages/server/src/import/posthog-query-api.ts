import type { HogQL } from './hogql.js';
import { createSafeFetch, OutboundError, type RetryNotice } from '../net/safe-fetch.js';

/** Where and as whom to query PostHog. */
export interface QueryApiTarget {
  /** The app host, e.g. https://us.posthog.com (not the i.posthog.com ingest host). */
  host: string;
  projectId: string;
  personalApiKey: string;
}

export interface QueryApiOptions {
  /** Further attempts after a rate limit (429), a server error or no answer; each waits (Retry-After first). */
  retries: number;
  retryBaseMs?: number;
  /** One line for a person each time a query is tried again, and why. */
  notify?: (line: string) => void;
}

/** A query PostHog did not answer with rows. `resumable`: nothing is wrong with the request; try again later. */
export class QueryApiError extends Error {
  constructor(
    message: string,
    readonly resumable: boolean,
  ) {
    super(message);
    this.name = 'QueryApiError';
  }
}

export interface QueryResult {
  columns: string[];
  results: unknown[][];
}

/** The longest a single answer may be: a page of events with large properties, well under capture's own caps. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** The `detail` of a DRF error body (`{type, code, detail, attr}`), else the text itself, shortened. */
function detailOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { detail?: unknown };
    if (typeof parsed.detail === 'string') return parsed.detail;
  } catch {
    // not JSON: keep the text
  }
  return body.length > 300 ? `${body.slice(0, 300)}…` : body;
}

function retryLine(notice: RetryNotice, retries: number): string {
  const seconds = Math.max(1, Math.round(notice.delayMs / 1000));
  const why =
    notice.status === 429
      ? 'PostHog rate-limited the query (429)'
      : notice.status !== undefined
        ? `PostHog answered ${notice.status}`
        : `PostHog did not answer (${notice.error?.message ?? 'no answer'})`;
  const wait = notice.retryAfter ? `waiting ${seconds} s as its Retry-After asks` : `waiting ${seconds} s`;
  return `${why}; ${wait}, then retrying (attempt ${notice.attempt + 1} of ${retries + 1})`;
}

/**
 * Runs HogQL (text and placeholder values) through PostHog's Query API (`POST /api/projects/{id}/query/`, a personal API key with the
 * `query:read` scope) and turns each way it can fail into a sentence that says what to do.
 */
export function createQueryApi(target: QueryApiTarget, options: QueryApiOptions) {
  const base = new URL(target.host);
  const url = new URL(`/api/projects/${encodeURIComponent(target.projectId)}/query/`, base).href;
  const outbound = createSafeFetch({
    // The operator names this host: a self-hosted PostHog on a private network is fine, nothing else is.
    allowPrivateNetworks: false,
    allowHosts: [base.host],
    timeoutMs: 60_000,
    retries: options.retries,
    retryBaseMs: options.retryBaseMs ?? 1_000,
    retryMaxMs: 120_000,
    maxRedirects: 0,
    maxResponseBytes: MAX_ANSWER_BYTES,
    ...(options.notify
      ? { onRetry: (n: RetryNotice) => options.notify?.(retryLine(n, options.retries)) }
      : {}),
  });

  async function query(hogql: HogQL): Promise<QueryResult> {
    let response;
    try {
      response = await outbound({
        url,
        method: 'POST',
        headers: { authorization: `Bearer ${target.personalApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: { kind: 'HogQLQuery', ...hogql }, refresh: 'blocking' }),
      });
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      const transient = error.kind === 'network' || error.kind === 'timeout';
      throw new QueryApiError(
        `PostHog at ${base.origin} did not answer after ${error.attempts} attempt(s): ${error.message}`,
        transient,
      );
    }
    const { status, body } = response;
    if (status === 200) return parseRows(body);
    const detail = detailOf(body);
    if (status === 401)
      throw new QueryApiError(
        `PostHog refused the personal API key (401: ${detail}); pass a valid personal API key (phx_…, scope query:read; not the project token) with --personal-api-key or PULSE_POSTHOG_PERSONAL_API_KEY`,
        false,
      );
    if (status === 403)
      throw new QueryApiError(
        `PostHog denied the query (403: ${detail}); the personal API key needs the query:read scope and access to project ${target.projectId}`,
        false,
      );
    if (status === 404)
      throw new QueryApiError(
        `PostHog at ${base.origin} has no project ${target.projectId} (404); check --project-id, and that --host is the app host (e.g. https://us.posthog.com), not the ingest host`,
        false,
      );
    if (status === 429)
      throw new QueryApiError(
        `PostHog kept rate-limiting the query (429) after ${response.attempts} attempt(s): ${detail}`,
        true,
      );
    if (status >= 500)
      throw new QueryApiError(
        `PostHog failed the query (${status}) after ${response.attempts} attempt(s): ${detail}`,
        true,
      );
    throw new QueryApiError(`PostHog refused the query (${status}): ${detail}`, false);
  }

  return { query, close: () => outbound.close() };
}

function parseRows(body: string): QueryResult {
  let parsed: { columns?: unknown; results?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    throw new QueryApiError(
      `PostHog's answer is not JSON (${body.length.toLocaleString('en-US')} bytes read; answers over ${MAX_ANSWER_BYTES.toLocaleString('en-US')} bytes are cut: use a smaller --batch-size)`,
      false,
    );
  }
  const { columns, results } = parsed;
  if (!Array.isArray(columns) || !Array.isArray(results) || results.some((row) => !Array.isArray(row)))
    throw new QueryApiError(
      'PostHog answered without `columns` and `results` rows; is --host a PostHog?',
      false,
    );
  return { columns: columns.map(String), results: results as unknown[][] };
}
