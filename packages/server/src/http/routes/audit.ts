import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { auditColumns, auditResults, type AuditRecord, type AuditResult } from '../../access/audit-chain.js';
import { toCsv } from '../../csv.js';
import { ValidationError } from '../../errors.js';
import type { AuditFilter, AuditLog } from '../../storage/audit-log.js';
import { guard } from '../auth.js';
import { limitParam, timeParam } from '../query-params.js';

const MAX_LIST = 10_000;
const MAX_EXPORT = 1_000_000;

export function presentAudit(r: AuditRecord) {
  return {
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    scope: r.scope,
    detail: r.detail,
    result: r.result,
    requestId: r.requestId,
    clientRequestId: r.clientRequestId ?? null,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export function auditCsv(records: readonly AuditRecord[]): string {
  return toCsv(
    auditColumns,
    records.map((r) => [
      r.seq,
      new Date(r.at).toISOString(),
      r.actor.kind,
      r.actor.id,
      r.actor.role,
      r.action,
      r.scope === 'all' ? 'all' : r.scope.join(' '),
      JSON.stringify(r.detail),
      r.result,
      r.requestId,
      r.prevHash,
      r.hash,
      r.clientRequestId ?? null,
    ]),
  );
}

/** The audit trail: read with filters, export as JSONL or CSV, verify the hash chain. */
export function auditRoutes(app: FastifyInstance, log: AuditLog): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/audit', { schema: contract.listAudit }, async (request, reply) => {
    guard(request, 'audit:read');
    const q = request.query;
    const format = q.format ?? 'json';
    if (!['json', 'jsonl', 'csv'].includes(format))
      throw new ValidationError('format', `must be json, jsonl or csv; received ${JSON.stringify(format)}`);
    if (q.result !== undefined && !(auditResults as readonly string[]).includes(q.result))
      throw new ValidationError('result', `must be one of ${auditResults.join(', ')}`);
    const exporting = format !== 'json';
    const from = timeParam('from', q.from);
    const to = timeParam('to', q.to);
    const filter: AuditFilter = {
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.result ? { result: q.result as AuditResult } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      limit: limitParam(q.limit, exporting ? MAX_EXPORT : 100, exporting ? MAX_EXPORT : MAX_LIST),
      // reading: newest first; exports: in chain order
      order: exporting ? 'asc' : 'desc',
    };
    const records = await log.list(filter);
    if (format === 'jsonl')
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="pulse-audit.jsonl"')
        .send(records.map((r) => JSON.stringify(presentAudit(r))).join('\n') + (records.length ? '\n' : ''));
    if (format === 'csv')
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="pulse-audit.csv"')
        .send(auditCsv(records));
    return { records: records.map(presentAudit) };
  });

  api.get('/api/audit/verify', { schema: contract.verifyAudit }, async (request) => {
    guard(request, 'audit:read');
    const { headSeq: seq, headHash: hash } = request.query;
    if ((seq === undefined) !== (hash === undefined))
      throw new ValidationError('headSeq', 'and headHash go together (a head from an earlier verify)');
    if (seq !== undefined && !/^\d+$/.test(seq))
      throw new ValidationError('headSeq', 'must be a whole number');
    if (hash !== undefined && !/^[0-9a-f]{64}$/.test(hash))
      throw new ValidationError('headHash', 'must be 64 hex digits');
    return await log.verify(seq !== undefined && hash !== undefined ? { seq: Number(seq), hash } : undefined);
  });
}
