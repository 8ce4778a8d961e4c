import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserStore } from '../storage/user-store.js';
import { hashPassword } from './passwords.js';

export const DEMO_EMAIL = 'ceo@pulse.demo';
export const DEMO_LOGIN_FILE = 'demo-login.txt';

/**
 * `pulse serve --demo` signs a newcomer straight into the dashboard: an executive user with a random
 * password, kept in the data dir (0600) so later demo starts announce the same one. Never outside --demo.
 */
export async function ensureDemoUser(
  users: UserStore,
  dataDir: string,
): Promise<{ email: string; password: string; file: string } | null> {
  const file = join(dataDir, DEMO_LOGIN_FILE);
  if (existsSync(file)) {
    const [email, password] = readFileSync(file, 'utf8').split('\n');
    return email && password ? { email, password, file } : null;
  }
  if (await users.findByEmail(DEMO_EMAIL)) return null; // created by hand: its password is not ours to show
  const password = randomBytes(12).toString('base64url');
  const at = Date.now();
  await users.insert({
    id: `u_${randomBytes(8).toString('hex')}`,
    email: DEMO_EMAIL,
    name: 'Demo executive',
    role: 'executive',
    tenants: 'all',
    passwordHash: await hashPassword(password),
    createdAt: at,
    createdBy: 'demo',
    updatedAt: at,
    disabledAt: null,
  });
  writeFileSync(file, `${DEMO_EMAIL}\n${password}\n`, { mode: 0o600 });
  return { email: DEMO_EMAIL, password, file };
}
