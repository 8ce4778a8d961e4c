import { readFileSync } from 'node:fs';

/** This Pulse's version, from its package manifest (shown by `pulse --version` and in the API document). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
