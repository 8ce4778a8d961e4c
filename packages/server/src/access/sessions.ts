import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, UnauthorizedError } from '../errors.js';
import type { SessionRecord, UserRecord, UserStore } from '../storage/user-store.js';
import { AccessChanges } from './access-changes.js';
import { LoginThrottle } from './login-throttle.js';
import { ReadThroughCache } from './read-through-cache.js';
import { verifyPassword } from './passwords.js';
import type { Actor } from './rbac.js';
import { actorOfUser, normalizeEmail, presentUser, type UserView } from './users.js';

export const SESSION_COOKIE = 'pulse_session';
export const CSRF_HEADER = 'x-pulse-csrf';

export class TooManyAttemptsError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_attempts', `too many failed sign-ins; try again in ${retryAfterSeconds} s`);
  }
}

export interface SessionOptions {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however active. */
  maxMs: number;
  throttle?: LoginThrottle;
  now?: () => number;
  /** Told of each sign-out, so what was opened with the session closes at once; also drops cached sessions. */
  changes?: AccessChanges;
  /**
   * How long a looked-up session and its user are trusted without re-reading them. Changes made through this
   * process (sign-out, a user disabled, removed, renamed or given another role) take effect at once; made
   * by another process sharing the state database, within this bound.
   */
  cacheMs?: number;
}

export interface SignedIn {
  token: string;
  user: UserView;
  csrfToken: string;
  expiresAt: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TOUCH_EVERY_MS = 60_000;

/** A session with its user as last read; `session` is replaced when this process touches it. */
interface SessionOfUser {
  session: SessionRecord;
  user: UserRecord;
}

/**
 * Dashboard sessions: a random 256-bit cookie token, stored only as its SHA-256; idle and
 * absolute expiry. The CSRF token is a one-way hash of the session token: it needs no storage, survives
 * restarts with the session, and a page can only learn it from an authenticated GET /api/session.
 */
export class Sessions {
  private readonly throttle: LoginThrottle;
  private readonly now: () => number;
  private readonly changes: AccessChanges;
  /** By session id: what every request of a session would otherwise read twice; null = no such session. */
  private readonly cache: ReadThroughCache<SessionOfUser | null>;
  constructor(
    private readonly store: UserStore,
    private readonly options: SessionOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.throttle = options.throttle ?? new LoginThrottle(undefined, this.now);
    this.changes = options.changes ?? new AccessChanges();
    this.cache = new ReadThroughCache(options.cacheMs ?? 10_000);
    this.changes.subscribe((change) => {
      if (change.kind === 'session_ended') this.cache.delete(change.sessionId);
      else if (change.kind !== 'key_revoked')
        this.cache.deleteWhere((entry) => entry?.user.id === change.userId);
    });
  }

  async signIn(emailRaw: unknown, password: unknown, address: string): Promise<SignedIn> {
    const email = typeof emailRaw === 'string' ? emailRaw.trim().toLowerCase() : '';
    const wait = this.throttle.retryAfter(email, address);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const user = await this.findUser(emailRaw);
    const ok =
      (await verifyPassword(user?.passwordHash ?? null, typeof password === 'string' ? password : '')) &&
      user !== null &&
      user.disabledAt === null;
    if (!ok || !user) {
      this.throttle.fail(email, address);
      throw new UnauthorizedError('email or password is not correct');
    }
    this.throttle.succeed(email);
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    const expiresAt = Math.min(at + this.options.idleMs, at + this.options.maxMs);
    await this.store.insertSession({
      tokenHash: sha256(token),
      userId: user.id,
      createdAt: at,
      lastSeenAt: at,
      expiresAt,
    });
    return { token, user: presentUser(user), csrfToken: this.csrfFor(token), expiresAt };
  }

  /** A malformed email is a failed attempt like any other, not a different answer. */
  private async findUser(emailRaw: unknown): Promise<UserRecord | null> {
    try {
      return await this.store.findByEmail(normalizeEmail(emailRaw));
    } catch {
      return null;
    }
  }

  /** The user behind a cookie token, or null (unknown, expired, user removed or disabled). */
  async resolve(token: string): Promise<{ actor: Actor; user: UserRecord; expiresAt: number } | null> {
    const tokenHash = this.idOf(token);
    const now = this.now();
    const entry = await this.cache.get(tokenHash, now, () => this.read(tokenHash));
    if (!entry) return null;
    const { session, user } = entry;
    if (session.expiresAt <= now) {
      this.cache.delete(tokenHash);
      await this.store.deleteSession(tokenHash);
      return null;
    }
    if (user.disabledAt !== null) return null;
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      const expiresAt = Math.min(now + this.options.idleMs, session.createdAt + this.options.maxMs);
      entry.session = { ...session, lastSeenAt: now, expiresAt }; // before the write: one touch, not one per request
      await this.store.touchSession(tokenHash, now, expiresAt);
    }
    return { actor: actorOfUser(user), user, expiresAt: entry.session.expiresAt };
  }

  private async read(tokenHash: string): Promise<SessionOfUser | null> {
    const session = await this.store.getSession(tokenHash);
    const user = session && (await this.store.get(session.userId));
    return session && user ? { session, user } : null;
  }

  async signOut(token: string): Promise<void> {
    const sessionId = this.idOf(token);
    await this.store.deleteSession(sessionId);
    this.changes.publish({ kind: 'session_ended', sessionId });
  }

  /** A session's id: the hash it is stored under, so the token itself need not be kept. */
  idOf(token: string): string {
    return sha256(token);
  }

  /**
   * What a session grants now and until when, without counting as use (a watcher's check must not keep
   * it alive); null once it ended, expired, or its user is gone or disabled.
   */
  async current(sessionId: string): Promise<{ actor: Actor; expiresAt: number } | null> {
    const session = await this.store.getSession(sessionId);
    if (!session || session.expiresAt <= this.now()) return null;
    const user = await this.store.get(session.userId);
    if (!user || user.disabledAt !== null) return null;
    return { actor: actorOfUser(user), expiresAt: session.expiresAt };
  }

  csrfFor(token: string): string {
    return createHash('sha256').update(`pulse-csrf:${token}`).digest('base64url');
  }

  csrfMatches(token: string, presented: string | undefined): boolean {
    if (!presented) return false;
    const expected = Buffer.from(this.csrfFor(token));
    const given = Buffer.from(presented);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
