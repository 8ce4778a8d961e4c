import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from './private-address.js';

export interface SafeFetchOptions {
  /** Let calls reach loopback/private/link-local addresses (tests, on-premise receivers). */
  allowPrivateNetworks: boolean;
  /** `host` or `host:port` entries reachable even when private (e.g. one internal relay). */
  allowHosts?: readonly string[];
  /** Per attempt: connect, send and read the answer. */
  timeoutMs: number;
  /** Further attempts after a network error, a timeout, 408, 429 or 5xx. */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxRedirects: number;
  maxResponseBytes?: number;
  /** DNS resolution (default node:dns lookup, all addresses). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  random?: () => number;
  /** Told before each wait for a further attempt (e.g. to show a rate limit's Retry-After to a person). */
  onRetry?: (retry: RetryNotice) => void;
}

/** Why a call is tried again and after how long: an HTTP status, or the error of an attempt without one. */
export interface RetryNotice {
  attempt: number;
  delayMs: number;
  status?: number;
  error?: OutboundError;
  /** The delay came from the answer's Retry-After. */
  retryAfter: boolean;
}

/** A call to make; a body is text, or bytes (`Body = Buffer`, e.g. already compressed). */
export interface OutboundRequest<Body extends string | Buffer = string> {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: Body;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer's text, truncated to maxResponseBytes. */
  body: string;
  /** The answer was longer than maxResponseBytes (body holds its start). */
  truncated: boolean;
  attempts: number;
  /** The URL that answered (after redirects). */
  url: string;
}

export type OutboundErrorKind = 'blocked' | 'timeout' | 'network' | 'redirect' | 'invalid_url';

/** A call that got no HTTP answer. `blocked` and `invalid_url` are permanent; the rest were retried. */
export class OutboundError extends Error {
  constructor(
    message: string,
    readonly kind: OutboundErrorKind,
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

export interface SafeFetch {
  <Body extends string | Buffer = string>(request: OutboundRequest<Body>): Promise<OutboundResponse>;
  /** Closes the keep-alive connections. */
  close(): void;
}

const retryableStatus = new Set([408, 425, 429, 500, 502, 503, 504]);
const redirectStatus = new Set([301, 302, 303, 307, 308]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential back-off with jitter: a random delay in [d/2, d], d = base × 2^(attempt−1), capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The one outbound HTTP client: every webhook and channel call goes through it. Timeouts,
 * retries with exponential back-off and jitter (Retry-After honoured), keep-alive, and an SSRF guard
 * that checks every address a host resolves to at connect time (so DNS rebinding and redirects to a
 * private network are refused too) unless private networks are allowed.
 */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
  };
  const random = options.random ?? Math.random;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const resolve =
    options.resolve ??
    ((hostname: string) =>
      new Promise<LookupAddress[]>((done, fail) =>
        dnsLookup(hostname, { all: true }, (error, addresses) => (error ? fail(error) : done(addresses))),
      ));

  const allowedHost = (url: URL) =>
    options.allowPrivateNetworks ||
    (options.allowHosts ?? []).some((h) => h === url.hostname || h === url.host);

  /** A lookup that refuses private addresses for this URL's host (unless allowed). */
  const guardedLookup = (url: URL): LookupFunction =>
    ((hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      resolve(hostname).then(
        (addresses) => {
          const bad = allowedHost(url) ? undefined : addresses.find((a) => isPrivateAddress(a.address));
          if (bad)
            return callback(
              new OutboundError(
                `${hostname} resolves to ${bad.address}, a private network address`,
                'blocked',
              ),
            );
          if (!addresses.length) return callback(new OutboundError(`${hostname} has no address`, 'network'));
          if (lookupOptions.all) return callback(null, addresses);
          const first = addresses[0] as LookupAddress;
          return callback(null, first.address, first.family);
        },
        (error: unknown) => callback(error),
      );
    }) as LookupFunction;

  function once(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
  ) {
    return new Promise<Omit<OutboundResponse, 'attempts' | 'url'>>((resolvePromise, reject) => {
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal) && !allowedHost(url) && isPrivateAddress(literal))
        return reject(new OutboundError(`${literal} is a private network address`, 'blocked'));
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: guardedLookup(url),
      });
      const timer = setTimeout(
        () =>
          req.destroy(
            new OutboundError(`no answer from ${url.host} within ${options.timeoutMs} ms`, 'timeout'),
          ),
        options.timeoutMs,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(
          error instanceof OutboundError
            ? error
            : new OutboundError(`${url.host}: ${error.message}`, 'network'),
        );
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < maxBytes) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'),
            truncated: size > maxBytes,
          });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(new OutboundError(`${url.host}: ${error.message}`, 'network'));
        });
      });
      req.end(body);
    });
  }

  /** One attempt, following redirects (each hop checked like the first). */
  async function attempt(request: OutboundRequest<string | Buffer>): Promise<OutboundResponse> {
    let url = parse(request.url);
    let method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
    let body = request.body;
    let headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const response = await once(url, method, headers, body);
      const location = response.headers.location;
      if (!redirectStatus.has(response.status) || !location)
        return { ...response, attempts: 1, url: url.href };
      if (hop >= options.maxRedirects)
        throw new OutboundError(
          `${url.host} redirects (${response.status}) and redirects are not followed`,
          'redirect',
        );
      const next = parse(new URL(location, url).href);
      if (next.origin !== url.origin) {
        const { authorization: _a, cookie: _c, ...rest } = headers;
        headers = rest;
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  const safeFetch = (async (request: OutboundRequest<string | Buffer>): Promise<OutboundResponse> => {
    for (let n = 1; ; n++) {
      let notice: RetryNotice;
      try {
        const response = await attempt(request);
        if (!retryableStatus.has(response.status) || n > options.retries) return { ...response, attempts: n };
        const asked = retryAfterMs(response.headers['retry-after']);
        notice = {
          attempt: n,
          status: response.status,
          retryAfter: asked !== undefined,
          delayMs: Math.min(
            options.retryMaxMs,
            asked ?? backoffDelay(n, options.retryBaseMs, options.retryMaxMs, random),
          ),
        };
      } catch (error) {
        const e = error as OutboundError;
        const permanent = e.kind === 'blocked' || e.kind === 'invalid_url' || e.kind === 'redirect';
        if (permanent || n > options.retries) throw new OutboundError(e.message, e.kind, n);
        notice = {
          attempt: n,
          error: e,
          retryAfter: false,
          delayMs: backoffDelay(n, options.retryBaseMs, options.retryMaxMs, random),
        };
      }
      options.onRetry?.(notice);
      await sleep(notice.delayMs);
    }
  }) as SafeFetch;
  safeFetch.close = () => {
    agents['http:'].destroy();
    agents['https:'].destroy();
  };
  return safeFetch;
}

function parse(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError(`${raw} is not an absolute URL`, 'invalid_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundError(`${url.protocol} URLs are not allowed (http and https only)`, 'invalid_url');
  return url;
}
