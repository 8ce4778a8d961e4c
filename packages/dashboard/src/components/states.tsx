import type { UnknownTenant } from '@pulse/api';
import { clockTime } from '../format';

/**
 * Instead of a dashboard of zeros: the tenant has no events at all (a mistyped id, or nothing sent yet),
 * with the tenants the caller may see whose ids are nearest.
 */
export function NoEventsForTenant({ unknown }: { unknown: readonly UnknownTenant[] }) {
  return (
    <section class="card empty-state" data-testid="unknown-tenant">
      {unknown.map((u) => (
        <div key={u.tenantId}>
          <h2>No events for tenant {u.tenantId}</h2>
          {u.suggestions.length ? (
            <>
              <p>Pulse has never received an event for this tenant. Did you mean:</p>
              <ul class="suggestions">
                {u.suggestions.map((s) => (
                  <li key={s}>
                    <a href={`/tenants/${encodeURIComponent(s)}${location.search}`}>{s}</a>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>
              Pulse has never received an event for this tenant, and no tenant you may see has a similar id.
              Check the id, or send the tenant&apos;s first event.
            </p>
          )}
        </div>
      ))}
      <p>
        <a href={`/${location.search}`}>Back to the overview</a>
      </p>
    </section>
  );
}

/** Across the page while the live connection is down: the figures stopped following the server at `since`. */
export function StaleBanner({ since }: { since: number }) {
  return (
    <div class="stale-banner" role="status" data-testid="stale-banner">
      <strong>The figures are stale since {clockTime(since)}</strong>: the connection to the server was lost.
      Reconnecting…
    </div>
  );
}
