import { CaptureError, parseFailed, payloadTooBig, tooManyEvents } from './capture-error.js';

/**
 * A streaming outline of a JSON payload, fed chunk by chunk while it is still being decompressed: it
 * finds the top-level values (each member of a root object, each element of a root array or of the root
 * object's `batch`) without parsing them, so each can be parsed on its own as soon as it is complete,
 * and it refuses a payload over the request limits as soon as that is certain, before the rest is read.
 * Only the top level is checked for JSON syntax here; `JSON.parse` checks each value's inside.
 */

/** Limits on one request's work, each enforced as soon as it is passed. */
export interface OutlineLimits {
  /** Containers nested deeper than this anywhere in the payload. */
  maxDepth: number;
  /** Elements of the event list (root array, or the envelope's `batch`). */
  maxEvents: number;
  /** Objects, arrays and list separators: what JSON.parse would allocate, roughly. */
  maxValues: number;
  /** Bytes of JSON of one top-level value: no event (or property bag) this big can be accepted. */
  maxValueBytes: number;
}

/** A complete top-level value: its bytes in the payload, and where it starts for error messages. */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface OutlineListener {
  /** Decodes a root-object key (its JSON string bytes). */
  key(span: Span): string;
  /** A root-object member's value is complete. */
  member(key: string, value: Span): void;
  /** The root object's `batch` array starts: its elements follow as events. */
  eventList(): void;
  /** An element of the event list is complete. */
  event(value: Span, index: number): void;
}

type Expect = 'valueOrEnd' | 'value' | 'keyOrEnd' | 'key' | 'colon' | 'commaOrEnd';
interface Frame {
  array: boolean;
  depth: number;
  expect: Expect;
  /** Whether this frame's elements are the event list. */
  events: boolean;
}
type OpenValue = { kind: 'container' | 'string' | 'scalar' | 'key'; span: Span };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const indexOr = (chunk: Uint8Array, byte: number, from: number) => {
  const at = chunk.indexOf(byte, from);
  return at < 0 ? chunk.length : at;
};
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isOpen = (b: number) => b === 0x7b || b === 0x5b;
const isClose = (b: number) => b === 0x7d || b === 0x5d;

export class JsonOutline {
  /** The payload does not start with `{` or `[`: nothing to outline (a scalar, or base64 text). */
  notContainer = false;
  /** Whether the payload is an array or an object, once its first byte is read. */
  root: 'array' | 'object' | undefined;
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private values = 0;
  private events = 0;
  /** Position in the current event list (a duplicate `batch` key starts a new one). */
  private index = 0;
  private rootDone = false;
  private paused = false;
  private readonly frames: Frame[] = [];
  private open: OpenValue | null = null;
  private key = '';

  constructor(
    private readonly limits: OutlineLimits,
    private readonly listener: OutlineListener,
  ) {}

  /** Where the earliest value still being read starts: bytes before it are no longer needed. */
  get neededFrom(): number {
    return this.open?.span.start ?? this.offset;
  }

  /**
   * Reads `chunk` from `from` on; returns where it stopped: the chunk's end, or right after a value
   * whose listener asked for a pause (`pause()`), for the caller to act on it before reading on.
   */
  push(chunk: Uint8Array, from = 0): number {
    if (this.notContainer) return chunk.length;
    const base = this.offset - from;
    // Next quote and backslash at or after i, found natively: string contents are skipped, not walked.
    let quote = -1;
    let backslash = -1;
    for (let i = from; i < chunk.length; i++) {
      this.offset = base + i;
      if (this.paused) {
        this.paused = false;
        return i;
      }
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          continue;
        }
        if (quote < i) quote = indexOr(chunk, QUOTE, i);
        if (backslash < i) backslash = indexOr(chunk, BACKSLASH, i);
        i = Math.min(quote, backslash);
        if (i === chunk.length) break;
        this.offset = base + i;
        if (i === backslash) this.escaped = true;
        else {
          this.inString = false;
          const open = this.open;
          if (open && (open.kind === 'string' || open.kind === 'key')) this.finish(this.offset + 1);
        }
        continue;
      }
      const b = chunk[i] as number;
      if (b === NEWLINE) {
        this.line++;
        this.lineStart = this.offset + 1;
      }
      const open = this.open;
      if (open?.kind === 'container') {
        if (b === QUOTE) this.inString = true;
        else if (isOpen(b)) this.enter();
        else if (isClose(b)) {
          this.depth--;
          if (this.depth === this.top().depth) this.finish(this.offset + 1);
        } else if (b === 0x2c) this.count();
        continue;
      }
      if (open?.kind === 'scalar') {
        if (!(isSpace(b) || isClose(b) || b === 0x2c || b === 0x3a)) continue;
        this.finish(this.offset);
      }
      if (!isSpace(b)) {
        this.glue(b);
        if (this.notContainer) return chunk.length;
      }
    }
    this.offset = base + chunk.length;
    const open = this.open;
    if (open) this.checkSize(open, this.offset);
    return chunk.length;
  }

  /** Called by a listener: `push` returns right after the value just reported. */
  pause(): void {
    this.paused = true;
  }

  /** The payload has ended: anything left open is the JSON error serde would report. */
  end(): void {
    if (this.notContainer || this.rootDone) return;
    if (this.open?.kind === 'scalar') this.finish(this.offset);
    const at = this.position(Math.max(0, this.offset - 1));
    if (this.inString) throw parseFailed(`EOF while parsing a string at ${at}`);
    if (this.open || this.frames.length === 0) throw parseFailed(`EOF while parsing a value at ${at}`);
    const list = this.top().array;
    throw parseFailed(`EOF while parsing ${list ? 'a list' : 'an object'} at ${at}`);
  }

  /** "line L column C" of a byte offset at or after the current line's start. */
  private position(offset: number): string {
    return `line ${this.line} column ${offset - this.lineStart + 1}`;
  }

  private span(): Span {
    return {
      start: this.offset,
      end: this.offset,
      line: this.line,
      column: this.offset - this.lineStart + 1,
    };
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private fail(message: string): never {
    throw parseFailed(`${message} at ${this.position(this.offset)}`);
  }

  private count(): void {
    if (++this.values > this.limits.maxValues)
      throw payloadTooBig(
        `more than ${this.limits.maxValues.toLocaleString('en-US')} JSON values in one request`,
      );
  }

  private enter(): void {
    this.count();
    if (++this.depth > this.limits.maxDepth)
      throw parseFailed(`nested deeper than ${this.limits.maxDepth} levels at ${this.position(this.offset)}`);
  }

  /** One non-space byte between top-level values: the only syntax this outline checks itself. */
  private glue(b: number): void {
    if (this.frames.length === 0) {
      if (this.rootDone) this.fail('trailing characters');
      if (!isOpen(b)) {
        this.notContainer = true;
        return;
      }
      this.enter();
      const array = b === 0x5b;
      this.root = array ? 'array' : 'object';
      this.frames.push({ array, depth: 1, expect: array ? 'valueOrEnd' : 'keyOrEnd', events: array });
      return;
    }
    const frame = this.top();
    switch (frame.expect) {
      case 'colon':
        if (b !== 0x3a) this.fail('expected `:`');
        frame.expect = 'value';
        return;
      case 'commaOrEnd':
        if (b === 0x2c) {
          this.count();
          frame.expect = frame.array ? 'value' : 'key';
        } else if (b === (frame.array ? 0x5d : 0x7d)) this.close();
        else this.fail(frame.array ? 'expected `,` or `]`' : 'expected `,` or `}`');
        return;
      case 'key':
      case 'keyOrEnd':
        if (b === QUOTE) {
          this.inString = true;
          this.open = { kind: 'key', span: this.span() };
        } else if (b === 0x7d) {
          if (frame.expect === 'key') this.fail('trailing comma');
          this.close();
        } else this.fail('key must be a string');
        return;
      case 'value':
      case 'valueOrEnd':
        if (isClose(b)) {
          if (frame.expect === 'valueOrEnd' && b === 0x5d) this.close();
          else this.fail(frame.array && b === 0x5d ? 'trailing comma' : 'expected value');
          return;
        }
        if (frame.events && ++this.events > this.limits.maxEvents) throw tooManyEvents(this.limits.maxEvents);
        if (!frame.array && this.frames.length === 1 && this.key === 'batch' && b === 0x5b) {
          this.enter();
          this.frames.push({ array: true, depth: this.depth, expect: 'valueOrEnd', events: true });
          this.index = 0;
          this.listener.eventList();
          return;
        }
        if (isOpen(b)) {
          this.open = { kind: 'container', span: this.span() };
          this.enter();
        } else {
          this.open = { kind: b === QUOTE ? 'string' : 'scalar', span: this.span() };
          this.inString = b === QUOTE;
        }
        return;
    }
  }

  private close(): void {
    this.frames.pop();
    this.depth--;
    if (this.frames.length === 0) this.rootDone = true;
    else this.top().expect = 'commaOrEnd';
  }

  private checkSize(open: OpenValue, end: number): void {
    const bytes = end - open.span.start;
    if (bytes <= this.limits.maxValueBytes) return;
    const frame = this.top();
    const what = frame.events ? `event ${this.index}` : open.kind === 'key' ? 'a key' : `\`${this.key}\``;
    throw new CaptureError(
      'event_too_big',
      `maximum event size exceeded: ${what} is over ${this.limits.maxValueBytes.toLocaleString('en-US')} bytes of JSON`,
    );
  }

  private finish(end: number): void {
    const open = this.open as OpenValue;
    this.open = null;
    this.checkSize(open, end);
    open.span.end = end;
    const frame = this.top();
    if (open.kind === 'key') {
      this.key = this.listener.key(open.span);
      frame.expect = 'colon';
      return;
    }
    frame.expect = 'commaOrEnd';
    if (frame.events) this.listener.event(open.span, this.index++);
    else this.listener.member(this.key, open.span);
  }
}
