import { Kind, OptionalKind, type TObject, type TSchema } from '@sinclair/typebox';
import { catalog, type BusinessEventName } from './catalog.js';
import { enumValues } from './describe-schema.js';

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'date-time';

/** One catalog property, described for storage and documentation. */
export interface CatalogField {
  name: string;
  kind: FieldKind;
  required: boolean;
  /** Closed enum values; empty for open strings. */
  values: string[];
  description: string;
}

function kindOf(schema: TSchema): FieldKind {
  switch (schema[Kind]) {
    case 'Number':
      return 'number';
    case 'Integer':
      return 'integer';
    case 'Boolean':
      return 'boolean';
    case 'Array':
      return 'string[]';
    case 'String':
      return schema.format === 'date-time' ? 'date-time' : 'string';
    default:
      return 'string'; // literals and unions of string literals
  }
}

/** The properties of one event type, in catalog order. */
export function eventFields(name: BusinessEventName): CatalogField[] {
  const schema: TObject = catalog[name];
  return Object.entries(schema.properties).map(([field, s]) => ({
    name: field,
    kind: kindOf(s),
    required: s[OptionalKind] !== 'Optional',
    values: enumValues(s),
    description: typeof s.description === 'string' ? s.description : '',
  }));
}

/**
 * Every property name across the catalog with one storage kind each. A name shared by several
 * events (bounce_rate, status, risk_level…) must have the same kind everywhere; integer widens to
 * number when one event says integer and another number.
 */
export function catalogFields(): Map<string, FieldKind> {
  const fields = new Map<string, FieldKind>();
  for (const name of Object.keys(catalog) as BusinessEventName[]) {
    for (const field of eventFields(name)) {
      const known = fields.get(field.name);
      if (known === undefined || known === field.kind) fields.set(field.name, field.kind);
      else if (
        new Set([known, field.kind]).size === 2 &&
        [known, field.kind].every((k) => k === 'number' || k === 'integer')
      )
        fields.set(field.name, 'number');
      else
        throw new Error(
          `catalog property "${field.name}" is ${known} in one event and ${field.kind} in ${name}`,
        );
    }
  }
  return fields;
}
