import type { AccessChange, AccessChanges } from '../access/access-changes.js';
import type { Credential, Credentials } from '../access/credentials.js';
import { authorize, sameTenants, type Actor, type Role } from '../access/rbac.js';
import type { Clock } from '../clock.js';

export type LiveScope = readonly string[] | 'all';

/** The close codes of /api/live beyond the standard ones (docs/live.md). */
export const LIVE_CLOSE = {
  /** The credential no longer holds (revoked, expired, signed out, user disabled or removed, new password). */
  accessEnded: 4401,
  /** The role or tenants changed: a new connection streams under the new scope. */
  accessChanged: 4403,
  /** The credential could not be re-checked (store failure): closed rather than streaming unchecked. */
  checkFailed: 1011,
} as const;

export interface LiveClose {
  code: number;
  reason: string;
}

/** The tenants an actor may stream: those of summary:read or alerts:read, whichever it holds; null: neither. */
export function liveScopeOf(actor: Actor): LiveScope | null {
  for (const permission of ['summary:read', 'alerts:read'] as const) {
    const decision = authorize(actor, permission);
    if (decision.allowed) return decision.scope;
  }
  return null;
}

/** An open socket as the guard sees it: what it was opened with and under which grant. */
export interface GuardedSocket {
  credential: Credential;
  role: Role;
  scope: LiveScope;
  /** Closes the socket; called at most once. */
  end(close: LiveClose): void;
}

const signedOut: Record<Extract<AccessChange, { kind: 'user_signed_out' }>['reason'], string> = {
  disabled: 'user disabled',
  removed: 'user removed',
  password_changed: 'password changed: sign in again',
};

/** A socket whose holder now acts as `actor` goes on only under the very role and tenants it opened with. */
function onGrant(socket: GuardedSocket, actor: Actor): LiveClose | null {
  const scope = liveScopeOf(actor);
  if (scope === null)
    return { code: LIVE_CLOSE.accessChanged, reason: `role ${actor.role} may not read live data` };
  if (actor.role !== socket.role || !sameTenants(scope, socket.scope))
    return { code: LIVE_CLOSE.accessChanged, reason: 'role or tenants changed: reconnect' };
  return null;
}

function onChange(socket: GuardedSocket, change: AccessChange): LiveClose | null {
  const c = socket.credential;
  const ended = (reason: string) => ({ code: LIVE_CLOSE.accessEnded, reason });
  switch (change.kind) {
    case 'key_revoked':
      return c.kind === 'api_key' && c.keyId === change.keyId ? ended('API key revoked') : null;
    case 'session_ended':
      return c.kind === 'session' && c.sessionId === change.sessionId ? ended('signed out') : null;
    case 'user_signed_out':
      return c.kind === 'session' && c.userId === change.userId ? ended(signedOut[change.reason]) : null;
    case 'user_grant_changed':
      return c.kind === 'session' && c.userId === change.userId ? onGrant(socket, change.actor) : null;
    case 'user_renamed':
      return null;
  }
}

const lapsed = (c: Credential, atExpiry: boolean) =>
  c.kind === 'session'
    ? atExpiry
      ? 'session expired: sign in again'
      : 'session ended: sign in again'
    : atExpiry
      ? 'API key expired'
      : 'API key revoked or expired';

/**
 * Keeps each live socket within the access it was opened with. Access changes (published by the key, user
 * and session mutations) close the affected sockets at once; a timer at the credential's expiry re-reads it
 * and closes or re-arms. Nothing runs per message: a change scans the open sockets, an expiry reads the store
 * once.
 */
export function createLiveGuard(deps: {
  changes: Pick<AccessChanges, 'subscribe'>;
  credentials: Pick<Credentials, 'current'>;
  clock: Clock;
  onCheckError: (error: unknown) => void;
}) {
  interface Watch {
    socket: GuardedSocket;
    cancelExpiry: () => void;
    done: boolean;
  }
  const watches = new Set<Watch>();
  const release = (watch: Watch) => {
    watch.done = true;
    watches.delete(watch);
    watch.cancelExpiry();
  };
  const end = (watch: Watch, close: LiveClose) => {
    if (watch.done) return;
    release(watch);
    watch.socket.end(close);
  };

  // Changes are rare (an admin's action, a sign-out): scanning the open sockets is cheap.
  const stop = deps.changes.subscribe((change) => {
    for (const watch of [...watches]) {
      const close = onChange(watch.socket, change);
      if (close) end(watch, close);
    }
  });

  /** Re-reads the credential: ends the socket if it no longer holds, else arms a check at its expiry. */
  const check = async (watch: Watch, atExpiry: boolean): Promise<boolean> => {
    let grant;
    try {
      grant = await deps.credentials.current(watch.socket.credential);
    } catch (error) {
      if (watch.done) return false; // closed meanwhile (or the server is stopping): nothing to protect
      deps.onCheckError(error);
      end(watch, { code: LIVE_CLOSE.checkFailed, reason: 'could not re-check access' });
      return false;
    }
    if (watch.done) return false;
    if (!grant) {
      end(watch, { code: LIVE_CLOSE.accessEnded, reason: lapsed(watch.socket.credential, atExpiry) });
      return false;
    }
    const close = onGrant(watch.socket, grant.actor);
    if (close) {
      end(watch, close);
      return false;
    }
    if (grant.expiresAt !== null)
      watch.cancelExpiry = deps.clock.at(grant.expiresAt, () => check(watch, true));
    return true;
  };

  return {
    /**
     * Guards a socket from now on. `ready` re-reads its credential once first, which also catches a change
     * made between authenticating the upgrade and this call; it is false when the socket may not stream.
     * `release` when the socket closes.
     */
    watch(socket: GuardedSocket): { ready: Promise<boolean>; release: () => void } {
      const watch: Watch = { socket, cancelExpiry: () => undefined, done: false };
      watches.add(watch);
      return { ready: check(watch, false), release: () => release(watch) };
    },
    close() {
      stop();
      for (const watch of [...watches]) release(watch);
    },
  };
}

export type LiveGuard = ReturnType<typeof createLiveGuard>;
