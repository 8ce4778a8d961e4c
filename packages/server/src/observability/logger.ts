import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
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
