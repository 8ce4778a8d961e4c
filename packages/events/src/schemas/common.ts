import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';
import './date-time-format.js';

/** A closed enum as a union of string literals: compiled checks stay a few comparisons. */
export function oneOf<const T extends readonly string[]>(
  values: T,
  description: string,
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );
}

export const level4 = (description: string) =>
  oneOf(['low', 'medium', 'high', 'critical'] as const, description);
export const level3 = (description: string) => oneOf(['low', 'medium', 'high'] as const, description);

/** Money is USD in major units (dollars, not cents). */
export const money = (description: string) => Type.Number({ minimum: 0, description });
/** A signed USD amount, e.g. a cost delta. */
export const amount = (description: string) => Type.Number({ description });
/** Rates are fractions 0..1. */
export const rate = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
/** Percentages are 0..100. */
export const percent = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });
// Capped at 2^53 - 1: larger integers lose precision in JSON and overflow BIGINT storage.
export const count = (description: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
export const text = (description: string) => Type.String({ description });
export const openText = (description: string, examples: readonly string[]) =>
  Type.String({ minLength: 1, description, examples: [...examples] });
export const flag = (description: string) => Type.Boolean({ description });
export const list = (description: string) => Type.Array(Type.String(), { description });
export const dateTime = (description: string) => Type.String({ format: 'date-time', description });

/** Properties every business event carries. */
export const baseProperties = {
  tenant_id: Type.String({ minLength: 1, description: 'The tenant key everywhere in Pulse' }),
  tracking_date: Type.Optional(dateTime('Business time of the fact; the event timestamp defaults to it')),
};

/** Unknown extra properties are kept, never dropped. */
export const objectOptions = { additionalProperties: true } as const;
