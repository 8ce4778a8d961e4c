import type { Actor } from './rbac.js';

/**
 * A change that ends or alters access already granted. Requests re-check their credential each time, but a
 * long-lived holder of a grant (a live socket) does not: it subscribes here, so the change reaches it at once.
 */
export type AccessChange =
  | { kind: 'key_revoked'; keyId: string }
  /** One session ended: its user signed out. */
  | { kind: 'session_ended'; sessionId: string }
  /** Every session of the user ended. */
  | { kind: 'user_signed_out'; userId: string; reason: 'disabled' | 'removed' | 'password_changed' }
  /** The user's role or tenants changed; `actor` is what they act as from now on. */
  | { kind: 'user_grant_changed'; userId: string; actor: Actor }
  /** Only the user's name changed: nothing they may do. */
  | { kind: 'user_renamed'; userId: string };

export type AccessListener = (change: AccessChange) => void;

/** The in-process channel from the access mutations (keys, users, sessions) to whoever holds grants. */
export class AccessChanges {
  private readonly listeners = new Set<AccessListener>();

  /** @param onError told when a listener throws: the change is already stored, so it must not fail. */
  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  subscribe(listener: AccessListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after the change is stored, so a listener that re-reads the store sees it. */
  publish(change: AccessChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
