import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';
import { RecordCipher } from '../encryption/record-cipher.js';
import { IngestLog } from './ingest-log.js';
import { LogReader } from './log-reader.js';

const payload = (i: number) => Buffer.from(`record ${i} `.repeat(20));
const text = (entries: { payload: Buffer }[]) => entries.map((e) => e.payload.toString().split(' ')[1]);

/** Six records in 200-byte segments (a new segment every two records or so), the log left open. */
async function writeLog(cipher: RecordCipher | null, retainFrom?: () => number) {
  const dir = temporaryDirectory('pulse-log-reader-');
  const { log } = await IngestLog.open({
    dir,
    cipher,
    from: 0,
    segmentBytes: 200,
    ...(retainFrom ? { retainFrom } : {}),
  });
  const records: { start: number; end: number }[] = [];
  for (let i = 0; i < 6; i++) records.push(await log.append(payload(i)));
  return { dir, log, records };
}

describe('LogReader', () => {
  it('reads records by position across segments, sealed or not, at least one and then within the byte budget', async () => {
    for (const cipher of [null, new RecordCipher(randomBytes(32))]) {
      const { dir, log, records } = await writeLog(cipher);
      const reader = new LogReader(dir, cipher);
      const end = records.at(-1)?.end ?? 0;
      expect(text(reader.read(0, end, Infinity).entries)).toEqual(['0', '1', '2', '3', '4', '5']);
      expect(text(reader.read(records[2]?.start ?? 0, end, 1).entries)).toEqual(['2']);
      // Only below `to`: what the log has acknowledged.
      expect(text(reader.read(0, records[3]?.start ?? 0, Infinity).entries)).toEqual(['0', '1', '2']);
      await log.close();
    }
  });

  it('keeps the segments a second reader still needs; reading past released ones resumes at the oldest kept', async () => {
    let needed = 0;
    const { dir, log, records } = await writeLog(null, () => needed);
    const end = records.at(-1)?.end ?? 0;
    const before = readdirSync(dir).length;
    log.release(end); // the store loaded everything; the reader still needs all of it
    expect(readdirSync(dir)).toHaveLength(before);
    needed = records[4]?.start ?? 0;
    log.release(end);
    expect(readdirSync(dir).length).toBeLessThan(before);
    const read = new LogReader(dir, null).read(0, end, Infinity);
    expect(read.resumedAt).toBeGreaterThan(0);
    expect(text(read.entries).at(-1)).toBe('5');
    expect(text(read.entries)).toContain('4');
    await log.close(end);
    expect(readdirSync(dir).length).toBeGreaterThan(0); // a clean close keeps what the reader needs, too
  });
});
