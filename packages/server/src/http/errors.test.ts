import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../errors.js';
import { apiErrorHandler } from './errors.js';

// The mapping itself, on a small app: the paths a running server reaches only by fault or by a route schema.
describe('apiErrorHandler', () => {
  let app: FastifyInstance;
  const logged: string[] = [];
  beforeAll(async () => {
    app = Fastify({
      logger: { level: 'warn', stream: { write: (line: string) => void logged.push(line) } },
    });
    app.setErrorHandler(apiErrorHandler);
    app.post(
      '/users',
      {
        schema: {
          body: {
            type: 'object',
            required: ['email', 'role'],
            properties: { email: { type: 'string' }, role: { enum: ['admin', 'analyst'] } },
          },
        },
      },
      async () => ({ ok: true }),
    );
    app.get('/crash', async () => {
      throw new Error('secret detail from deep inside');
    });
    app.get('/busy', async () => {
      throw new UnavailableError('queries are queued to their limit', 2);
    });
    app.get('/teapot', async () => {
      throw Object.assign(new Error('a plugin refused this'), { statusCode: 418, code: 'FST_ERR_SOMETHING' });
    });
    await app.ready();
  });
  afterAll(async () => app.close());

  it('says where and why a body breaks the route schema, as invalid_request', async () => {
    const missing = await app.inject({ method: 'POST', url: '/users', payload: { role: 'admin' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({
      error: { code: 'invalid_request', message: "body must have required property 'email'" },
    });
    const role = await app.inject({
      method: 'POST',
      url: '/users',
      payload: { email: 'a@b.c', role: 'god' },
    });
    expect(role.json()).toMatchObject({
      error: {
        code: 'invalid_request',
        message: 'body/role must be equal to one of the allowed values (admin, analyst)',
      },
    });
  });

  it('answers an unexpected failure internal (500) without its detail, and logs it', async () => {
    const reply = await app.inject({ url: '/crash' });
    expect(reply.statusCode).toBe(500);
    expect(reply.json()).toEqual({
      error: { code: 'internal', message: 'internal server error', requestId: expect.any(String) },
    });
    expect(reply.body).not.toContain('secret detail');
    expect(logged.join('')).toContain('secret detail from deep inside');
  });

  it('passes Retry-After on', async () => {
    const reply = await app.inject({ url: '/busy' });
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toBe('2');
    expect(reply.json()).toMatchObject({ error: { code: 'unavailable' } });
  });

  it('answers a client error without a registered code as invalid_request, never with its FST_ code', async () => {
    const reply = await app.inject({ url: '/teapot' });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({
      error: { code: 'invalid_request', message: 'GET /teapot: a plugin refused this' },
    });
    expect(reply.body.toLowerCase()).not.toContain('fst_');
  });
});
