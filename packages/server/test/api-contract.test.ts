import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

describe('the JSON API contract', () => {
  let server: TestServer;
  let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };
  beforeAll(async () => {
    server = await startTestServer();
    doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as typeof doc;
  });
  afterAll(async () => server.close());

  it('publishes an OpenAPI 3.1 document with the catalog schemas', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/summary', '/api/events', '/api/reports/{name}', '/api/query']),
    );
  });

  it('every documented operation exists and refuses a caller without a key (401, in the API error shape)', async () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // Sign-in and sign-out are the documented exceptions (`security: []`).
        if (Array.isArray((operation as { security?: unknown[] }).security)) continue;
        const url = `${server.url}${path.replace('{name}', 'performance-dashboard').replace('{tenant}', 'acme').replace('{id}', 'x')}`;
        const response = await fetch(url, { method: method.toUpperCase() });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(await response.json()).toMatchObject({
          error: { code: 'unauthorized', requestId: expect.any(String) },
        });
      }
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${server.url}/api/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: 'not_found', message: 'no route GET /api/nope' },
    });
  });
});
