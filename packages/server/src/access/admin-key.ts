import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_KEY_FILE = 'admin.key';
/** The actor id of the bootstrap admin key (it has no stored record). */
export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

/**
 * The bootstrap admin API key: PULSE_ADMIN_KEY, else the one generated on first start into the data
 * dir with mode 0600. `generated` tells the caller to announce where it is.
 */
export function loadOrCreateAdminKey(
  dataDir: string,
  configured: string | undefined,
): { key: string; generated: string | null } {
  if (configured) return { key: configured, generated: null };
  const path = join(dataDir, ADMIN_KEY_FILE);
  if (existsSync(path)) return { key: readFileSync(path, 'utf8').trim(), generated: null };
  mkdirSync(dataDir, { recursive: true });
  const key = `pulse_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return { key, generated: path };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a presented key with the expected one. */
export function keyMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}
