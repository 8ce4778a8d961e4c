import { integrationsRoutes as contract } from '@pulse/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import type { Sync, SyncSourceView } from '../../sync/index.js';
import { guard } from '../auth.js';

const present = (view: SyncSourceView | null, name: string) => {
  if (!view) throw new NotFoundError(`sync source ${name}`);
  const { lastRun } = view;
  return {
    ...view,
    lastRun: lastRun && { ...lastRun, at: new Date(lastRun.at).toISOString() },
  };
};

/** Synchronised database views (admin only): status and last run of one, and a run on demand. */
export function syncRoutes(app: FastifyInstance, sync: Sync): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/integrations/sync/:name', { schema: contract.getSync }, async (request) => {
    guard(request, 'integrations:manage');
    return present(sync.view(request.params.name), request.params.name);
  });

  api.post('/api/integrations/sync/:name/run', { schema: contract.runSync }, async (request) => {
    guard(request, 'integrations:manage');
    return present(await sync.runNow(request.params.name), request.params.name);
  });
}
