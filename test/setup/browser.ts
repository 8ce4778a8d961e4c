import { existsSync } from 'node:fs';
import setupBuilt from './built.js';

/** Where the e2e tests find Debian's Chromium (playwright-core drives it; nothing is downloaded). */
const chromium = '/usr/bin/chromium';

/** The e2e tests: Chromium must be there (fail once, saying how to get it), then as for `built`. */
export default async function setup(): Promise<() => void> {
  if (!existsSync(chromium))
    throw new Error(`the e2e tests need Chromium at ${chromium}: apt-get install -y chromium`);
  return setupBuilt();
}
