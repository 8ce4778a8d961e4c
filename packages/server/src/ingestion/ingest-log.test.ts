import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordCipher } from '../encryption/record-cipher.js';
import { IngestLog } from './ingest-log.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

const newDir = () => temporaryDirectory('pulse-ingest-log-');
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.log'));
const payload = (i: number) => Buffer.from(JSON.stringify({ record: i, tenant: 'tenant-acme-secret' }));

async function writeRecords(dir: string, n: number, cipher: RecordCipher | null = null) {
  const { log } = await IngestLog.open({ dir, cipher, from: 0 });
  const ends: number[] = [];
  for (let i = 0; i < n; i++) ends.push((await log.append(payload(i))).end);
  await log.close();
  return ends;
}

describe('IngestLog', () => {
  it('reads back every record in order after a reopen', async () => {
    const dir = newDir();
    await writeRecords(dir, 5);
    const { log, tail } = await IngestLog.open({ dir, cipher: null, from: 0 });
    expect(tail.map((e) => JSON.parse(e.payload.toString()) as { record: number })).toEqual(
      [0, 1, 2, 3, 4].map((record) => ({ record, tenant: 'tenant-acme-secret' })),
    );
    await log.close();
  });

  it('replays only what follows the loaded position', async () => {
    const dir = newDir();
    const ends = await writeRecords(dir, 4);
    const { log, tail } = await IngestLog.open({ dir, cipher: null, from: ends[1] ?? 0 });
    expect(tail.map((e) => e.start)).toEqual([ends[1], ends[2]]);
    await log.close();
  });

  it('truncates a torn tail (partial last record) at start instead of misreading it', async () => {
    const dir = newDir();
    await writeRecords(dir, 3);
    const [name] = segments(dir);
    const path = join(dir, name ?? '');
    const intact = statSync(path).size;
    // A crash mid-write: the header promises 1,000 bytes, only 10 made it.
    const torn = Buffer.alloc(18);
    torn.writeUInt32LE(1000, 0);
    appendFileSync(path, torn);
    const { log, tail } = await IngestLog.open({ dir, cipher: null, from: 0 });
    expect(tail).toHaveLength(3);
    expect(statSync(path).size).toBe(intact);
    // Appends continue after the cut, and everything reads back.
    await log.append(payload(3));
    await log.close();
    const again = await IngestLog.open({ dir, cipher: null, from: 0 });
    expect(again.tail.map((e) => (JSON.parse(e.payload.toString()) as { record: number }).record)).toEqual([
      0, 1, 2, 3,
    ]);
    await again.log.close();
  });

  it('drops a last record whose checksum does not match (torn inside the payload)', async () => {
    const dir = newDir();
    await writeRecords(dir, 2);
    const path = join(dir, segments(dir)[0] ?? '');
    const bytes = readFileSync(path);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const { log, tail } = await IngestLog.open({ dir, cipher: null, from: 0 });
    expect(tail).toHaveLength(1);
    await log.close();
  });

  it('refuses to start on a corrupt record that is not the tail', async () => {
    const dir = newDir();
    const { log } = await IngestLog.open({ dir, cipher: null, from: 0, segmentBytes: 100 });
    for (let i = 0; i < 4; i++) await log.append(payload(i));
    await log.close();
    expect(segments(dir).length).toBeGreaterThan(1);
    const path = join(dir, segments(dir)[0] ?? '');
    const bytes = readFileSync(path);
    bytes[20] = (bytes[20] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    await expect(IngestLog.open({ dir, cipher: null, from: 0 })).rejects.toThrow(/corrupt/);
  });

  it('rotates segments and deletes the ones wholly loaded', async () => {
    const dir = newDir();
    const { log } = await IngestLog.open({ dir, cipher: null, from: 0, segmentBytes: 200 });
    const ends: number[] = [];
    for (let i = 0; i < 10; i++) ends.push((await log.append(payload(i))).end);
    expect(segments(dir).length).toBeGreaterThan(2);
    log.release(ends[9] ?? 0);
    expect(segments(dir)).toHaveLength(1);
    await log.close();
  });

  it('a clean close with everything loaded leaves no segment; the next start continues the positions', async () => {
    const dir = newDir();
    const { log } = await IngestLog.open({ dir, cipher: null, from: 0 });
    const { end } = await log.append(payload(0));
    await log.close(end);
    expect(segments(dir)).toEqual([]);
    const again = await IngestLog.open({ dir, cipher: null, from: end });
    expect(again.tail).toEqual([]);
    expect((await again.log.append(payload(1))).start).toBeGreaterThanOrEqual(end);
    await again.log.close();
  });

  it('seals records with the cipher: no plaintext on disk, and readable only with the key', async () => {
    const dir = newDir();
    const cipher = new RecordCipher(randomBytes(32));
    await writeRecords(dir, 3, cipher);
    for (const name of segments(dir))
      expect(readFileSync(join(dir, name)).includes('tenant-acme-secret')).toBe(false);
    const { log, tail } = await IngestLog.open({ dir, cipher, from: 0 });
    expect(tail.map((e) => e.payload.toString())).toEqual([0, 1, 2].map((i) => payload(i).toString()));
    await log.close();
    await expect(IngestLog.open({ dir, cipher: null, from: 0 })).rejects.toThrow(/encrypted/);
    // A wrong key is refused, never mistaken for a torn tail (which would be cut off).
    await expect(IngestLog.open({ dir, cipher: new RecordCipher(randomBytes(32)), from: 0 })).rejects.toThrow(
      /key/,
    );
  });
});
