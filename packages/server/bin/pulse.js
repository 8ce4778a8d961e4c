#!/usr/bin/env node
// The `pulse` command: runs the compiled CLI (built by `npm ci` through the root prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('pulse: not built yet; run `npm run build` in the repository root');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
