import { readFileSync } from 'node:fs';
import type { FullConfig } from '../config/index.js';

/** The PEM files of PULSE_TLS_CERT_FILE / PULSE_TLS_KEY_FILE; an unreadable one stops the start, saying which. */
export function readTls(config: FullConfig): { cert: Buffer; key: Buffer } | null {
  if (!config.tlsCertFile || !config.tlsKeyFile) return null;
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${name} ${path}: cannot be read (${(error as Error).message})`, { cause: error });
    }
  };
  return {
    cert: read('PULSE_TLS_CERT_FILE', config.tlsCertFile),
    key: read('PULSE_TLS_KEY_FILE', config.tlsKeyFile),
  };
}
