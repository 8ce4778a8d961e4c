import { makeIssue } from '@pulse/events';
import type { CapturedEvent } from './captured-event.js';
import type { EventStore, QuarantinedEvent } from '../storage/event-store.js';
import type { PendingRequest } from './pending-request.js';

type Commit = Pick<PendingRequest, 'events' | 'quarantined' | 'released'>;

async function tryCommit(store: EventStore, requests: Commit[], ingestedAt: number): Promise<boolean> {
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
 * whose events are now durable; the caller settles them all.
 */
export async function commitWithIsolation(
  store: EventStore,
  group: PendingRequest[],
  ingestedAt: number,
): Promise<Set<PendingRequest>> {
  if (await tryCommit(store, group, ingestedAt)) return new Set(group);
  const done = new Set<PendingRequest>();
  for (const request of group) {
    if (group.length > 1 && (await tryCommit(store, [request], ingestedAt))) {
      done.add(request);
      continue;
    }
    const kept: CapturedEvent[] = [];
    const refused: QuarantinedEvent[] = [...request.quarantined];
    for (const [index, event] of request.events.entries()) {
      const single = { events: [event], quarantined: [], released: [] };
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
    const rest = { events: [], quarantined: refused, released: request.released };
    if (await tryCommit(store, [rest], ingestedAt)) {
      request.events = kept;
      request.quarantined = refused;
      done.add(request);
    }
  }
  return done;
}
