import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Every error the JSON API answers carries a registered code and status, and Fastify's own failures
// (content type, JSON, body size, unknown routes) never leak its internal FST_ codes.

interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

describe('JSON API errors', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const post = async (path: string, body: string | Blob, contentType?: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      body,
    });
    const text = await response.text();
    expect(text.toLowerCase()).not.toContain('fst_');
    return { status: response.status, body: JSON.parse(text) as ErrorBody };
  };

  it('refuses a body it cannot read with 415 unsupported_media_type, naming the route and the type', async () => {
    const res = await post('/api/query', '<sql/>', 'application/xml');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({
      code: 'unsupported_media_type',
      message: 'POST /api/query: content-type "application/xml" is not accepted; send application/json',
    });
    const untyped = await post('/api/query', new Blob(['{"sql": "SELECT 1"}']));
    expect(untyped.status).toBe(415);
    expect(untyped.body.error.message).toBe(
      'POST /api/query: the body has no content-type; send application/json',
    );
  });

  it('refuses malformed and empty JSON with invalid_request, saying why', async () => {
    const malformed = await post('/api/query', '{"sql": ', 'application/json');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_request');
    expect(malformed.body.error.message).toContain('POST /api/query: the body is not valid JSON');
    const poisoned = await post(
      '/api/query',
      '{"__proto__": {"x": 1}, "sql": "SELECT 1"}',
      'application/json',
    );
    expect(poisoned.body.error.code).toBe('invalid_request');
    const empty = await post('/api/query', '', 'application/json');
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('the body is empty but content-type is application/json');
  });

  it('refuses a body over the limit with 413 payload_too_large', async () => {
    const huge = JSON.stringify({ sql: `SELECT '${'x'.repeat(1024 * 1024)}'` });
    const res = await post('/api/query', huge, 'application/json');
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'payload_too_large',
      message: 'POST /api/query: the request body is over the 1048576 bytes accepted',
    });
  });

  it('reads the body before routing: an unknown route with broken JSON is an invalid_request', async () => {
    const res = await post('/api/nope', '{', 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect((await post('/api/nope', '{}', 'application/json')).body.error.code).toBe('not_found');
  });

  it('names DuckDB’s refusal of ad-hoc SQL invalid_query', async () => {
    const refused = await server.api<ErrorBody>('/api/query', { body: { sql: 'SELECT nope FROM events' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_query' });
    expect(refused.body.error.message).toContain('Referenced column "nope" not found');
  });

  it('answers a plain GET of the live socket with 426 upgrade_required and the Upgrade header', async () => {
    const response = await fetch(`${server.url}/api/live`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    expect(response.status).toBe(426);
    expect(response.headers.get('upgrade')).toBe('websocket');
    expect(await response.json()).toMatchObject({ error: { code: 'upgrade_required' } });
  });
});

describe('a query over its time limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_QUERY_TIMEOUT_MS: '100' });
  });
  afterAll(async () => server.close());

  it('is stopped and answered query_timeout', async () => {
    const endless = await server.api<ErrorBody>('/api/query', {
      body: { sql: 'SELECT count(*) FROM range(3000000000) a' },
    });
    expect(endless.status).toBe(400);
    expect(endless.body.error).toMatchObject({ code: 'query_timeout' });
    expect(endless.body.error.message).toContain('ran longer than 100 ms');
  });
});
