import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { FullConfig } from '../config/index.js';

/** JSON lines for machines; short coloured lines for a person watching a terminal. */
export function createLogger(
  config: Pick<FullConfig, 'logLevel' | 'logFormat'>,
  output: { isTerminal: boolean; stream?: NodeJS.WritableStream } = {
    isTerminal: Boolean(process.stdout.isTTY),
  },
): Logger {
  const forPeople = config.logFormat === 'pretty' || (config.logFormat === 'auto' && output.isTerminal);
  if (!forPeople)
    return output.stream ? pino({ level: config.logLevel }, output.stream) : pino({ level: config.logLevel });
  // Loaded only for people: a service logging JSON lines does not pay for pino-pretty at every start.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pino(
    { level: config.logLevel },
    pretty({
      colorize: output.isTerminal,
      ignore: 'pid,hostname',
      translateTime: 'SYS:HH:MM:ss',
      sync: true,
      ...(output.stream ? { destination: output.stream } : {}),
    }),
  );
}
