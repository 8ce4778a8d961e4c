import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { navigate, withQuery, type Location } from '../router';
import { isoDay, presets } from '../window';
import type { Window } from './pages';

/** Type or pick a tenant (the ones with subscriptions, or the caller's own); Enter opens its page. */
export function TenantPicker({
  loc,
  tenant,
  tenants,
}: {
  loc: Location;
  tenant: string | null;
  tenants: readonly string[] | null;
}) {
  const [known, setKnown] = useState<string[]>(tenants ? [...tenants] : []);
  const [value, setValue] = useState(tenant ?? '');
  useEffect(() => setValue(tenant ?? ''), [tenant]);
  useEffect(() => {
    if (tenants) return;
    api<{ subscriptions: { tenantId: string }[] }>('/api/subscriptions')
      .then((s) => setKnown([...new Set(s.subscriptions.map((x) => x.tenantId))].sort()))
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
        {known.map((t) => (
          <option key={t} value={t} />
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
