import { createHash } from 'node:crypto';

/**
 * A UUID derived from a provider's own id (version 8, name-based on SHA-256): the same provider event
 * always becomes the same Pulse event, so the pipeline's uuid dedup also holds across retries.
 */
export function derivedUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
