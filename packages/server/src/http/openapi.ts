import swagger from '@fastify/swagger';
import { businessEventNames, eventJsonSchema } from '@pulse/events';
import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its schema: what the document is generated from. */
    routeTable: readonly RouteOptions[];
  }
}

/** Operation extensions a route's schema carries: the permission it needs, for clients and the authz suite. */
const extensionKeys = ['x-pulse-permission', 'x-pulse-every-tenant'] as const;

/** The event catalog, one component per event type, so every reference resolves inside this document. */
function catalogComponents(): Record<string, Record<string, unknown>> {
  return {
    BusinessEvents: {
      description: 'A business event of the catalog',
      oneOf: businessEventNames.map((name) => ({ $ref: `#/components/schemas/${name}` })),
    },
    ...Object.fromEntries(businessEventNames.map((name) => [name, eventJsonSchema(name)])),
  };
}

type Operations = Record<string, Record<string, Record<string, unknown>>>;

/**
 * The OpenAPI 3.1 document, generated from the routes' schemas (@pulse/api) by @fastify/swagger. Only /api
 * routes are documented; capture speaks PostHog's protocol and the dashboard is HTML. Call it on the root
 * instance before any route is added, and serve `app.swagger()`.
 */
export function openApi(app: FastifyInstance, version: string): void {
  const extensions = new Map<string, Record<string, unknown>>();
  const routes: RouteOptions[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    routes.push(route);
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema) return;
    const found = Object.fromEntries(extensionKeys.filter((k) => k in schema).map((k) => [k, schema[k]]));
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const method of [route.method].flat()) extensions.set(`${method.toLowerCase()} ${path}`, found);
  });
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Pulse API',
        version,
        description:
          'Executive intelligence from business events. Conventions (casing, times, errors, paging): docs/api.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'pulse_session',
            description: 'Dashboard session (POST /api/session)',
          },
        },
        schemas: catalogComponents(),
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    hideUntagged: false,
    transform: ({ schema, url }) => ({
      schema: url.startsWith('/api/') ? schema : { ...schema, hide: true },
      url,
    }),
    transformObject: (documentObject) => {
      const document = (documentObject as { openapiObject: { paths?: Operations } }).openapiObject;
      for (const [path, operations] of Object.entries(document.paths ?? {}))
        for (const [method, operation] of Object.entries(operations))
          Object.assign(operation, extensions.get(`${method} ${path}`));
      return document;
    },
  });
}
