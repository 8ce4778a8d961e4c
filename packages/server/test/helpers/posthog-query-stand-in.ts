import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One row of the stand-in's `events` table; `timestamp` is UTC with six fraction digits (`…:56.123456Z`). */
export interface StandInEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

/** How the next answers go wrong, to exercise each of the importer's failure paths. */
export interface Trouble {
  /** After this many page answers, fail every query: a 500 or a dropped connection. */
  failAfterPages?: { pages: number; how: '500' | 'drop' };
  /** Answer the next query with 429 and this Retry-After (seconds). */
  rateLimitOnce?: number;
  /** Answer every query with 400 and this `detail`, as PostHog refuses HogQL it cannot run. */
  refuse?: string;
}

const wherePattern =
  /^timestamp >= toDateTime\(\{from\}\) AND timestamp < toDateTime\(\{to\}\)(?: AND event IN \(((?:\{event_\d+\}(?:, )?)+)\))?( AND \(timestamp > toDateTime\(\{after_timestamp\}\) OR \(timestamp = toDateTime\(\{after_timestamp\}\) AND uuid > toUUID\(\{after_uuid\}\)\)\))?$/;

/**
 * The WHERE clause the importer writes, read back strictly with its placeholder `values`: any other text,
 * or a placeholder without a value, is refused as PostHog refuses HogQL it cannot parse.
 */
function parseWhere(where: string, values: Record<string, unknown>) {
  const m = wherePattern.exec(where);
  if (!m) throw new Error(`unexpected WHERE clause: ${where}`);
  const value = (name: string) => {
    const v = values[name];
    if (typeof v !== 'string') throw new Error(`Placeholder {${name}} is not in the provided values`);
    return v;
  };
  return {
    from: value('from'),
    to: value('to'),
    events: m[1] ? [...m[1].matchAll(/\{(event_\d+)\}/g)].map((e) => value(e[1] as string)) : null,
    after: m[2] ? { timestamp: value('after_timestamp'), uuid: value('after_uuid') } : null,
  };
}

/** `2026-03-01T10:00:00.123456Z` as a project in UTC−5 sees it: `2026-03-01T05:00:00.123456-05:00`. */
function inProjectZone(utc: string): string {
  const local = new Date(Date.parse(utc) - 5 * 3_600_000).toISOString().slice(0, 19);
  return `${local}.${utc.slice(20, 26)}-05:00`;
}

/**
 * A local stand-in for PostHog's Query API (`POST /api/projects/{id}/query/`) over a fixed data set: it
 * answers the documented shape (`columns`, `types`, `results`, `hasMore`; errors as `{type, code, detail,
 * attr}`), evaluating the importer's own count and keyset page queries. Refuses OFFSET as PostHog does.
 */
export async function startQueryStandIn(options: {
  projectId: string;
  personalApiKey: string;
  /** A key that authenticates but lacks the query:read scope. */
  keyWithoutScope?: string;
  events: StandInEvent[];
}) {
  const rows = [...options.events].sort((a, b) =>
    a.timestamp === b.timestamp ? (a.uuid < b.uuid ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1,
  );
  const queries: { query: string; values?: Record<string, unknown> }[] = [];
  const trouble: Trouble = {};
  let pagesAnswered = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const drfError = (type: string, code: string, detail: string) => ({ type, code, detail, attr: null });

  function answer(req: IncomingMessage, res: ServerResponse, text: string) {
    if (req.method !== 'POST' || req.url !== `/api/projects/${options.projectId}/query/`)
      return send(res, 404, drfError('invalid_request', 'not_found', 'Not found.'));
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (key === options.keyWithoutScope && key !== undefined)
      return send(
        res,
        403,
        drfError('authentication_error', 'permission_denied', "API key missing required scope 'query:read'"),
      );
    if (key !== options.personalApiKey)
      return send(
        res,
        401,
        drfError(
          'authentication_error',
          'authentication_failed',
          'Personal API key found in request Authorization header is invalid.',
        ),
      );
    if (trouble.rateLimitOnce !== undefined) {
      const seconds = trouble.rateLimitOnce;
      delete trouble.rateLimitOnce;
      return send(res, 429, drfError('throttled_error', 'throttled', 'Request was throttled.'), {
        'retry-after': String(seconds),
      });
    }
    if (trouble.refuse) return send(res, 400, drfError('validation_error', 'invalid', trouble.refuse));
    const { query } = JSON.parse(text) as {
      query: { kind: string; query: string; values?: Record<string, unknown> };
    };
    if (query.kind !== 'HogQLQuery')
      return send(res, 400, drfError('validation_error', 'invalid', `kind ${query.kind}`));
    queries.push(query);
    if (/\bOFFSET\b/i.test(query.query))
      return send(
        res,
        400,
        drfError(
          'validation_error',
          'invalid',
          'OFFSET is not supported on queries made with a personal API key; use keyset pagination on timestamp.',
        ),
      );
    const count = /^SELECT count\(\) FROM events WHERE (.*)$/.exec(query.query);
    const page =
      /^SELECT uuid, event, distinct_id, timestamp, properties FROM events WHERE (.*) ORDER BY timestamp, uuid LIMIT \{limit\}$/.exec(
        query.query,
      );
    let where;
    try {
      where = parseWhere((count ?? page)?.[1] ?? '', query.values ?? {});
    } catch (error) {
      return send(res, 400, drfError('validation_error', 'invalid', (error as Error).message));
    }
    const matching = rows.filter(
      (r) =>
        r.timestamp >= where.from &&
        r.timestamp < where.to &&
        (!where.events || where.events.includes(r.event)) &&
        (!where.after ||
          r.timestamp > where.after.timestamp ||
          (r.timestamp === where.after.timestamp && r.uuid > where.after.uuid)),
    );
    if (count)
      return send(res, 200, {
        columns: ['count()'],
        types: [['count()', 'UInt64']],
        results: [[matching.length]],
        hasMore: false,
      });
    const failing = trouble.failAfterPages;
    if (failing && pagesAnswered >= failing.pages) {
      if (failing.how === 'drop') return req.socket.destroy();
      return send(res, 500, drfError('server_error', 'error', 'ClickHouse error while executing query.'));
    }
    pagesAnswered++;
    const limit = Number(query.values?.limit);
    send(res, 200, {
      columns: ['uuid', 'event', 'distinct_id', 'timestamp', 'properties'],
      types: [
        ['uuid', 'UUID'],
        ['event', 'String'],
        ['distinct_id', 'String'],
        ['timestamp', "DateTime64(6, 'America/Bogota')"],
        ['properties', 'String'],
      ],
      results: matching
        .slice(0, limit)
        .map((r) => [
          r.uuid,
          r.event,
          r.distinct_id,
          inProjectZone(r.timestamp),
          JSON.stringify(r.properties),
        ]),
      hasMore: false,
      is_cached: false,
      timezone: 'America/Bogota',
    });
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    /** Every HogQL query received (text and values), in order. */
    queries,
    trouble,
    /** Page answers given so far; `heal` clears the trouble and this count. */
    heal: () => {
      for (const k of Object.keys(trouble)) delete trouble[k as keyof Trouble];
      pagesAnswered = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
