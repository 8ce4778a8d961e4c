// How fast the seed generator makes demo events (what `pulse seed` and `pulse serve --demo` wait for).
// Run: npm run bench:seed   (builds first; ~10 s on an idle machine)
import console from 'node:console';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const dist = join(new URL('..', import.meta.url).pathname, 'packages/server/dist');
const { estimateCount, generateEvents } = await import(join(dist, 'seed/index.js'));

const options = { tenants: 500, days: 50, seed: 1, end: new Date('2026-01-15T00:00:00Z') };
const started = performance.now();
let count = 0;
for (const event of generateEvents(options)) if (event.timestamp > 0) count++;
const seconds = (performance.now() - started) / 1000;
console.log(
  `seed generator: ${count.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s = ` +
    `${Math.round(count / seconds).toLocaleString('en-US')} events/s (estimate ${estimateCount(options).toLocaleString('en-US')})`,
);
