import { makeIssue } from '@pulse/events';
import type { CapturedEvent } from './captured-event.js';
import type { EventStore, QuarantinedEvent } from '../storage/event-store.js';

export interface PendingRequest {
  events: CapturedEvent[];
  quarantined: QuarantinedEvent[];
  released: string[];
  resolve: () => void;
  reject: (error: Error) => void;
}

async function tryCommit(
  store: EventStore,
  requests: PendingRequest[],
  ingestedAt: number,
): Promise<boolean> {
  try {
    await store.commit({
      events: requests.flatMap((r) => r.events),
      quarantined: requests.flatMap((r) => r.quarantined),
      releasedQuarantineIds: requests.flatMap((r) => r.released),
      ingestedAt,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Commits a group; if the store refuses it, finds the culprit so one bad event cannot fail the
 * requests that shared its commit: each request alone, then each event of a failing request alone.
 * An event the store refuses on its own is quarantined with the store's reason. Returns the requests
 * whose events are now durable; the others were rejected (the client retries on 503).
 */
export async function commitWithIsolation(
  store: EventStore,
  group: PendingRequest[],
  ingestedAt: number,
): Promise<Set<PendingRequest>> {
  const done = new Set<PendingRequest>();
  const settle = (request: PendingRequest) => {
    done.add(request);
    request.resolve();
  };
  if (await tryCommit(store, group, ingestedAt)) {
    group.forEach(settle);
    return done;
  }
  for (const request of group) {
    if (group.length > 1 && (await tryCommit(store, [request], ingestedAt))) {
      settle(request);
      continue;
    }
    const kept: CapturedEvent[] = [];
    const refused: QuarantinedEvent[] = [...request.quarantined];
    for (const [index, event] of request.events.entries()) {
      const single = { ...request, events: [event], quarantined: [], released: [] };
      if (await tryCommit(store, [single], ingestedAt)) kept.push(event);
      else {
        const issue = makeIssue(
          event.event,
          'properties',
          'storage',
          'a value the store can hold',
          undefined,
        );
        refused.push({ id: event.uuid, receivedAt: ingestedAt, batchIndex: index, event, issues: [issue] });
      }
    }
    const rest = { ...request, events: [], quarantined: refused };
    if (await tryCommit(store, [rest], ingestedAt)) {
      request.events = kept;
      request.quarantined = refused;
      settle(request);
    } else request.reject(new Error('the store refused the request'));
  }
  return done;
}
