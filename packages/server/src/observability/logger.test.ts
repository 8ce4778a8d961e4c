import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function written(format: 'auto' | 'json' | 'pretty', isTerminal: boolean): string {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const logger = createLogger({ logLevel: 'info', logFormat: format }, { isTerminal, stream });
  logger.info({ url: 'http://127.0.0.1:8000' }, 'Pulse is listening');
  logger.flush();
  return stripVTControlCharacters(chunks.join(''));
}

describe('createLogger', () => {
  it('writes JSON lines when not on a terminal, and when asked for JSON', () => {
    for (const line of [written('auto', false), written('json', true)])
      expect(JSON.parse(line)).toMatchObject({ msg: 'Pulse is listening', url: 'http://127.0.0.1:8000' });
  });

  it('writes lines for people on a terminal, and when asked for pretty', () => {
    for (const line of [written('auto', true), written('pretty', false)]) {
      expect(line).toMatch(/INFO.*Pulse is listening/);
      expect(line).toContain('url: "http://127.0.0.1:8000"');
      expect(() => JSON.parse(line) as unknown).toThrow();
    }
  });
});
