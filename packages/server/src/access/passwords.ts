import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing with argon2id at OWASP's baseline (19 MiB, 2 passes, 1 lane): slow enough to make a
 * stolen users table expensive to crack, fast enough (~30 ms here) for a login.
 */
const options = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, which verbatimModuleSyntax cannot import */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1_024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** A hash of nothing anyone knows, so an unknown email costs the same time as a wrong password. */
let decoy: Promise<string> | null = null;

/** True when `password` matches `stored`; with `stored` null it still spends a verify's time and says no. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

/** Why a new password is refused, or null. */
export function passwordProblem(password: unknown): string | null {
  if (typeof password !== 'string') return 'must be a string';
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}
