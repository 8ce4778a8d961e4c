import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { writeFileDurably } from '../durable-file.js';
import { UuidIndex } from './uuid-index.js';

/**
 * The dedup index saved next to the store, so a start reads it instead of every stored uuid. It holds
 * 64-bit hashes of uuids only (no event data), so it is not sealed when the store is encrypted.
 *
 * `ingestedBefore`: every event ingested before this instant (epoch ms) was in the index when it was saved.
 * Ingestion times never go backwards (the pipeline starts from this instant), so a start adds the store's
 * uuids ingested at or after it and the index again covers every stored uuid.
 *
 * Layout: magic ‖ u32 version ‖ u32 0 ‖ f64 ingestedBefore ‖ u32 slot words ‖ u32 crc32 of the slots ‖
 * the slots in little-endian order. A file that does not check out is ignored (the index is rebuilt).
 */
/** Its name in the data directory. */
export const DEDUP_INDEX_FILE = 'dedup-index.bin';

const MAGIC = Buffer.from('PULSEUIX', 'latin1');
const VERSION = 1;
const HEADER = 32;
/** The slots are written as they lie in memory; another byte order reads no file and writes none. */
const littleEndian = endianness() === 'LE';

export interface SavedIndex {
  index: UuidIndex;
  ingestedBefore: number;
}

/** The saved index, or null when there is none or it does not check out. */
export async function loadDedupIndex(path: string): Promise<SavedIndex | null> {
  if (!littleEndian) return null;
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const header = Buffer.alloc(HEADER);
    const { bytesRead } = await file.read(header, 0, HEADER, 0);
    if (bytesRead < HEADER || !header.subarray(0, 8).equals(MAGIC) || header.readUInt32LE(8) !== VERSION)
      return null;
    const ingestedBefore = header.readDoubleLE(16);
    const words = header.readUInt32LE(24);
    if ((await file.stat()).size !== HEADER + words * 4 || !Number.isFinite(ingestedBefore)) return null;
    // Read straight into the index's own memory: no second copy of a file that can be 100+ MB.
    const slots = new Uint32Array(words);
    const body = Buffer.from(slots.buffer);
    for (let at = 0; at < body.length;) {
      const read = await file.read(body, at, body.length - at, HEADER + at);
      if (read.bytesRead === 0) return null;
      at += read.bytesRead;
    }
    if (crc32(body) !== header.readUInt32LE(28)) return null;
    const index = UuidIndex.fromSlots(slots);
    return index ? { index, ingestedBefore } : null;
  } finally {
    await file.close();
  }
}

/** Writes the index atomically (temporary file, fsync, rename): a crash leaves the old file or the new one. */
export async function saveDedupIndex(
  path: string,
  slots: Uint32Array,
  ingestedBefore: number,
): Promise<void> {
  if (!littleEndian) return;
  const body = Buffer.from(slots.buffer, slots.byteOffset, slots.byteLength);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, 8);
  header.writeDoubleLE(ingestedBefore, 16);
  header.writeUInt32LE(slots.length, 24);
  header.writeUInt32LE(crc32(body), 28);
  await writeFileDurably(path, [header, body]);
}
