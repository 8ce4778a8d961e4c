import type { FastifyInstance } from 'fastify';
import { DomainError, UnavailableError } from '../../errors.js';
import { providerNames } from '../../webhooks/provider.js';
import type { Receive } from '../../webhooks/receiver.js';
import { apiErrorHandler } from '../errors.js';

/** Providers post batches up to ~768 KB (SendGrid); room to spare, still bounded. */
export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

/**
 * POST /webhooks/<provider>: raw bytes whatever the content type (signatures cover the bytes as sent;
 * SNS posts JSON as text/plain). Accepted (new or duplicate) → 200; refused → the provider's no-retry 4xx;
 * 503 only when verified events could not be stored.
 */
export function webhookRoutes(app: FastifyInstance, deps: { receive: Receive; now: () => number }): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  app.setErrorHandler(apiErrorHandler);
  for (const provider of providerNames)
    app.post(`/webhooks/${provider}`, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let result;
      try {
        result = await deps.receive(provider, { body, headers: request.headers, receivedAt: deps.now() });
      } catch (error) {
        if (error instanceof DomainError) throw error;
        request.log.error({ err: error, provider }, 'storing a verified webhook failed');
        throw new UnavailableError(`could not store the verified ${provider} events; retry`, 5);
      }
      if (result.kind === 'refused')
        return reply.status(result.status).send({
          error: {
            code: `webhook_${result.reason}`,
            message: `${provider}: ${result.message}`,
            requestId: request.id,
          },
        });
      const { kind: _kind, ...counts } = result;
      return reply.status(200).send({ status: 'ok', ...counts });
    });
}
