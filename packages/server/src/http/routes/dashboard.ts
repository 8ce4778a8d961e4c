import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../errors.js';
import { notFound, sendError } from '../errors.js';
import { capturePaths } from './capture.js';

/** packages/dashboard/dist, from src/http/routes or dist/http/routes alike. */
export const defaultDashboardDist = fileURLToPath(new URL('../../../../dashboard/dist/', import.meta.url));

/** The dashboard's client-side routes: each answers index.html, so a reload or a shared link works. */
export const clientRoutes = [
  '/',
  '/sign-in',
  '/alerts',
  '/alerts/*',
  '/tenants/*',
  '/reports',
  '/reports/*',
  '/decisions',
];

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Encoded {
  identity: Buffer;
  br: Buffer | null;
  gzip: Buffer | null;
}

function readIndex(dist: string): Encoded {
  const file = join(dist, 'index.html');
  const optional = (path: string) => (existsSync(path) ? readFileSync(path) : null);
  return { identity: readFileSync(file), br: optional(`${file}.br`), gzip: optional(`${file}.gz`) };
}

/** Brotli, then gzip, when the client accepts it and the build produced it. */
function negotiate(request: FastifyRequest, body: Encoded): { encoding: string | null; data: Buffer } {
  const accept = request.headers['accept-encoding'] ?? '';
  if (body.br && /\bbr\b/.test(accept)) return { encoding: 'br', data: body.br };
  if (body.gzip && /\bgzip\b/.test(accept)) return { encoding: 'gzip', data: body.gzip };
  return { encoding: null, data: body.identity };
}

/**
 * The built dashboard at `/`: hashed assets from dist/assets (precompressed .br/.gz, cached for a
 * year, immutable) and index.html for every client route (revalidated each time). Only the named client
 * routes fall back to index.html, so unknown API and capture paths still answer their own 404s.
 */
export async function dashboardRoutes(app: FastifyInstance, options: { dist?: string } = {}): Promise<void> {
  const dist = options.dist ?? defaultDashboardDist;
  if (!existsSync(join(dist, 'index.html'))) {
    const unbuilt = async () => {
      throw new DomainError(
        'dashboard_not_built',
        `the dashboard is not built (${dist} has no index.html): run \`npm run build\` in the repository root`,
      );
    };
    for (const url of [...clientRoutes, '/assets/*']) app.get(url, unbuilt);
    return;
  }
  const index = readIndex(dist);
  await app.register(fastifyStatic, {
    root: join(dist, 'assets'),
    prefix: '/assets/',
    wildcard: false,
    preCompressed: true,
    index: false,
    cacheControl: false,
    setHeaders: (reply) => {
      void reply.header('cache-control', IMMUTABLE);
    },
  });
  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const { encoding, data } = negotiate(request, index);
    if (encoding) void reply.header('content-encoding', encoding);
    return reply
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-encoding')
      .type('text/html; charset=utf-8')
      .send(data);
  };
  for (const url of clientRoutes) app.get(url, sendIndex);
  // A person who follows a dead link gets the app's own not-found page; scripts still get the API's 404.
  app.get('/*', async (request, reply) =>
    isPageNavigation(request)
      ? sendIndex(request, reply.status(404))
      : sendError(reply, request, notFound(request)),
  );
}

/** A browser asking for a page (not the API, a webhook, an asset or a capture path). */
function isPageNavigation(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  if (/^\/(api|webhooks|assets)(\/|$)/.test(path)) return false;
  if (capturePaths.some((p) => path === p || path.startsWith(`${p}/`))) return false;
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}
