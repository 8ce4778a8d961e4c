import type { SessionBody } from './types';

/** An API error as the server sends it: `{ error: { code, message, requestId } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

export function setCsrf(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401: the session ended; the app goes back to sign-in. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; quiet401?: boolean } = {},
): Promise<T> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-pulse-csrf'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = response.headers.get('retry-after');
    if (response.status === 401 && path !== '/api/session' && !init.quiet401) onUnauthorized();
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${response.status} ${response.statusText}`,
      retry ? Number(retry) : null,
    );
  }
  return body as T;
}

export const session = {
  current: () => api<SessionBody>('/api/session'),
  signIn: (email: string, password: string) =>
    api<SessionBody>('/api/session', { method: 'POST', body: { email, password } }),
  signOut: () => api<undefined>('/api/session', { method: 'DELETE' }),
};

/** `?a=1&b=2` from defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
