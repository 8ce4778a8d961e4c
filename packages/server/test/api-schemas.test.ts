import SwaggerParser from '@apidevtools/swagger-parser';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../src/http/lazy-schemas.js';
import { strictInput } from '../src/http/strict-input.js';
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
  'POST /api/integrations/sync/:name/run',
  'POST /api/relay/dead-letters/:id/retry',
  'POST /api/relay/dead-letters/retry',
  'POST /api/report-schedules/:id/send',
]);
/** Reads that take no parameter at all. */
const parameterless = new Set([
  'GET /api/budgets',
  'GET /api/keys',
  'GET /api/report-schedules',
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

  // Routes compile their schemas on first use (lazy-schemas.ts), so a start no longer proves they compile.
  it("every route's input and response schemas compile with the server's compilers", () => {
    const { buildValidator, buildSerializer } = lazySchemaCompilers();
    const validator = buildValidator({}, strictInput.ajv);
    const serializer = buildSerializer({}, undefined);
    const compiled: string[] = [];
    for (const route of server.routes) {
      const method = [route.method].flat().join(',');
      const schema = (route.schema ?? {}) as Schema;
      for (const httpPart of ['body', 'querystring', 'params'] as const) {
        const part = schema[httpPart];
        if (part === undefined) continue;
        // The first call compiles (ajv validates synchronously here); what the data is does not matter.
        expect(typeof validator({ schema: part as object, method, url: route.url, httpPart })({})).toBe(
          'boolean',
        );
        compiled.push(`${method} ${route.url} ${httpPart}`);
      }
      for (const [status, response] of Object.entries(schema.response ?? {})) {
        try {
          serializer({ schema: response, method, url: route.url, httpStatus: status })({});
        } catch (error) {
          // A required field missing from `{}` is the compiled serializer working; a schema error is not.
          if (!/required/.test(String(error))) throw error;
        }
        compiled.push(`${method} ${route.url} ${status}`);
      }
    }
    expect(compiled.length).toBeGreaterThan(100);
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
          expect(
            Object.values(response.content ?? {}).some((c) => c.schema),
            `${id} ${status}`,
          ).toBe(true);
      expect(responses['4XX']?.content?.['application/json']?.schema, id).toMatchObject({
        properties: { error: { required: ['code', 'message', 'requestId'] } },
      });
      expect(typeof operation['x-pulse-permission'], id).toBe('string');
    }
  });

  it('checks input without rewriting it, naming the field, after the role check', async () => {
    const post = async (path: string, body: unknown, key = server.adminKey) => {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { error?: { code: string; message: string } },
      };
    };
    expect(await post('/api/keys', { role: 'analyst', tenants: [1] })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: 'tenants[0] must be string (body)' } },
    });
    expect(await post('/api/keys', { role: 'analyst', expires_at: '2099-01-01' })).toMatchObject({
      status: 400,
      body: {
        error: {
          message: 'expires_at is not a known field (body): field names are camelCase, use expiresAt',
        },
      },
    });
    const analyst = await post('/api/keys', { role: 'analyst' });
    expect(analyst.status).toBe(201);
    const key = (analyst.body as unknown as { key: string }).key;
    expect(await post('/api/users', { nonsense: true }, key)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
  });

  it('answers exactly the contract: camelCase fields, ISO times, event properties as captured', async () => {
    // Any key survives serialization, a line break in it included.
    const properties = {
      tenant_id: 'contract-co',
      snake_key: 'kept',
      'line\nbreak': 1,
      nested: { list: [1, { deep: true }] },
    };
    const captured = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_x',
        batch: [{ event: '$pageview', distinct_id: 'd1', properties }],
      }),
    });
    expect(captured.status).toBe(200);
    const events = await server.api<{ events: Record<string, unknown>[]; nextCursor: string | null }>(
      '/api/events?tenant=contract-co',
    );
    const [event] = events.body.events;
    expect(Object.keys(event ?? {}).sort()).toEqual([
      'distinctId',
      'event',
      'ingestedAt',
      'properties',
      'tenantId',
      'timestamp',
      'uuid',
    ]);
    expect(event?.properties).toEqual(expect.objectContaining(properties));
    expect(event?.ingestedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const summary = await server.api<{ window: { from: unknown }; generatedAt: unknown }>('/api/summary');
    expect(typeof summary.body.window.from).toBe('string');
    expect(typeof summary.body.generatedAt).toBe('string');
  });

  it('the document matches the committed docs/openapi.json', async () => {
    await expect(
      `${JSON.stringify(document, null, 2)}\n`,
      'the API contract changed: review it, then regenerate docs/openapi.json with `npm run openapi:update`',
    ).toMatchFileSnapshot('../../../docs/openapi.json');
  });
});
