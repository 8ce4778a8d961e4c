import { CaptureError, decodeCaptureRequest } from '../ingestion/decode/index.js';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import { createSafeFetch } from '../net/safe-fetch.js';
import type { CaptureSink } from './backfill.js';

/**
 * A running Pulse's `/batch/` endpoint, as an SDK would send: the server applies its capture checks, token
 * scope, quarantine and dedup. A full ingest queue (503) is waited out, honouring Retry-After.
 */
export function pulseCaptureSink(baseUrl: string): CaptureSink & { close: () => void } {
  const url = new URL('/batch/', baseUrl);
  const outbound = createSafeFetch({
    allowPrivateNetworks: false,
    allowHosts: [url.host],
    timeoutMs: 120_000,
    retries: 8,
    retryBaseMs: 500,
    retryMaxMs: 30_000,
    maxRedirects: 0,
    maxResponseBytes: 16 * 1024 * 1024,
  });
  const sink = async (body: string) => {
    const response = await outbound({
      url: url.href,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (response.status !== 200)
      throw new Error(
        `Pulse at ${url.origin} refused a page of events (${response.status}): ${response.body}`,
      );
    const answer = JSON.parse(response.body) as { quarantined?: unknown[] };
    return { quarantined: answer.quarantined?.length ?? 0 };
  };
  return Object.assign(sink, { close: () => outbound.close() });
}

/**
 * The data dir's own pipeline, when no server holds it: the body is decoded exactly as capture decodes a
 * `/batch/` request, then validated, quarantined and deduplicated as captured events are.
 */
export function pipelineCaptureSink(pipeline: IngestPipeline): CaptureSink {
  return async (body) => {
    const receivedAt = Date.now();
    let decoded;
    try {
      decoded = await decodeCaptureRequest(
        {
          method: 'POST',
          path: '/batch/',
          query: new URLSearchParams(),
          contentType: 'application/json',
          contentEncoding: undefined,
          body: Buffer.from(body),
          receivedAt,
        },
        // The operator owns the data dir: any well-formed token, every tenant.
      );
    } catch (error) {
      if (error instanceof CaptureError)
        throw new Error(`capture refused a page of events (${error.status}): ${error.message}`, {
          cause: error,
        });
      throw error;
    }
    await pipeline.waitForRoom(decoded.events.length);
    const outcome = await pipeline.ingest(decoded.events, receivedAt, 'all');
    return { quarantined: outcome.quarantined.length };
  };
}
