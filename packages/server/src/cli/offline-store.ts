import type { Command } from 'commander';
import { loadConfig, type FullConfig } from '../config/index.js';
import { loadAtRestKey } from '../encryption/at-rest.js';
import type { KeyRef } from '../encryption/store-maintenance.js';

/** What the offline verbs on the data dir (`pulse encryption …`, `pulse store …`) share. */

export function configOf(command: Command): FullConfig {
  const file = command.optsWithGlobals<{ config?: string }>().config;
  return loadConfig(file ? { file } : {});
}

/** Steps go to stderr, so `--json` output on stdout stays machine-readable. */
export const say = (line: string) => process.stderr.write(`• ${line}\n`);

/** The configured key (PULSE_ENCRYPTION_KEY_FILE) with its fingerprint; null when encryption is off. */
export function currentKey(config: FullConfig): (KeyRef & { fingerprint: string }) | null {
  const key = loadAtRestKey(config);
  return (
    key && { bytes: key.bytes, source: `PULSE_ENCRYPTION_KEY_FILE ${key.file}`, fingerprint: key.fingerprint }
  );
}
