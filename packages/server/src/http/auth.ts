import type { FastifyInstance } from 'fastify';
import { keyMatches } from '../access/admin-key.js';
import { DomainError } from '../errors.js';

export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

/** Every /api route needs `Authorization: Bearer <api key>` (SPEC §6). */
export function requireApiKey(app: FastifyInstance, adminKey: string): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('missing Authorization: Bearer <api key> header');
    if (!keyMatches(match[1], adminKey)) throw new UnauthorizedError('the API key is not valid');
  });
}
