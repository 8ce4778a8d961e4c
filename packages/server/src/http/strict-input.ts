import type { FastifyServerOptions } from 'fastify';

/** A schema validation failure whose message already says where and why (the error handler keeps it). */
export class InputError extends Error {}

type SchemaError = Parameters<NonNullable<FastifyServerOptions['schemaErrorFormatter']>>[0][number];

/** `/tenants/0` → `tenants[0]`; the route's field names, as the domain's own errors name them. */
function fieldOf(error: SchemaError, dataVar: string): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  return path || dataVar;
}

/** The camelCase spelling of a snake_case name when the schema has that field (`head_seq` → `headSeq`). */
function camelCaseOf(name: string, schema: unknown): string | null {
  const camel = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const known = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return camel !== name && known && camel in known ? camel : null;
}

/** One clear sentence for the first thing wrong: which field, where, and what it must be. */
function describe(errors: readonly SchemaError[], dataVar: string): string {
  // A union reports each branch and then "must match a schema in anyOf": the branches say more.
  const error = errors.find((e) => e.keyword !== 'anyOf') ?? errors[0];
  if (!error) return `${dataVar} is not valid`;
  const field = fieldOf(error, dataVar);
  const params = error.params;
  const where = ` (${dataVar})`;
  const prefix = field === dataVar ? '' : `${field}.`;
  if (error.keyword === 'required') return `${prefix}${String(params.missingProperty)} is required${where}`;
  if (error.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty);
    const camel = camelCaseOf(name, (error as { parentSchema?: unknown }).parentSchema);
    return `${prefix}${name} is not a known field${where}${camel ? `: field names are camelCase, use ${camel}` : ''}`;
  }
  if (field === dataVar) return `${dataVar} ${error.message ?? 'is not valid'}`;
  return `${field} ${error.message ?? 'is not valid'}${where}`;
}

/**
 * How every JSON route checks its input against the contract: never rewritten (an unknown field is refused,
 * not dropped; a number where text belongs is refused, not turned into text; query values are text and stay
 * text), and refused with a message naming the field.
 */
export const strictInput = {
  // verbose: an error carries its schema, to name the field a misspelt one was meant to be.
  ajv: { customOptions: { removeAdditional: false, coerceTypes: false, verbose: true } },
  schemaErrorFormatter: (errors, dataVar) => new InputError(describe(errors, dataVar)),
} as const satisfies Pick<FastifyServerOptions, 'ajv' | 'schemaErrorFormatter'>;
