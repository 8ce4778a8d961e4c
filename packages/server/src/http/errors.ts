import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors.js';

const statusOf: Record<string, number> = {
  invalid_request: 400,
  invalid_query: 400,
  query_timeout: 400,
  query_memory_exceeded: 400,
  result_too_large: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_attempts: 429,
  unavailable: 503,
  audit_unavailable: 503,
};

/** SPEC §6 error shape for /api: `{ error: { code, message, requestId } }`; never a stack. */
export function apiErrorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  let status = 500;
  let code = 'internal';
  let message = 'internal server error';
  if (error instanceof DomainError) {
    status = statusOf[error.code] ?? 400;
    code = error.code;
    message = error.message;
    if ('retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number')
      void reply.header('retry-after', String(error.retryAfterSeconds));
  } else if ('validation' in error && error.validation) {
    status = 400;
    code = 'invalid_request';
    message = error.message;
  } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
    status = error.statusCode;
    code = error.code?.toLowerCase() ?? 'invalid_request';
    message = error.message;
  } else request.log.error({ err: error }, 'unhandled error');
  void reply.status(status).send({ error: { code, message, requestId: request.id } });
}
