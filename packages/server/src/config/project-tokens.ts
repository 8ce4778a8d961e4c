import { BadValue } from './keys.js';
import { CaptureError, validateToken } from '../ingestion/decode/index.js';
import { KEY_PREFIX } from '../access/api-keys.js';

/** A project token capture accepts, and the tenants its events may belong to. */
export interface ProjectToken {
  token: string;
  tenants: readonly string[] | 'all';
}

const SYNTAX = 'token or token=tenant-a|tenant-b';

function parseTenants(raw: unknown, where: string): readonly string[] {
  const list = typeof raw === 'string' ? raw.split('|') : Array.isArray(raw) ? raw : null;
  if (!list || list.some((t) => typeof t !== 'string'))
    throw new BadValue(`${where}: tenants must be a list of tenant ids`);
  const tenants = [...new Set((list as string[]).map((t) => t.trim()).filter(Boolean))];
  if (!tenants.length) throw new BadValue(`${where}: names no tenant (write ${SYNTAX})`);
  return tenants;
}

function parseEntry(raw: unknown, where: string): ProjectToken | undefined {
  let token: unknown;
  let tenants: readonly string[] | 'all' = 'all';
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    const at = raw.indexOf('=');
    token = at < 0 ? raw : raw.slice(0, at);
    if (at >= 0) tenants = parseTenants(raw.slice(at + 1), where);
  } else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const entry = raw as Record<string, unknown>;
    token = entry.token;
    if (entry.tenants !== undefined && entry.tenants !== 'all') tenants = parseTenants(entry.tenants, where);
  }
  if (typeof token !== 'string') throw new BadValue(`${where}: must be ${SYNTAX}, or {token, tenants}`);
  let checked: string;
  try {
    // The token rule PostHog's capture applies: SDKs send project tokens, never longer ones.
    checked = validateToken(token);
  } catch (error) {
    if (error instanceof CaptureError) throw new BadValue(`${where}: ${error.message}`);
    throw error;
  }
  if (checked.startsWith(KEY_PREFIX))
    throw new BadValue(
      `${where}: ${KEY_PREFIX}… is an API key, not a project token (an ingest key captures as it is)`,
    );
  return { token: checked, tenants };
}

/**
 * PULSE_PROJECT_TOKEN: comma-separated `token` (any tenant) or `token=tenant-a|tenant-b` (only those
 * tenants); in the file, an array of such strings or of `{ "token", "tenants": [...] }`.
 */
export function projectTokenList(raw: unknown): ProjectToken[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (!items) throw new BadValue(`must be a comma-separated list of ${SYNTAX}`);
  const tokens: ProjectToken[] = [];
  items.forEach((item, i) => {
    const entry = parseEntry(item, `entry ${i + 1}`);
    if (!entry) return;
    if (tokens.some((t) => t.token === entry.token))
      throw new BadValue(`entry ${i + 1}: the same token is listed twice`);
    tokens.push(entry);
  });
  return tokens;
}
