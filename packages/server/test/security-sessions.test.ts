import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

/** The built CLI (`npm run build`), run as operators run it. */
const bin = fileURLToPath(new URL('../bin/pulse.js', import.meta.url));

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

describe('dashboard sign-in over the real server', () => {
  let server: TestServer;
  const call = async (
    path: string,
    init: { method?: string; body?: unknown; cookie?: string; csrf?: string; bearer?: string } = {},
  ): Promise<Reply> => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.csrf ? { 'x-pulse-csrf': init.csrf } : {}),
        ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: response.headers,
    };
  };
  const signIn = async (email: string, password: string) => {
    const reply = await call('/api/session', { body: { email, password } });
    const cookie = reply.headers.get('set-cookie') ?? '';
    return {
      ...reply,
      cookie: cookie.split(';')[0] ?? '',
      setCookie: cookie,
      csrf: String(reply.body.csrfToken),
    };
  };

  beforeAll(async () => {
    server = await startTestServer({ PULSE_PROJECT_TOKEN: 'phc_project_token' });
    for (const user of [
      { email: 'ceo@pulse.test', password: 'the board meets at nine', role: 'executive' },
      {
        email: 'acme@pulse.test',
        password: 'acme only, thank you',
        role: 'tenant_executive',
        tenants: ['acme'],
      },
      { email: 'locked@pulse.test', password: 'will be guessed at', role: 'analyst' },
    ])
      expect((await server.api('/api/users', { body: user })).status).toBe(201);
  });
  afterAll(async () => server.close());

  it('a wrong password is 401; the right one sets an HttpOnly, SameSite=Strict cookie that reads the API', async () => {
    expect((await signIn('ceo@pulse.test', 'not the password')).status).toBe(401);
    const session = await signIn('ceo@pulse.test', 'the board meets at nine');
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ email: 'ceo@pulse.test', role: 'executive' });
    expect(session.setCookie).toMatch(/^pulse_session=[A-Za-z0-9_-]{43};/);
    expect(session.setCookie).toMatch(/HttpOnly/);
    expect(session.setCookie).toMatch(/SameSite=Strict/);
    expect((await call('/api/summary', { cookie: session.cookie })).status).toBe(200);
    const me = await call('/api/session', { cookie: session.cookie });
    expect(me.body).toMatchObject({ user: { email: 'ceo@pulse.test' }, csrfToken: session.csrf });
  });

  it('a change made with the cookie needs the CSRF header; sign-out ends the session', async () => {
    const session = await signIn('ceo@pulse.test', 'the board meets at nine');
    const withoutCsrf = await call('/api/alerts/no-such-alert/ack', { cookie: session.cookie, body: {} });
    expect(withoutCsrf.status).toBe(403);
    expect(withoutCsrf.body.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('x-pulse-csrf'),
    });
    const wrongCsrf = await call('/api/alerts/no-such-alert/ack', {
      cookie: session.cookie,
      csrf: 'forged',
      body: {},
    });
    expect(wrongCsrf.status).toBe(403);
    const withCsrf = await call('/api/alerts/no-such-alert/ack', {
      cookie: session.cookie,
      csrf: session.csrf,
      body: {},
    });
    expect(withCsrf.status).toBe(404); // past authentication: the alert does not exist
    expect((await call('/api/session', { method: 'DELETE', cookie: session.cookie })).status).toBe(204);
    const after = await call('/api/summary', { cookie: session.cookie });
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({ message: expect.stringContaining('sign in again') });
  });

  it('a session in use follows a change of its user at once: a new name, a narrower role, disabling', async () => {
    expect(
      (
        await server.api('/api/users', {
          body: { email: 'temp@pulse.test', password: 'only for a while', role: 'executive' },
        })
      ).status,
    ).toBe(201);
    const session = await signIn('temp@pulse.test', 'only for a while');
    const id = (session.body.user as { id: string }).id;
    expect((await call('/api/summary?tenant=globex', { cookie: session.cookie })).status).toBe(200);
    expect((await server.api(`/api/users/${id}`, { method: 'PATCH', body: { name: 'Temp' } })).status).toBe(
      200,
    );
    expect((await call('/api/session', { cookie: session.cookie })).body).toMatchObject({
      user: { name: 'Temp' },
    });
    const narrowed = { role: 'tenant_executive', tenants: ['acme'] };
    expect((await server.api(`/api/users/${id}`, { method: 'PATCH', body: narrowed })).status).toBe(200);
    expect((await call('/api/summary?tenant=globex', { cookie: session.cookie })).status).toBe(403);
    expect((await server.api(`/api/users/${id}`, { method: 'PATCH', body: { disabled: true } })).status).toBe(
      200,
    );
    expect((await call('/api/summary?tenant=acme', { cookie: session.cookie })).status).toBe(401);
    expect((await call(`/api/users/${id}`, { method: 'DELETE', bearer: server.adminKey })).status).toBe(204);
  });

  it('an alert acknowledged from a session is audited as that user', async () => {
    const capture = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_project_token',
        batch: [
          {
            event: 'security_incident_event',
            distinct_id: 'acme',
            properties: {
              tenant_id: 'acme',
              incident_type: 'phishing',
              severity: 'critical',
              affects_customer_data: true,
            },
          },
        ],
      }),
    });
    expect(capture.status).toBe(200);
    await server.alerts.flush();
    const open = await server.api<{ alerts: { id: string }[] }>('/api/alerts?tenant=acme&state=open');
    const alert = open.body.alerts[0];
    if (!alert) throw new Error('no alert opened');
    const session = await signIn('acme@pulse.test', 'acme only, thank you');
    const acked = await call(`/api/alerts/${alert.id}/ack`, {
      cookie: session.cookie,
      csrf: session.csrf,
      body: { comment: 'on it' },
    });
    expect(acked.status).toBe(200);
    await server.alerts.flush();
    await server.storage.audit.flush();
    const trail = await server.api<{ records: { action: string; actor: { kind: string; id: string } }[] }>(
      '/api/audit?action=alert.acknowledged',
    );
    const user = session.body.user as { id: string };
    expect(trail.body.records).toContainEqual(
      expect.objectContaining({
        action: 'alert.acknowledged',
        actor: expect.objectContaining({ kind: 'user', id: user.id }),
      }),
    );
  });

  it('a tenant executive signed in reads its tenant and is refused another', async () => {
    const session = await signIn('acme@pulse.test', 'acme only, thank you');
    expect((await call('/api/summary?tenant=acme', { cookie: session.cookie })).status).toBe(200);
    const other = await call('/api/summary?tenant=globex', { cookie: session.cookie });
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ message: 'outside your tenants: globex' });
  });

  it('locks an account after five failed attempts with 429 and Retry-After, even for the right password', async () => {
    for (let i = 0; i < 5; i++)
      expect((await signIn('locked@pulse.test', `guess ${i} of many`)).status).toBe(401);
    const locked = await signIn('locked@pulse.test', 'will be guessed at');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.error).toMatchObject({ code: 'too_many_attempts' });
  });

  it('a project token is an ingest identity: refused every read, and the refusal is audited', async () => {
    const reply = await call('/api/events', { bearer: 'phc_project_token' });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ message: 'role ingest may not events:read' });
    await server.storage.audit.flush();
    const trail = await server.api<{
      records: { action: string; result: string; actor: { kind: string } }[];
    }>('/api/audit?limit=1000');
    expect(trail.body.records).toContainEqual(
      expect.objectContaining({
        action: 'events.read',
        result: 'denied',
        actor: expect.objectContaining({ kind: 'project_token' }),
      }),
    );
    expect(trail.body.records).toContainEqual(
      expect.objectContaining({ action: 'session.login', result: 'denied' }),
    );
    expect(trail.body.records).toContainEqual(
      expect.objectContaining({ action: 'session.login', result: 'ok' }),
    );
  });

  it('lists users without password hashes; only admins manage them', async () => {
    const list = await server.api<{ users: Record<string, unknown>[] }>('/api/users');
    expect(list.body.users.map((u) => u.email)).toEqual([
      'acme@pulse.test',
      'ceo@pulse.test',
      'locked@pulse.test',
    ]);
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password/);
    const session = await signIn('ceo@pulse.test', 'the board meets at nine');
    expect((await call('/api/users', { cookie: session.cookie })).status).toBe(403);
    const duplicate = await server.api('/api/users', {
      body: { email: 'CEO@pulse.test', password: 'another long password', role: 'analyst' },
    });
    expect(duplicate.status).toBe(409);
  });

  it('`pulse users` adds (password on stdin), lists, disables and removes users over HTTP', async () => {
    // A child process, not execFileSync: the server answering it runs in this process.
    const pulse = (args: string[], input = '') =>
      new Promise<string>((resolve, reject) => {
        const child = execFile(
          process.execPath,
          [bin, ...args, '--url', server.url, '--key', server.adminKey],
          { encoding: 'utf8' },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
        child.stdin?.end(input);
      });
    expect(
      await pulse(
        ['users', 'add', 'cfo@pulse.test', '--role', 'analyst', '--tenants', 'acme', '--password-stdin'],
        'cash is a fact, profit an opinion\n',
      ),
    ).toMatch(/^added cfo@pulse\.test \(u_[0-9a-f]{16}\): analyst, tenants acme/);
    const listed = JSON.parse(await pulse(['users', 'list', '--json'])) as {
      users: { id: string; email: string }[];
    };
    const cfo = listed.users.find((u) => u.email === 'cfo@pulse.test');
    if (!cfo) throw new Error('cfo not listed');
    expect(await pulse(['users', 'set', cfo.id, '--disable'])).toContain(', disabled');
    expect(await pulse(['users', 'remove', cfo.id])).toContain(`removed user ${cfo.id}`);
  });

  it('API responses carry security headers; capture answers as PostHog does, without them', async () => {
    const api = await call('/api/openapi.json');
    const summary = await call('/api/summary', { bearer: server.adminKey });
    expect(summary.headers.get('x-content-type-options')).toBe('nosniff');
    expect(summary.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(summary.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: HSTS means nothing
    expect(api.status).toBe(200);
    const capture = await fetch(`${server.url}/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        api_key: 'phc_project_token',
        batch: [{ event: '$pageview', distinct_id: 'u1' }],
      }),
    });
    expect(await capture.json()).toEqual({ status: 'Ok' });
    expect(capture.headers.get('content-security-policy')).toBeNull();
  });
});

describe('TLS', () => {
  it('serves HTTPS with HSTS when a certificate and key are configured', async () => {
    const dir = temporaryDirectory('pulse-tls-');
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const server = await startTestServer({ PULSE_TLS_CERT_FILE: cert, PULSE_TLS_KEY_FILE: key });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const reply = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const req = httpsRequest(
            `${server.url}/api/summary`,
            { ca: readFileSync(cert), headers: { authorization: `Bearer ${server.adminKey}` } },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      expect(reply.status).toBe(200);
      expect(reply.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(JSON.parse(reply.body)).toHaveProperty('overallBusinessHealth');
    } finally {
      await server.close();
    }
  });
});
