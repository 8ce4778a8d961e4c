import { Kind, type TSchema } from '@sinclair/typebox';

function range(schema: TSchema): string {
  const parts: string[] = [];
  if (typeof schema.exclusiveMinimum === 'number') parts.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.minimum === 'number') parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === 'number') parts.push(`≤ ${schema.maximum}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** What a schema accepts, in the words an error message needs. */
export function describeSchema(schema: TSchema): string {
  switch (schema[Kind]) {
    case 'Number':
      return `a number${range(schema)}`;
    case 'Integer':
      return `a whole number${range(schema)}`;
    case 'Boolean':
      return 'true or false';
    case 'String':
      if (schema.format === 'date-time') return 'an ISO 8601 date-time such as 2025-12-19T10:30:00Z';
      return schema.minLength ? 'a non-empty string' : 'a string';
    case 'Array':
      return 'a list of strings';
    case 'Literal':
      return `exactly ${JSON.stringify(schema.const)}`;
    case 'Union':
      return `one of ${enumValues(schema).join(' | ')}`;
    case 'Object':
      return 'an object';
    default:
      return 'a valid value';
  }
}

/** The literal values of a closed enum (a union of literals), else []. */
export function enumValues(schema: TSchema): string[] {
  const members: unknown = schema.anyOf;
  if (!Array.isArray(members)) return [];
  return members.flatMap((m: TSchema) => (typeof m.const === 'string' ? [m.const] : []));
}
