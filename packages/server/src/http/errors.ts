import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from './strict-input.js';
import { DomainError } from '../errors.js';
import { errorCodes, type ErrorCode } from '../error-codes.js';

interface PublicError {
  code: ErrorCode;
  message: string;
}

const route = (request: FastifyRequest) => `${request.method} ${request.url.split('?')[0]}`;

/**
 * Fastify's own client errors, by their internal code, as public codes with a message saying what, where and
 * why. Their `FST_…` codes are Fastify's implementation, not our contract, so none reaches a response.
 */
const fastifyErrors: Record<string, (request: FastifyRequest) => PublicError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (request) => {
    const type = request.headers['content-type'];
    const problem = type ? `content-type "${type}" is not accepted` : 'the body has no content-type';
    return {
      code: 'unsupported_media_type',
      message: `${route(request)}: ${problem}; send application/json`,
    };
  },
  FST_ERR_CTP_BODY_TOO_LARGE: (request) => ({
    code: 'payload_too_large',
    message: `${route(request)}: the request body is over the ${request.routeOptions.bodyLimit ?? 0} bytes accepted`,
  }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: (request) => ({
    code: 'invalid_request',
    message: `${route(request)}: the request body's size does not match its Content-Length header`,
  }),
  FST_ERR_CTP_EMPTY_JSON_BODY: (request) => ({
    code: 'invalid_request',
    message: `${route(request)}: the body is empty but content-type is application/json; send a JSON body or no content-type`,
  }),
  FST_ERR_CTP_INVALID_JSON_BODY: (request) => ({
    code: 'invalid_request',
    message: `${route(request)}: the body is not valid JSON (or uses the reserved keys __proto__ or constructor.prototype)`,
  }),
  FST_ERR_BAD_URL: (request) => ({
    code: 'invalid_request',
    message: `the URL ${request.url} is not valid: a path segment is badly percent-encoded`,
  }),
  FST_ERR_MAX_PARAM_LENGTH: (request) => ({
    code: 'invalid_request',
    message: `${route(request)}: a path parameter is too long`,
  }),
};

/** Codes for any other client error, by its status; a status without one is answered as a bad request. */
const byStatus: Partial<Record<number, ErrorCode>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export function notFound(request: FastifyRequest): PublicError {
  return { code: 'not_found', message: `no route ${route(request)}` };
}

/** A schema validation failure: where (body, querystring, params, headers and the path in it) and why. */
function invalid(error: FastifyError): PublicError {
  if (error instanceof InputError) return { code: 'invalid_request', message: error.message };
  const problems = (error.validation ?? []).map((issue) => {
    const where = `${error.validationContext ?? 'request'}${issue.instancePath}`;
    const allowed = (issue.params as { allowedValues?: unknown[] }).allowedValues;
    return `${where} ${issue.message ?? 'is not valid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
  });
  return { code: 'invalid_request', message: problems.join('; ') || error.message };
}

function publicError(error: FastifyError | Error, request: FastifyRequest): PublicError | null {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  const fastify = error as Partial<FastifyError>;
  if (fastify.validation) return invalid(error as FastifyError);
  const known = fastify.code ? fastifyErrors[fastify.code] : undefined;
  if (known) return known(request);
  // Another client error from Fastify or a plugin: the request was at fault, so keep its message.
  if (typeof fastify.statusCode === 'number' && fastify.statusCode < 500) {
    request.log.warn({ err: error }, 'client error without a registered code');
    return {
      code: byStatus[fastify.statusCode] ?? 'invalid_request',
      message: `${route(request)}: ${error.message}`,
    };
  }
  return null;
}

/** The error shape of the JSON API: `{ error: { code, message, requestId } }`, never a stack. */
export function sendError(reply: FastifyReply, request: FastifyRequest, error: PublicError): FastifyReply {
  return reply
    .status(errorCodes[error.code].status)
    .send({ error: { code: error.code, message: error.message, requestId: request.id } });
}

/** Maps every error to a registered code and its status; anything unexpected is logged and answered `internal`. */
export function apiErrorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = publicError(error, request);
  if (!known) request.log.error({ err: error }, 'unhandled error');
  if ('retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number')
    void reply.header('retry-after', String(error.retryAfterSeconds));
  void sendError(reply, request, known ?? { code: 'internal', message: 'internal server error' });
}
