import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { reportScheduleRoutes as contract } from '@pulse/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { auditDetail } from '../../access/audit-requests.js';
import { ValidationError } from '../../errors.js';
import type { ReportSchedules } from '../../report-schedules/index.js';
import { limitParam } from '../query-params.js';

/** Report schedules: admin only (reports:manage); each change and send is audited with the request. */
export function reportScheduleRoutes(app: FastifyInstance, schedules: ReportSchedules): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/report-schedules';

  api.get(base, { schema: contract.listReportSchedules }, async () => ({
    schedules: await schedules.list(),
  }));

  api.post(base, { schema: contract.createReportSchedule }, async (request, reply) => {
    const created = await schedules.create(request.body, request.actor);
    auditDetail(request, { schedule: created.id, recipients: created.recipients, tenants: created.tenants });
    return reply.status(201).send(created);
  });

  api.get(`${base}/:id`, { schema: contract.getReportSchedule }, async (request) =>
    schedules.get(request.params.id),
  );

  api.patch(`${base}/:id`, { schema: contract.patchReportSchedule }, async (request) => {
    const updated = await schedules.patch(request.params.id, request.body);
    auditDetail(request, { schedule: updated.id, changed: Object.keys(request.body) });
    return updated;
  });

  api.delete(`${base}/:id`, { schema: contract.deleteReportSchedule }, async (request) => {
    await schedules.remove(request.params.id);
    auditDetail(request, { schedule: request.params.id });
    return { deleted: request.params.id };
  });

  api.post(`${base}/:id/send`, { schema: contract.sendReportSchedule }, async (request, reply) => {
    const run = await schedules.send(request.params.id, request.actor, request.id);
    auditDetail(request, { schedule: run.scheduleId, run: run.id });
    return reply.status(202).send(run);
  });

  api.get(`${base}/:id/history`, { schema: contract.reportScheduleHistory }, async (request) => ({
    runs: await schedules.history(request.params.id, limitParam(request.query.limit, 50, 500)),
  }));

  api.get(`${base}/:id/preview`, { schema: contract.previewReportSchedule }, async (request, reply) => {
    const format = request.query.format ?? 'html';
    if (format !== 'html' && format !== 'pdf')
      throw new ValidationError('format', `must be html or pdf; received ${JSON.stringify(format)}`);
    const copy = await schedules.preview(request.params.id, request.query.as, [format]);
    auditDetail(request, {
      schedule: request.params.id,
      as: request.query.as,
      scope: copy.document.scopeText,
    });
    if (format === 'html') return reply.type('text/html; charset=utf-8').send(copy.standaloneHtml);
    const pdf = copy.attachments.find((a) => a.contentType === 'application/pdf');
    // Bytes, not the JSON/text the typed reply expects: sent through the untyped reply.
    return (reply as FastifyReply).type('application/pdf').send(Buffer.from(pdf?.base64 ?? '', 'base64'));
  });
}
