/**
 * Rule fields that were renamed to camelCase. Stored rules are rewritten once on open (the DuckDB alert
 * store); a document that still uses an old name is refused naming the new one (rule-validation.ts).
 */
const renames = [
  { parent: [], from: 'cooldown_minutes', to: 'cooldownMinutes' },
  { parent: ['resolve'], from: 'after_minutes', to: 'afterMinutes' },
  { parent: ['condition'], from: 'min_sample', to: 'minSample' },
  { parent: ['condition'], from: 'grace_minutes', to: 'graceMinutes' },
] as const;

type Doc = Record<string, unknown>;

const isDoc = (value: unknown): value is Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parentOf(rule: unknown, path: readonly string[]): Doc | null {
  let at: unknown = rule;
  for (const name of path) at = isDoc(at) ? at[name] : undefined;
  return isDoc(at) ? at : null;
}

/** The first old field name in a rule document: its path (e.g. `condition.min_sample`) and its new name. */
export function renamedRuleField(rule: unknown): { field: string; to: string } | null {
  for (const { parent, from, to } of renames)
    if (parentOf(rule, parent)?.[from] !== undefined) return { field: [...parent, from].join('.'), to };
  return null;
}

/** The rule with its old field names renamed (a copy), or null when it has none. */
export function renameRuleFields(rule: unknown): unknown {
  if (!renamedRuleField(rule)) return null;
  const copy = structuredClone(rule);
  for (const { parent, from, to } of renames) {
    const at = parentOf(copy, parent);
    if (!at || !(from in at)) continue;
    // A document never held both (the old schema refused unknown fields); the new name wins if it did.
    if (!(to in at)) at[to] = at[from];
    delete at[from];
  }
  return copy;
}
