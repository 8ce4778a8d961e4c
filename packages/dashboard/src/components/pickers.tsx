import type { Subscription } from '@pulse/api';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { navigate, withQuery, type Location } from '../router';
import { isoDay, presets } from '../window';
import type { Window } from './pages';

/** Type or pick a tenant (the ones with subscriptions, named when a view supplies names, or the caller's own); Enter opens its page. */
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
    if (tenants) return;
    api<{ subscriptions: Pick<Subscription, 'tenantId' | 'displayName'>[] }>('/api/subscriptions')
      .then((s) =>
        setKnown(
          new Map(
            s.subscriptions
              .map((x): [string, string | null] => [x.tenantId, x.displayName])
              .sort(([a], [b]) => a.localeCompare(b)),
          ),
        ),
      )
      .catch(() => undefined);
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

/** 7/30/90 days or a custom range of days; the choice lives in the URL. */
export function RangePicker({ loc, win }: { loc: Location; win: Window }) {
  const range = loc.query.get('range') ?? '30d';
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
