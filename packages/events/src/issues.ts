/** Which rule of the catalog a value broke. */
export type IssueRule =
  | 'required'
  | 'type'
  | 'minimum'
  | 'maximum'
  | 'exclusiveMinimum'
  | 'minLength'
  | 'enum'
  | 'const'
  | 'format'
  | 'consistency'
  /** The store refused a value the schema allowed (kept in quarantine, never dropped). */
  | 'storage'
  /** The event's tenant is outside what the token that captured it may write (kept in quarantine). */
  | 'scope';

/** One broken rule, named so a person can fix the sender: event, property, rule, value received. */
export interface SchemaIssue {
  event: string;
  /** Property name; array items as `name[2]`; `properties` for the object itself. */
  property: string;
  rule: IssueRule;
  /** What the rule wants, in words: "a number ≥ 0", "one of negative | positive". */
  expected: string;
  /** What was received (undefined when the property was missing). */
  value: unknown;
  message: string;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON would say "null" for NaN and ±Infinity (a 0/0 rate from an SDK caller) and throws on
  // bigints and cycles, which would turn an issue into a crash of the validator.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return typeof value === 'symbol' ? value.toString() : typeof value;
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

export function makeIssue(
  event: string,
  property: string,
  rule: IssueRule,
  expected: string,
  value: unknown,
): SchemaIssue {
  const message =
    rule === 'required'
      ? `${event}: property "${property}" is required (${expected}) but was missing`
      : `${event}: property "${property}" must be ${expected} (rule: ${rule}); received ${describeValue(value)}`;
  return { event, property, rule, expected, value, message };
}

/** Thrown by the SDK (and usable anywhere) when an event breaks its schema. */
export class BusinessEventValidationError extends Error {
  readonly issues: readonly SchemaIssue[];
  constructor(issues: readonly SchemaIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'BusinessEventValidationError';
    this.issues = issues;
  }
}
