#!/usr/bin/env node
// The `pulse` command: runs the compiled CLI (built by `npm ci` through the root prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('pulse: not built yet; run `npm run build` in the repository root');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// A command that failed exits now: a start that failed half-way (a port in use, a database timing out) can
// leave connections and timers open that would keep the process alive without serving. Every store survives
// an exit at any point, as it survives kill -9.
if (code !== 0) process.exit(code);
