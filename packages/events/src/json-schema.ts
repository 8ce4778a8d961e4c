import { catalog, type BusinessEventName } from './catalog.js';

export const SCHEMA_ID_BASE = 'https://pulse.dev/schemas/events';

/** Drops TypeBox's symbol keys: what is left is plain JSON Schema (draft 2020-12). */
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** The JSON Schema of one business event as PostHog receives it ({event, distinct_id, properties…}). */
export function eventJsonSchema(name: BusinessEventName): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_ID_BASE}/${name}.json`,
    title: name,
    type: 'object',
    required: ['event', 'properties'],
    properties: {
      event: { const: name },
      distinct_id: { type: 'string', description: 'Free; the tenant key is properties.tenant_id' },
      uuid: { type: 'string', format: 'uuid' },
      timestamp: { type: 'string', format: 'date-time', description: 'Defaults to properties.tracking_date' },
      properties: plain(catalog[name]),
    },
  };
}

/** The whole catalog as one JSON Schema document with a $defs entry per event type. */
export function catalogJsonSchema(): Record<string, unknown> {
  const names = Object.keys(catalog) as BusinessEventName[];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${SCHEMA_ID_BASE}/catalog.json`,
    title: 'Pulse business events',
    oneOf: names.map((n) => ({ $ref: `#/$defs/${n}` })),
    $defs: Object.fromEntries(names.map((n) => [n, eventJsonSchema(n)])),
  };
}
