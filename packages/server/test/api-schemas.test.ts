import SwaggerParser from '@apidevtools/swagger-parser';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

/**
 * The API contract covers every /api route: each declares its responses (success and the error shape) and
 * its inputs, so Fastify validates and serializes with them and the OpenAPI document is complete.
 */

/** Not JSON routes: the live WebSocket, and the OpenAPI document itself. */
const exempt = new Set(['GET /api/live', 'GET /api/openapi.json']);
/** Changes that take no body. */
const bodiless = new Set([
  'POST /api/alerts/digest',
  'POST /api/alerts/outbox/:id/retry',
  'POST /api/rules/reset',
  'POST /api/retention/apply',
]);
/** Reads that take no parameter at all. */
const parameterless = new Set([
  'GET /api/budgets',
  'GET /api/keys',
  'GET /api/retention',
  'GET /api/rules',
  'GET /api/session',
  'GET /api/users',
]);

type Schema = { body?: unknown; querystring?: unknown; params?: unknown; response?: Record<string, unknown> };

/** What a route's schema lacks, in words; empty when complete. */
function gaps(route: RouteOptions): string[] {
  const method = [route.method].flat().join(',');
  const id = `${method} ${route.url}`;
  const schema = (route.schema ?? {}) as Schema;
  const statuses = Object.keys(schema.response ?? {});
  const problems: string[] = [];
  if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push(`${id}: no success response schema`);
  if (!statuses.includes('4xx')) problems.push(`${id}: no error response schema (4xx)`);
  if (route.url.includes(':') && !schema.params) problems.push(`${id}: no params schema`);
  if (/POST|PUT|PATCH/.test(method) && !bodiless.has(id) && !schema.body)
    problems.push(`${id}: no body schema`);
  if (method === 'GET' && !route.url.includes(':') && !parameterless.has(id) && !schema.querystring)
    problems.push(`${id}: no querystring schema`);
  return problems;
}

describe('the API contract', () => {
  let server: TestServer;
  let apiRoutes: RouteOptions[];
  let document: { paths: Record<string, Record<string, Record<string, unknown>>> };
  beforeAll(async () => {
    server = await startTestServer();
    apiRoutes = server.routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    document = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as typeof document;
  });
  afterAll(async () => server.close());

  it('every /api route declares its responses and inputs', () => {
    expect(apiRoutes.length).toBeGreaterThan(40);
    const checked = apiRoutes.filter((r) => !exempt.has(`${[r.method].flat().join(',')} ${r.url}`));
    expect(checked.flatMap(gaps)).toEqual([]);
  });

  it('the walk catches a route without schemas', () => {
    expect(gaps({ method: 'POST', url: '/api/things/:id', handler: () => null })).toEqual([
      'POST /api/things/:id: no success response schema',
      'POST /api/things/:id: no error response schema (4xx)',
      'POST /api/things/:id: no params schema',
      'POST /api/things/:id: no body schema',
    ]);
  });

  it('publishes a valid OpenAPI 3.1 document with real schemas on every operation', async () => {
    await SwaggerParser.validate(structuredClone(document) as never);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ id: `${method} ${path}`, operation })),
    );
    expect(documented.length).toBe(apiRoutes.length - 1); // all but the document itself
    for (const { id, operation } of documented) {
      if (id === 'get /api/live') continue;
      const responses = operation.responses as Record<
        string,
        { content?: Record<string, { schema?: object }> }
      >;
      const success = Object.entries(responses).filter(([status]) => status.startsWith('2'));
      expect(success.length, id).toBeGreaterThan(0);
      for (const [status, response] of success)
        if (status !== '204')
          expect(response.content?.['application/json']?.schema, `${id} ${status}`).toBeTruthy();
      expect(responses['4XX']?.content?.['application/json']?.schema, id).toMatchObject({
        properties: { error: { required: ['code', 'message', 'requestId'] } },
      });
      expect(typeof operation['x-pulse-permission'], id).toBe('string');
    }
  });

  it('the document matches the committed docs/openapi.json', async () => {
    await expect(
      `${JSON.stringify(document, null, 2)}\n`,
      'the API contract changed: review it, then regenerate docs/openapi.json with `npm run openapi:update`',
    ).toMatchFileSnapshot('../../../docs/openapi.json');
  });
});
