import { render } from 'preact';
import { App } from './app';
import { windowOf } from './window';
import { bootNow, prefetchSummary, summaryUrl } from './prefetch';
import './styles.css';

const path = location.pathname;
const tenant = /^\/tenants\/([^/]+)/.exec(path)?.[1];
if (path === '/' || tenant) {
  const w = windowOf({ path, query: new URLSearchParams(location.search) }, bootNow);
  prefetchSummary(summaryUrl(tenant ? decodeURIComponent(tenant) : null, w.from, w.to));
}

const root = document.getElementById('app');
if (root) render(<App />, root);
