import type { SafeFetch } from '../../net/safe-fetch.js';
import { abortable } from '../abortable.js';

/** A rate limit resetting later than this fails the poll (backed off) instead of holding it. */
export const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const MAX_RATE_LIMITED_ATTEMPTS = 3;
/** 200 Droplets a page (the API's maximum), so 100 pages are 20,000 Droplets. */
export const PAGE_SIZE = 200;
export const MAX_PAGES = 100;

export interface ApiOptions {
  baseUrl: string;
  token: string;
  fetch: SafeFetch;
  now: () => number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  abortable(new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), signal);

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * How long a 429 asks to wait: Retry-After (seconds) when sent, else RateLimit-Reset (Unix seconds when
 * the oldest request in the window expires, as DigitalOcean documents it); at least one second.
 */
export function rateLimitWaitMs(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | undefined {
  const retryAfter = header(headers['retry-after']);
  if (retryAfter && /^\d+$/.test(retryAfter)) return Math.max(1_000, Number(retryAfter) * 1000);
  const reset = header(headers['ratelimit-reset']);
  if (reset && /^\d+$/.test(reset)) return Math.max(1_000, Number(reset) * 1000 - now);
  return undefined;
}

/** GETs of the DigitalOcean API with its bearer token, waiting out rate limits; counts for the board. */
export function digitalOceanApi(options: ApiOptions) {
  const origin = new URL(options.baseUrl).origin;
  const counts = { requests: 0, rateLimited: 0 };

  async function get(pathOrUrl: string, signal: AbortSignal): Promise<unknown> {
    const url = new URL(pathOrUrl, `${options.baseUrl}/`);
    // The token goes to the configured API only, whatever a response's links say.
    if (url.origin !== origin) throw new Error(`refusing to send the token to ${url.origin} (not ${origin})`);
    const where = `${url.pathname}${url.search}`;
    for (let attempt = 1; ; attempt++) {
      counts.requests++;
      const response = await abortable(
        options.fetch({
          url: url.href,
          headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
        }),
        signal,
      );
      if (response.status === 429) {
        counts.rateLimited++;
        // One reading of the clock: the reset named in the error is the one the header gave.
        const now = options.now();
        const wait = rateLimitWaitMs(response.headers, now) ?? 60_000;
        if (wait > MAX_RATE_LIMIT_WAIT_MS || attempt >= MAX_RATE_LIMITED_ATTEMPTS)
          throw new Error(
            `DigitalOcean rate limit on GET ${where}: resets at ${new Date(now + wait).toISOString()}`,
          );
        await sleep(wait, signal);
        continue;
      }
      if (response.status !== 200) {
        const reason = /"message"\s*:\s*"([^"]{0,200})"/.exec(response.body)?.[1] ?? 'no message';
        throw new Error(`DigitalOcean GET ${where} answered HTTP ${response.status}: ${reason}`);
      }
      if (response.truncated) throw new Error(`DigitalOcean GET ${where}: the answer is too large`);
      try {
        return JSON.parse(response.body) as unknown;
      } catch {
        throw new Error(`DigitalOcean GET ${where}: the answer is not JSON`);
      }
    }
  }

  /** Every item of a paged list, following links.pages.next; at most MAX_PAGES pages. */
  async function list(path: string, key: string, signal: AbortSignal): Promise<unknown[]> {
    const items: unknown[] = [];
    let next: string | undefined = `${path}?per_page=${PAGE_SIZE}`;
    for (let page = 1; next; page++) {
      if (page > MAX_PAGES) throw new Error(`DigitalOcean ${path}: more than ${MAX_PAGES} pages`);
      const body = (await get(next, signal)) as Record<string, unknown> | null;
      const pageItems = body?.[key];
      if (!Array.isArray(pageItems)) throw new Error(`DigitalOcean ${path}: the answer has no "${key}" list`);
      for (const item of pageItems as unknown[]) items.push(item);
      const links = body?.links as { pages?: { next?: unknown } } | undefined;
      next = typeof links?.pages?.next === 'string' ? links.pages.next : undefined;
    }
    return items;
  }

  return { get, list, counts };
}

export type DigitalOceanApi = ReturnType<typeof digitalOceanApi>;
