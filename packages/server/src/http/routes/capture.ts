import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnavailableError } from '../../errors.js';
import type { CaptureGrant } from '../../access/capture-grants.js';
import { CaptureError, decodeCaptureRequest } from '../../ingestion/decode/index.js';
import type { IngestPipeline } from '../../ingestion/pipeline.js';
import type { Metrics } from '../../observability/metrics.js';
import type { CaptureTally } from '../../insights/impact-capture-tally.js';

/** PostHog's v0 capture routes, each with and without a trailing slash (docs/capture.md). */
export const capturePaths = ['/e', '/i/v0/e', '/batch', '/capture', '/track', '/engage'];

/** PostHog's cap on a request body on the v0 analytics routes: 20 MiB on the wire. */
export const CAPTURE_BODY_LIMIT = 20 * 1024 * 1024;

export interface CaptureDeps {
  pipeline: IngestPipeline;
  metrics: Metrics;
  /** What a request's token may write (access/capture-grants.ts); throws a CaptureError to refuse it. */
  grantFor: (token: string) => Promise<CaptureGrant>;
  /** Durable counts of received, accepted, quarantined and refused events (absent: not counted). */
  tally?: CaptureTally;
}

/** Mirrors capture's CORS: permissive, mirroring Origin and requested headers, with credentials. */
export function cors(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  void reply.header('access-control-allow-origin', origin ?? '*');
  if (origin) void reply.header('access-control-allow-credentials', 'true').header('vary', 'Origin');
  void reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
  const requested = request.headers['access-control-request-headers'];
  if (requested) void reply.header('access-control-allow-headers', requested);
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.status(status).type('text/plain; charset=utf-8').send(text);
}

export function captureRoutes(app: FastifyInstance, deps: CaptureDeps): void {
  // Capture reads raw bytes whatever the content type: posthog-js sends gzip as text/plain.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: CAPTURE_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('onRequest', async (request, reply) => cors(request, reply));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      deps.metrics.rejected.inc({ reason: 'too_large' });
      deps.tally?.requestRefused(Date.now());
      return plain(reply, 413, `maximum event size exceeded: request body over ${CAPTURE_BODY_LIMIT} bytes`);
    }
    if (error instanceof UnavailableError) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
      return plain(reply, 503, `transient error, please retry: ${error.message}`);
    }
    if ((error.statusCode ?? 500) < 500)
      return plain(reply, error.statusCode ?? 400, `failed to decode request: ${error.message}`);
    request.log.error({ err: error }, 'capture failed');
    void reply.header('retry-after', '1');
    return plain(reply, 503, 'transient error, please retry');
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const receivedAt = Date.now();
    const query = new URLSearchParams(
      request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
    );
    let decoded;
    let grant: CaptureGrant | undefined;
    // Checked as soon as the token is seen, before the rest of a large body is read.
    const checkToken = async (token: string) => {
      grant = await deps.grantFor(token);
      return grant.token;
    };
    try {
      decoded = await decodeCaptureRequest(
        {
          method: request.method === 'GET' ? 'GET' : 'POST',
          path: request.url.split('?')[0] ?? request.url,
          query,
          contentType: request.headers['content-type'],
          contentEncoding: request.headers['content-encoding'],
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
          receivedAt,
        },
        { checkToken },
      );
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      deps.metrics.rejected.inc({ reason: error.code });
      deps.tally?.requestRefused(receivedAt);
      return plain(reply, error.status, error.message);
    }
    let outcome;
    try {
      outcome = await deps.pipeline.ingest(decoded.events, receivedAt, grant?.tenants ?? 'all');
    } catch (error) {
      deps.tally?.record(receivedAt, decoded.events, { kind: 'refused' });
      throw error;
    }
    deps.tally?.record(receivedAt, decoded.events, {
      kind: 'answered',
      quarantined: new Set(outcome.quarantined.map((q) => q.index)),
    });
    if (decoded.beacon) return reply.status(204).send();
    // Exactly 200 {"status":"Ok"}: posthog-js retries anything else. Quarantined events are reported, not refused.
    if (!outcome.quarantined.length) return reply.status(200).send({ status: 'Ok' });
    return reply.status(200).send({
      status: 'Ok',
      quarantined: outcome.quarantined.map((q) => ({
        index: q.index,
        reasons: q.issues.map((i) => i.message),
        issues: q.issues,
      })),
    });
  };

  for (const base of capturePaths) {
    for (const url of [base, `${base}/`]) {
      app.route({ method: ['GET', 'POST'], url, handler });
      app.options(url, async (_request, reply) => reply.status(200).send({ status: 'Ok' }));
    }
  }
}
