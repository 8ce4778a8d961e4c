import { BOOTSTRAP_ADMIN_ID } from './admin-key.js';
import type { ApiKeys } from './api-keys.js';
import type { Actor } from './rbac.js';
import type { Sessions } from './sessions.js';

/** What a request proved who it is with, named so that it can be checked again later. */
export type Credential =
  | { kind: 'session'; sessionId: string; userId: string }
  | { kind: 'api_key'; keyId: string }
  /** The bootstrap admin key or a project token: configuration, which changes only with a restart. */
  | { kind: 'configured'; actor: Actor };

/** What a credential grants now; `expiresAt` null: until revoked. */
export interface CurrentGrant {
  actor: Actor;
  expiresAt: number | null;
}

/** Names the credential behind an authenticated actor and re-reads what it grants from the store. */
export function createCredentials(deps: {
  apiKeys: Pick<ApiKeys, 'current'>;
  sessions: Pick<Sessions, 'idOf' | 'current'>;
}) {
  return {
    /** `sessionToken` is the request's session cookie when it authenticated with one. */
    of(actor: Actor, sessionToken: string | null): Credential {
      if (sessionToken)
        return { kind: 'session', sessionId: deps.sessions.idOf(sessionToken), userId: actor.id };
      if (actor.kind === 'api_key' && actor.id !== BOOTSTRAP_ADMIN_ID)
        return { kind: 'api_key', keyId: actor.id };
      return { kind: 'configured', actor };
    },
    /** Null once the credential was revoked, ended or expired, or its user disabled or removed. */
    async current(credential: Credential): Promise<CurrentGrant | null> {
      switch (credential.kind) {
        case 'session':
          return deps.sessions.current(credential.sessionId);
        case 'api_key':
          return deps.apiKeys.current(credential.keyId);
        case 'configured':
          return { actor: credential.actor, expiresAt: null };
      }
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;
