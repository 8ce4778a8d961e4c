import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Each segment file of a log starts with its magic and flags; records follow. */
export const SEGMENT_HEADER = 8;

/** A segment is named for the log position it starts at, zero-padded so names sort by position. */
export const segmentName = (start: number): string => `${String(start).padStart(16, '0')}.log`;
export const isSegmentName = (name: string): boolean => /^\d{16}\.log$/.test(name);
export const segmentStart = (name: string): number => Number(name.slice(0, 16));

/** The segment files of the log in `dir`: the position each starts at and where it ends (its size). */
export function logSegments(dir: string | undefined): { path: string; start: number; end: number }[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(isSegmentName)
    .map((name) => {
      const path = join(dir, name);
      const start = segmentStart(name);
      return { path, start, end: start + statSync(path).size };
    });
}

/** Bytes of log records past `loaded` (a position the store recorded). */
export function unloadedLogBytes(dir: string | undefined, loaded: number): number {
  return logSegments(dir).reduce(
    (n, s) => n + Math.max(0, s.end - Math.max(loaded, s.start + SEGMENT_HEADER)),
    0,
  );
}
