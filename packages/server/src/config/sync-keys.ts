import { BadValue, key } from './keys.js';

export const syncTargets = ['subscriptions', 'tenants'] as const;
export type SyncTarget = (typeof syncTargets)[number];

/** One PostgreSQL view or query Pulse reads on a schedule into its subscriptions or tenant names. */
export interface SyncSource {
  /** Names the source on the status board, in the API, the CLI and the audit trail. */
  name: string;
  /** postgres:// URL with its credentials: used only to connect, never logged or shown. */
  url: string;
  /** What is read: the operator's own single SELECT, or every row of a view. */
  read: { query: string } | { view: string };
  target: SyncTarget;
  intervalSeconds: number;
  /** The column holding the tenant id (the row's key). */
  key: string;
  /** A read returning more rows fails: bounded work per sync. */
  maxRows: number;
  statementTimeoutSeconds: number;
}

const fields = new Set([
  'name',
  'url',
  'query',
  'view',
  'target',
  'interval_seconds',
  'key',
  'max_rows',
  'statement_timeout_seconds',
]);
const namePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const identifier = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function whole(value: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new BadValue(`${field} is required`);
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new BadValue(`${field} must be a whole number from ${min} to ${max}`);
  return value;
}

function postgresUrl(value: unknown): string {
  // The value is never echoed: it may hold a password.
  if (typeof value !== 'string') throw new BadValue('url must be a postgres:// URL');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new BadValue('url must be a postgres:// URL (it does not parse)');
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol) || !parsed.hostname)
    throw new BadValue('url must be a postgres:// URL with a host');
  return value;
}

function readOf(entry: Record<string, unknown>): SyncSource['read'] {
  const { query, view } = entry;
  if ((query === undefined) === (view === undefined))
    throw new BadValue('needs exactly one of query or view');
  if (query !== undefined) {
    if (typeof query !== 'string' || !query.trim()) throw new BadValue('query must be a SELECT statement');
    return { query: query.trim() };
  }
  if (
    typeof view !== 'string' ||
    !view.split('.').every((part) => identifier.test(part)) ||
    view.split('.').length > 2
  )
    throw new BadValue('view must be a view name, optionally schema-qualified (billing.subscriptions_v)');
  return { view };
}

function source(entry: unknown, taken: Set<string>): SyncSource {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new BadValue('must be an object');
  const e = entry as Record<string, unknown>;
  const unknown = Object.keys(e).filter((f) => !fields.has(f));
  if (unknown.length) throw new BadValue(`unknown field ${unknown.map((f) => `"${f}"`).join(', ')}`);
  if (typeof e.name !== 'string' || !namePattern.test(e.name))
    throw new BadValue('name must be 1-63 lower-case letters, digits, - or _');
  if (taken.has(e.name)) throw new BadValue(`name "${e.name}" is used twice`);
  taken.add(e.name);
  if (!(syncTargets as readonly unknown[]).includes(e.target))
    throw new BadValue(`target must be ${syncTargets.join(' or ')}`);
  if (e.key !== undefined && (typeof e.key !== 'string' || !identifier.test(e.key)))
    throw new BadValue('key must be a column name');
  return {
    name: e.name,
    url: postgresUrl(e.url),
    read: readOf(e),
    target: e.target as SyncTarget,
    intervalSeconds: whole(e.interval_seconds, 'interval_seconds', 5, 86_400),
    key: e.key ?? 'tenant_id',
    maxRows: whole(e.max_rows, 'max_rows', 1, 1_000_000, 100_000),
    statementTimeoutSeconds: whole(e.statement_timeout_seconds, 'statement_timeout_seconds', 1, 3_600, 30),
  };
}

/** PULSE_SYNC_SOURCES: a JSON array in env, an array in the file; each entry's problem names the entry. */
const syncSources = (raw: unknown): SyncSource[] => {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = raw.trim() === '' ? [] : JSON.parse(raw);
    } catch {
      throw new BadValue('must be a JSON array of sources');
    }
  }
  if (!Array.isArray(value)) throw new BadValue('must be a JSON array of sources');
  const taken = new Set<string>();
  return value.map((entry: unknown, i) => {
    try {
      return source(entry, taken);
    } catch (error) {
      const name = (entry as { name?: unknown } | null)?.name;
      const which = typeof name === 'string' ? `entry ${i + 1} ("${name}")` : `entry ${i + 1}`;
      throw new BadValue(`${which}: ${(error as Error).message}`);
    }
  });
};

/** Database views synchronised into subscriptions and tenant names. */
export const syncKeys = {
  syncSources: key<SyncSource[]>({
    env: 'PULSE_SYNC_SOURCES',
    file: 'syncSources',
    default: [],
    parse: syncSources,
    secret: true,
    description:
      'PostgreSQL views or queries read on a schedule into subscriptions or tenant names: a JSON array of {name, url: "postgres://…", query | view, target: "subscriptions" | "tenants", interval_seconds, key?, max_rows?, statement_timeout_seconds?} (docs/integrations.md, "Sync from your database")',
  }),
};
