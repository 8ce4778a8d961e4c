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
  if (error.keyword === 'additionalProperties')
    return `${prefix}${String(params.additionalProperty)} is not a known field${where}`;
  if (field === dataVar) return `${dataVar} ${error.message ?? 'is not valid'}`;
  return `${field} ${error.message ?? 'is not valid'}${where}`;
}

/**
 * How every JSON route checks its input against the contract: never rewritten (an unknown field is refused,
 * not dropped; a number where text belongs is refused, not turned into text; query values are text and stay
 * text), and refused with a message naming the field.
 */
export const strictInput = {
  ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  schemaErrorFormatter: (errors, dataVar) => new InputError(describe(errors, dataVar)),
} as const satisfies Pick<FastifyServerOptions, 'ajv' | 'schemaErrorFormatter'>;
