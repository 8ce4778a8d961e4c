import build from './build.js';
import guardTmpdir from './tmp-guard.js';

/** Tests that run the built CLI or dashboard: build first (incrementally), and guard the temporary files. */
export default async function setup(): Promise<() => void> {
  await build();
  return guardTmpdir();
}
