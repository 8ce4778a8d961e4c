import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One event as the upstream parsed it out of a `/batch/` envelope. */
export interface UpstreamEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

/** What the upstream answers a batch with; `undefined` from the handler means 200 {"status":"Ok"}. */
export interface UpstreamAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface PosthogUpstream {
  url: string;
  /** Every request's batch, in arrival order, with the answer it got. */
  requests: { events: UpstreamEvent[]; status: number }[];
  /** Events of 2xx-answered batches, in arrival order (re-sent ones appear again). */
  accepted: UpstreamEvent[];
  /** How the next batches are answered (default: 200). */
  answer: (events: UpstreamEvent[]) => UpstreamAnswer | undefined;
  /** Resolves once `check` holds after a request (checked at once, too). */
  until: (check: () => boolean) => Promise<void>;
  /** Resolves once every uuid was accepted at least once. */
  untilAccepted: (uuids: readonly string[]) => Promise<void>;
  close: () => Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A stand-in PostHog capture on 127.0.0.1 that reads `/batch/` as PostHog does: gzip when
 * `Content-Encoding: gzip` or `?compression=gzip-js` says so or the body starts with the gzip magic; a
 * JSON envelope with `api_key` (which must be `token`) and `batch`; each event with a uuid.
 */
export async function startPosthogUpstream(token: string): Promise<PosthogUpstream> {
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const upstream: PosthogUpstream = {
    url: '',
    requests: [],
    accepted: [],
    answer: () => undefined,
    until: (check) =>
      check() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ check, resolve })),
    untilAccepted: (uuids) => {
      const wanted = new Set(uuids);
      return upstream.until(() => {
        for (const e of upstream.accepted) wanted.delete(e.uuid);
        return wanted.size === 0;
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const settle = () => {
    for (const waiter of [...waiters])
      if (waiter.check()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://upstream');
      let raw = await readBody(request);
      const gzipHint =
        request.headers['content-encoding'] === 'gzip' || url.searchParams.get('compression') === 'gzip-js';
      if (gzipHint || (raw[0] === 0x1f && raw[1] === 0x8b)) raw = gunzipSync(raw);
      const envelope = JSON.parse(raw.toString('utf8')) as { api_key?: string; batch?: UpstreamEvent[] };
      if (url.pathname !== '/batch/' || envelope.api_key !== token || !Array.isArray(envelope.batch)) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('failed to parse request');
        return;
      }
      for (const e of envelope.batch)
        if (typeof e.uuid !== 'string' || typeof e.distinct_id !== 'string' || !e.event)
          throw new Error(`an event without uuid, distinct_id or name: ${JSON.stringify(e)}`);
      const answer = upstream.answer(envelope.batch) ?? { status: 200 };
      upstream.requests.push({ events: envelope.batch, status: answer.status });
      if (answer.status >= 200 && answer.status < 300) upstream.accepted.push(...envelope.batch);
      response
        .writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
        .end(answer.body ?? (answer.status === 200 ? '{"status":"Ok"}' : 'refused'));
      settle();
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
      throw error;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}
