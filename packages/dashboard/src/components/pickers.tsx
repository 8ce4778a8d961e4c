import type { Subscription, TenantPage } from '@pulse/api';
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { navigate, withQuery, type Location } from '../router';
import { isoDay, presets } from '../window';
import type { Window } from './pages';

/** Every tenant with events the caller may see, page after page. */
async function tenantsWithEvents(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: TenantPage = await api<TenantPage>(
      `/api/tenants${qs({ limit: 1000, cursor: cursor ?? undefined })}`,
    );
    for (const t of page.tenants) ids.push(t.tenantId);
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** Type or pick a tenant: every tenant with events the caller may see, named when a subscription's view names it. */
export function TenantPicker({
  loc,
  tenant,
  tenants,
}: {
  loc: Location;
  tenant: string | null;
  tenants: readonly string[] | null;
}) {
  // Tenant id → its name for people (from a synchronised view), when it has one.
  const [known, setKnown] = useState<Map<string, string | null>>(
    new Map((tenants ?? []).map((t) => [t, null])),
  );
  const [value, setValue] = useState(tenant ?? '');
  useEffect(() => setValue(tenant ?? ''), [tenant]);
  useEffect(() => {
    const withEvents = tenantsWithEvents().catch(() => []);
    // Names only: a tenant with a subscription and no events yet is listed too.
    const named = api<{ subscriptions: Pick<Subscription, 'tenantId' | 'displayName'>[] }>(
      '/api/subscriptions',
    )
      .then((s) => s.subscriptions)
      .catch(() => []);
    void Promise.all([withEvents, named]).then(([ids, subscriptions]) =>
      setKnown((prev) => {
        const next = new Map(prev);
        for (const id of ids) if (!next.has(id)) next.set(id, null);
        for (const s of subscriptions) next.set(s.tenantId, s.displayName);
        return new Map([...next].sort(([a], [b]) => a.localeCompare(b)));
      }),
    );
  }, []);
  const go = (event: Event) => {
    event.preventDefault();
    const t = value.trim();
    navigate(withQuery(loc, { state: null }, t ? `/tenants/${encodeURIComponent(t)}` : '/'));
  };
  return (
    <form class="picker" onSubmit={go} role="search">
      <label for="tenant-input">Tenant</label>
      <input
        id="tenant-input"
        list="tenant-options"
        placeholder={tenants?.length === 1 ? tenants[0] : 'All tenants'}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        onChange={go}
        autoComplete="off"
      />
      <datalist id="tenant-options">
        {[...known].map(([t, name]) => (
          <option key={t} value={t} label={name ?? undefined} />
        ))}
      </datalist>
    </form>
  );
}

/** A period the page shows that the range does not choose (a month-to-date report), and why. */
export interface FixedWindow {
  name: string;
  why: string;
}

/**
 * 7/30/90 days or a custom range of days; the choice lives in the URL. While the page shows a period of its
 * own, the picker names that period instead, disabled, so the bar never contradicts the page.
 */
export function RangePicker({ loc, win, fixed }: { loc: Location; win: Window; fixed: FixedWindow | null }) {
  const range = loc.query.get('range') ?? '30d';
  if (fixed)
    return (
      <div class="range" title={fixed.why}>
        <label for="range-select">Range</label>
        <select id="range-select" disabled aria-describedby="range-why">
          <option>{fixed.name}</option>
        </select>
        <span id="range-why" class="sr-only">
          {fixed.why}
        </span>
      </div>
    );
  return (
    <div class="range">
      <label for="range-select">Range</label>
      <select
        id="range-select"
        value={range}
        onChange={(e) => {
          const r = e.currentTarget.value;
          navigate(
            withQuery(
              loc,
              r === 'custom'
                ? { range: r, from: isoDay(win.from), to: isoDay(win.to - 1) }
                : { range: r, from: null, to: null },
            ),
          );
        }}
      >
        {presets.map((p) => (
          <option key={p} value={p}>
            Last {p.replace('d', ' days')}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {range === 'custom' && (
        <>
          <label class="sr-only" for="range-from">
            From
          </label>
          <input
            id="range-from"
            type="date"
            value={isoDay(win.from)}
            onChange={(e) => navigate(withQuery(loc, { from: e.currentTarget.value }))}
          />
          <label class="sr-only" for="range-to">
            To
          </label>
          <input
            id="range-to"
            type="date"
            value={isoDay(win.to - 1)}
            onChange={(e) => navigate(withQuery(loc, { to: e.currentTarget.value }))}
          />
        </>
      )}
    </div>
  );
}
