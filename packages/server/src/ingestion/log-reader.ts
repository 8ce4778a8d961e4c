import { closeSync, openSync, readSync } from 'node:fs';
import type { RecordCipher } from '../encryption/record-cipher.js';
import { openRecordBody, RECORD_HEADER, segmentFlags, type LogEntry } from './ingest-log.js';
import { logSegments, SEGMENT_HEADER } from './log-segments.js';

/** Records read, and where reading resumed when the position asked for had been deleted (else null). */
export interface LogRead {
  resumedAt: number | null;
  entries: LogEntry[];
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/**
 * A second reader of the ingest log, beside the loader: reads acknowledged records from the segment files
 * by position, without holding them in memory. It only reads below a position the log has acknowledged
 * (fsynced), so it never meets a torn record; a record that does not check out there is corruption.
 */
export class LogReader {
  constructor(
    private readonly dir: string,
    private readonly cipher: RecordCipher | null,
  ) {}

  /**
   * Records from `from` (a record boundary) up to `to`, at least one and then while under `maxBytes`.
   * If `from` lies before the oldest segment (deleted while no reader held it), reading resumes at it.
   */
  read(from: number, to: number, maxBytes: number): LogRead {
    const segments = logSegments(this.dir).sort((a, b) => a.start - b.start);
    const entries: LogEntry[] = [];
    let position = from;
    let bytes = 0;
    let resumedAt: number | null = null;
    for (const segment of segments) {
      if (segment.end <= position) continue;
      if (position >= to || (entries.length && bytes >= maxBytes)) break;
      if (segment.start > position) {
        if (entries.length) break; // a gap after records read: the next read reports it
        resumedAt = position = segment.start;
      }
      const fd = openSync(segment.path, 'r');
      try {
        const { valid, encrypted } = segmentFlags(readExactly(fd, SEGMENT_HEADER, 0));
        if (!valid) throw new Error(`ingest log segment ${segment.path} has no valid header`);
        if (encrypted && !this.cipher)
          throw new Error(`ingest log segment ${segment.path} is encrypted: start Pulse with its key`);
        position = Math.max(position, segment.start + SEGMENT_HEADER);
        while (position < Math.min(segment.end, to) && (!entries.length || bytes < maxBytes)) {
          const entry = this.readRecord(fd, segment.start, position, encrypted);
          entries.push(entry);
          bytes += entry.end - entry.start;
          position = entry.end;
        }
      } finally {
        closeSync(fd);
      }
    }
    return { resumedAt, entries };
  }

  private readRecord(fd: number, segmentStart: number, position: number, encrypted: boolean): LogEntry {
    const offset = position - segmentStart;
    const header = readExactly(fd, RECORD_HEADER, offset);
    const length = header.length === RECORD_HEADER ? header.readUInt32LE(0) : 0;
    const body = readExactly(fd, length, offset + RECORD_HEADER);
    const payload =
      length > 0 && body.length === length
        ? openRecordBody(body, header.readUInt32LE(4), position, encrypted ? this.cipher : null)
        : null;
    if (!payload) throw new Error(`ingest log record at position ${position} is corrupt`);
    return { start: position, end: position + RECORD_HEADER + length, payload };
  }
}
