import type { ProjectToken } from '../config/index.js';
import { CaptureError, validateToken } from '../ingestion/decode/index.js';
import { KEY_PREFIX, type ApiKeys } from './api-keys.js';
import { authorize } from './rbac.js';

/** What a capture token lets a request write: the token as checked, and the tenants its events may belong to. */
export interface CaptureGrant {
  token: string;
  tenants: readonly string[] | 'all';
}

/**
 * Resolves the token a capture request carries. A Pulse API key (`pulse_…`, longer than PostHog's
 * 64-character token rule allows) captures when it is active and its role may capture, within its
 * tenants. Anything else is a project token: PostHog's shape rule, then, when PULSE_PROJECT_TOKEN lists
 * tokens, one of them, within its tenants. Throws a CaptureError (401) for a token it refuses.
 */
export function captureGrants(
  projectTokens: readonly ProjectToken[],
  apiKeys: ApiKeys,
): (token: string) => Promise<CaptureGrant> {
  return async (sent) => {
    const trimmed = sent.trim();
    if (trimmed.startsWith(KEY_PREFIX)) {
      const actor = await apiKeys.resolve(trimmed);
      if (!actor)
        throw new CaptureError(
          'unknown_token',
          'API key is not valid: not an active Pulse API key (unknown, revoked or expired)',
        );
      const decision = authorize(actor, 'capture');
      if (!decision.allowed)
        throw new CaptureError(
          'unknown_token',
          `API key is not valid: a Pulse API key with role ${actor.role} may not capture (use role ingest)`,
        );
      return { token: trimmed, tenants: decision.scope };
    }
    const token = validateToken(sent);
    if (!projectTokens.length) return { token, tenants: 'all' };
    const known = projectTokens.find((t) => t.token === token);
    if (!known)
      throw new CaptureError(
        'unknown_token',
        'API key is not valid: not a project API key of this Pulse (PULSE_PROJECT_TOKEN)',
      );
    return { token, tenants: known.tenants };
  };
}
