import { useEffect, useState } from 'preact/hooks';

/** A minimal history router: the path picks the page, the query string holds range and tenant. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({ path: location.pathname, query: new URLSearchParams(location.search) });

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event('pulse:navigate'));
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener('popstate', update);
    window.addEventListener('pulse:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('pulse:navigate', update);
    };
  }, []);
  return loc;
}

/** Same path, some query parameters changed (null removes). */
export function withQuery(loc: Location, changes: Record<string, string | null>, path = loc.path): string {
  const q = new URLSearchParams(loc.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Internal links without a reload: a plain <a> for keyboard and middle-click, intercepted on click. */
export function onLink(event: MouseEvent): void {
  const a = (event.target as HTMLElement).closest('a');
  if (!a || a.target || a.hasAttribute('download') || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
