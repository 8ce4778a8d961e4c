import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthDeps {
  registry: Registry;
  /** False while starting (dedup index loading) or draining for shutdown. */
  isReady: () => boolean;
  queueDepth: () => number;
  /** Several processes on one state: this one's id and whether it runs the scheduled work (absent: alone). */
  cluster?: () => { process: string; leader: boolean };
}

export function healthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = deps.isReady();
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      queueDepth: deps.queueDepth(),
      ...(deps.cluster ? { cluster: deps.cluster() } : {}),
    });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
}
