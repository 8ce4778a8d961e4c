import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { RecordCipher } from '../encryption/record-cipher.js';
import { isSegmentName, SEGMENT_HEADER, segmentName, segmentStart } from './log-segments.js';
import { LogWriter, type LogWrites } from './log-writer.js';

/** A record read back from the log: its position range and its payload (opened, when sealed). */
export interface LogEntry {
  start: number;
  end: number;
  payload: Buffer;
}

export interface IngestLogOptions {
  dir: string;
  /** Seals every record (AES-256-GCM, fresh nonce); null writes plaintext. */
  cipher: RecordCipher | null;
  /** Position already loaded into the store: replay starts there. */
  from: number;
  /** A new segment starts past this size. */
  segmentBytes?: number;
  /** The file boundary (default: the fdatasync worker); tests wrap it to hold or fail a write. */
  writer?: LogWrites;
  /** The lowest position another reader of the log (the relay) still needs: segments from it on are kept. */
  retainFrom?: () => number;
}

const MAGIC = Buffer.from('PLOG');
export const RECORD_HEADER = 8;
const ENCRYPTED = 1;

/** Whether a segment's header (its first SEGMENT_HEADER bytes) is valid, and whether its records are sealed. */
export function segmentFlags(header: Buffer): { valid: boolean; encrypted: boolean } {
  const valid = header.length >= SEGMENT_HEADER && header.subarray(0, 4).equals(MAGIC);
  return { valid, encrypted: valid && ((header[4] ?? 0) & ENCRYPTED) !== 0 };
}

/**
 * A record's payload from its body: null when the checksum fails (a torn write); throws when a sealed
 * record whose checksum held does not open (a wrong key, or tampering: cutting it off would lose events).
 */
export function openRecordBody(
  body: Buffer,
  sum: number,
  position: number,
  cipher: RecordCipher | null,
): Buffer | null {
  if (crc32(body) !== sum) return null;
  if (!cipher) return body;
  try {
    return cipher.open(body, positionBytes(position));
  } catch {
    throw new Error(
      `ingest log record at position ${position} does not open with this encryption key (wrong key, or altered)`,
    );
  }
}

/** Record positions are authenticated too: a sealed record cannot be moved elsewhere in the log. */
function positionBytes(position: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(position));
  return bytes;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The append-only ingest log (ADR 0002): a capture is acknowledged once its group's record is written and
 * fdatasync'ed here. Positions are global byte offsets; a segment file is named by the position it starts
 * at. A record is `u32 length ‖ u32 crc32 ‖ payload` (the payload sealed when a cipher is given), so a torn
 * tail after a crash is recognised and cut off at start instead of being misread.
 */
export class IngestLog {
  private closedSegments: number[] = [];
  private fd: number | null = null;
  private readonly writer: LogWrites;
  private segment = 0;
  private end = 0;
  private broken: Error | null = null;

  private constructor(
    private readonly options: IngestLogOptions,
    private readonly segmentBytes: number,
  ) {
    this.writer = options.writer ?? new LogWriter();
  }

  /**
   * Recovers the log: drops segments the store has wholly loaded, checks every record from `from` on,
   * truncates a torn tail, and returns the unloaded records in order. Appends go to a fresh segment.
   */
  static async open(options: IngestLogOptions): Promise<{ log: IngestLog; tail: LogEntry[] }> {
    const log = new IngestLog(options, options.segmentBytes ?? 64 * 1024 * 1024);
    mkdirSync(options.dir, { recursive: true });
    const names = readdirSync(options.dir).filter(isSegmentName).sort();
    const tail: LogEntry[] = [];
    let end = options.from;
    const needed = log.retainedFrom(options.from);
    for (const [i, name] of names.entries()) {
      const start = segmentStart(name);
      const next = names[i + 1];
      if (next !== undefined && segmentStart(next) <= needed) {
        unlinkSync(join(options.dir, name));
        continue;
      }
      const read = log.readSegment(name, start, next === undefined, tail);
      end = Math.max(end, read);
      if (read > start) log.closedSegments.push(start);
    }
    log.startSegment(end);
    return { log, tail };
  }

  /** End of the last durable record: what a read barrier waits for. */
  get position(): number {
    return this.end;
  }

  /** Appends one record and fdatasyncs it; callers serialise appends (one group commit at a time). */
  async append(payload: Buffer): Promise<{ start: number; end: number }> {
    if (this.broken) throw this.broken;
    if (this.end - this.segment >= this.segmentBytes) this.rotate();
    const fd = this.fd;
    if (fd === null) throw new Error('the ingest log is closed');
    const start = this.end;
    const body = this.options.cipher ? this.options.cipher.seal(payload, positionBytes(start)) : payload;
    const header = Buffer.alloc(RECORD_HEADER);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt32LE(crc32(body), 4);
    try {
      await this.writer.write(fd, [header, body], start - this.segment);
    } catch (error) {
      // Undo a partial write so the next record starts clean; if even that fails, stop accepting.
      try {
        ftruncateSync(fd, start - this.segment);
      } catch {
        this.broken = new Error(`the ingest log cannot be written: ${(error as Error).message}`);
      }
      throw error;
    }
    this.end = start + RECORD_HEADER + body.length;
    return { start, end: this.end };
  }

  /** Deletes the segments the store has wholly loaded (everything before `loaded`) and no reader needs. */
  release(loaded: number): void {
    const floor = this.retainedFrom(loaded);
    const starts = [...this.closedSegments, this.segment];
    const keep: number[] = [];
    for (const [i, start] of this.closedSegments.entries()) {
      const next = starts[i + 1] ?? Infinity;
      if (next <= floor) unlinkSync(join(this.options.dir, segmentName(start)));
      else keep.push(start);
    }
    this.closedSegments = keep;
  }

  /** Closes the log; `loaded` at its end (a clean shutdown that loaded everything) deletes it all. */
  async close(loaded?: number): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    await this.writer.close();
    const lastRecordEnd = this.end === this.segment + SEGMENT_HEADER ? this.segment : this.end;
    if (loaded !== undefined && this.retainedFrom(loaded) >= lastRecordEnd) {
      this.release(loaded);
      unlinkSync(join(this.options.dir, segmentName(this.segment)));
      fsyncDir(this.options.dir);
    }
  }

  private retainedFrom(loaded: number): number {
    return Math.min(loaded, this.options.retainFrom?.() ?? Infinity);
  }

  private readSegment(name: string, start: number, last: boolean, into: LogEntry[]): number {
    const path = join(this.options.dir, name);
    const bytes = readFileSync(path);
    const { valid, encrypted } = segmentFlags(bytes);
    if (!valid) {
      if (last) return this.truncate(path, start, 0);
      throw new Error(`ingest log segment ${path} has no valid header`);
    }
    if (encrypted && !this.options.cipher)
      throw new Error(`ingest log segment ${path} is encrypted: start Pulse with its encryption key`);
    let offset = Math.max(SEGMENT_HEADER, this.options.from - start);
    while (offset < bytes.length) {
      const entry = this.readRecord(bytes, offset, start + offset, encrypted);
      if (!entry) {
        if (last) return this.truncate(path, start, offset);
        throw new Error(`ingest log segment ${path} is corrupt at byte ${offset} (not its tail)`);
      }
      into.push(entry);
      offset = entry.end - start;
    }
    return start + bytes.length;
  }

  private readRecord(bytes: Buffer, offset: number, position: number, encrypted: boolean): LogEntry | null {
    if (offset + RECORD_HEADER > bytes.length) return null;
    const length = bytes.readUInt32LE(offset);
    const sum = bytes.readUInt32LE(offset + 4);
    const bodyStart = offset + RECORD_HEADER;
    if (length === 0 || bodyStart + length > bytes.length) return null;
    const body = bytes.subarray(bodyStart, bodyStart + length);
    const payload = openRecordBody(body, sum, position, encrypted ? this.options.cipher : null);
    if (!payload) return null;
    return { start: position, end: position + RECORD_HEADER + length, payload };
  }

  /** Cuts a torn tail (a record the crash left partial) and makes the cut durable. */
  private truncate(path: string, start: number, offset: number): number {
    if (offset < SEGMENT_HEADER) {
      // Not even its header survived: the segment held nothing acknowledged.
      unlinkSync(path);
      fsyncDir(this.options.dir);
      return start;
    }
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return start + offset;
  }

  /** Once per segment (64 MB): synchronous, so the new file and its directory entry are durable first. */
  private startSegment(start: number): void {
    const fd = openSync(join(this.options.dir, segmentName(start)), 'wx');
    const header = Buffer.alloc(SEGMENT_HEADER);
    MAGIC.copy(header);
    header[4] = this.options.cipher ? ENCRYPTED : 0;
    writeSync(fd, header, 0, SEGMENT_HEADER, 0);
    fdatasyncSync(fd);
    fsyncDir(this.options.dir);
    this.fd = fd;
    this.segment = start;
    this.end = start + SEGMENT_HEADER;
  }

  private rotate(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.closedSegments.push(this.segment);
    this.startSegment(this.end);
  }
}
