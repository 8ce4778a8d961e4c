import type { QuarantinedEvent } from '../storage/event-store.js';
import type { TableRows } from './log-sink.js';

/** One group commit as logged: its rows per table (the sink's encoding) and its quarantine changes. */
export interface GroupRecord {
  ingestedAt: number;
  tables: TableRows[];
  /** The order rows were accepted in across sections: runs of [section index, rows]; absent for one section. */
  order?: [number, number][];
  quarantined: QuarantinedEvent[];
  released: string[];
}

interface Header {
  at: number;
  t: [table: string, rows: number, bytes: number][];
  o?: [number, number][];
  q: QuarantinedEvent[];
  r: string[];
}

/**
 * Memory the log writer's thread reads in place: postMessage shares a SharedArrayBuffer instead of
 * structured-cloning the whole record (and its buffer's slack) for every group commit.
 */
function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** Writes strings into one growing buffer, UTF-8, without joining them first (no rope flattening twice). */
class ByteWriter {
  buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buffer = sharedBuffer(Math.max(1024, capacity));
  }

  line(text: string): void {
    // A UTF-16 unit never takes more than 3 UTF-8 bytes: reserve that, then write in place.
    this.reserve(text.length * 3 + 1);
    this.length += this.buffer.write(text, this.length);
    this.buffer[this.length++] = 10;
  }

  bytes(data: Buffer): void {
    this.reserve(data.length);
    this.length += data.copy(this.buffer, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const next = sharedBuffer(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/**
 * Serialises a group into one buffer: the table sections back to back (newline-terminated rows, already
 * the store's load format, so the loader only hands byte ranges to the store), then a small JSON header
 * (time, sections, quarantine changes), then its u32 length. Returns the payload and the record, whose
 * sections are views of the payload.
 */
export function encodeGroup(
  ingestedAt: number,
  rows: ReadonlyMap<string, readonly string[]>,
  quarantined: QuarantinedEvent[],
  released: string[],
  order?: [number, number][],
): { payload: Buffer; record: GroupRecord } {
  let chars = 0;
  for (const list of rows.values()) for (const row of list) chars += row.length + 1;
  const out = new ByteWriter(Math.ceil(chars * 1.1) + 4096);
  const spans: [string, number, number, number][] = [];
  for (const [table, list] of rows) {
    const start = out.length;
    for (const row of list) out.line(row);
    spans.push([table, list.length, start, out.length]);
  }
  const header: Header = {
    at: ingestedAt,
    t: spans.map(([table, n, start, end]) => [table, n, end - start]),
    ...(order ? { o: order } : {}),
    q: quarantined,
    r: released,
  };
  const head = Buffer.from(JSON.stringify(header));
  out.bytes(head);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(head.length);
  out.bytes(size);
  const payload = out.buffer.subarray(0, out.length);
  return {
    payload,
    record: {
      ingestedAt,
      tables: spans.map(([table, n, start, end]) => ({
        table,
        rows: n,
        bytes: payload.subarray(start, end),
      })),
      ...(order ? { order } : {}),
      quarantined,
      released,
    },
  };
}

/** The inverse of encodeGroup; section buffers share memory with `payload`. */
export function decodeGroup(payload: Buffer): GroupRecord {
  if (payload.length < 4) throw new Error('log record is shorter than its header length');
  const headLength = payload.readUInt32LE(payload.length - 4);
  const headStart = payload.length - 4 - headLength;
  const header = JSON.parse(payload.toString('utf8', headStart, payload.length - 4)) as Header;
  let offset = 0;
  const tables = header.t.map(([table, rows, bytes]) => {
    const section = { table, rows, bytes: payload.subarray(offset, offset + bytes) };
    offset += bytes;
    return section;
  });
  if (offset !== headStart) throw new Error('log record sections do not match its header');
  return {
    ingestedAt: header.at,
    tables,
    ...(header.o ? { order: header.o } : {}),
    quarantined: header.q,
    released: header.r,
  };
}

/** The record's rows in the order they were accepted (its sections hold them per table). */
export function rowsInOrder(record: GroupRecord): string[] {
  const sections = record.tables.map(rowsOf);
  if (!record.order) return sections.flat();
  const taken = sections.map(() => 0);
  const rows: string[] = [];
  for (const [section, count] of record.order) {
    const source = sections[section] ?? [];
    const from = taken[section] ?? 0;
    for (let i = from; i < from + count && i < source.length; i++) rows.push(source[i] as string);
    taken[section] = from + count;
  }
  return rows;
}

/** Rows are newline-terminated lines: split a section back into them. */
export function rowsOf(section: TableRows): string[] {
  const text = section.bytes.toString('utf8');
  return text.length ? text.slice(0, -1).split('\n') : [];
}

/** Joins rows into a newline-terminated section. */
export function sectionOf(table: string, rows: readonly string[]): TableRows {
  return { table, rows: rows.length, bytes: Buffer.from(rows.length ? `${rows.join('\n')}\n` : '') };
}
