import { relayRoutes as contract } from '@pulse/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { RelayControl } from '../../relay/index.js';
import { guard } from '../auth.js';

/** The relay to PostHog as operators see it (admin only): its status and dead letters, and their retry. */
export function relayHttpRoutes(app: FastifyInstance, relay: RelayControl): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/relay', { schema: contract.getRelay }, async (request) => {
    guard(request, 'integrations:manage');
    return relay.status();
  });

  api.post('/api/relay/dead-letters/:id/retry', { schema: contract.retryDeadLetter }, async (request) => {
    guard(request, 'integrations:manage');
    return { results: await relay.retry(request.params.id) };
  });

  api.post('/api/relay/dead-letters/retry', { schema: contract.retryAllDeadLetters }, async (request) => {
    guard(request, 'integrations:manage');
    return { results: await relay.retry('all') };
  });
}
