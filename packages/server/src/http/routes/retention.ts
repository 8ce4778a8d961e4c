import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { auditDetail } from '../../access/audit-requests.js';
import { ValidationError } from '../../errors.js';
import { auditDetailOf, presentPolicy, type Retention } from '../../retention/retention.js';
import type { RetentionSchedule } from '../../retention/schedule.js';
import { guard } from '../auth.js';

export interface RetentionRouteDeps {
  retention: Retention;
  schedule?: Pick<RetentionSchedule, 'nextRun'>;
}

function dryRunParam(value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw new ValidationError('dryRun', `must be true or false; received ${JSON.stringify(value)}`);
}

/** Retention policies and runs: admin only, every call audited with what it changed. */
export function retentionRoutes(app: FastifyInstance, { retention, schedule }: RetentionRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/retention', { schema: contract.getRetention }, async (request) => {
    guard(request, 'retention:manage');
    return {
      policies: (await retention.policies()).map(presentPolicy),
      nextRun: schedule?.nextRun()?.toISOString() ?? null,
    };
  });

  api.put('/api/retention', { schema: contract.putRetention }, async (request) => {
    guard(request, 'retention:manage');
    const { before, after } = await retention.setPolicies(request.body);
    auditDetail(request, { before: before.map(presentPolicy), after: after.map(presentPolicy) });
    return { policies: after.map(presentPolicy) };
  });

  api.post('/api/retention/apply', { schema: contract.applyRetention }, async (request) => {
    guard(request, 'retention:manage');
    const dryRun = dryRunParam(request.query.dryRun ?? request.query.dry_run);
    const run = await retention.apply({ dryRun });
    auditDetail(request, auditDetailOf(run));
    return run;
  });
}
