import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth: one text per value, whichever store read it back. Built by
 * concatenation: it runs for every row on both sides of a copy.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + canonicalJson(value[i]);
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}

const MASK = (1n << 64n) - 1n;

/**
 * A table's rows as a count and an order-independent digest: the sum, modulo 2^64, of the first 64 bits
 * of each row's SHA-256 over its canonical JSON. Both sides of a copy compute it the same way in Pulse,
 * so it compares stores whose engines hash differently, and rows may arrive in any order.
 */
export class TableDigest {
  rows = 0;
  private sum = 0n;

  add(row: unknown): void {
    const hash = createHash('sha256').update(canonicalJson(row)).digest();
    this.sum = (this.sum + hash.readBigUInt64BE(0)) & MASK;
    this.rows++;
  }

  get digest(): string {
    return this.sum.toString(16).padStart(16, '0');
  }
}

/** One table compared across source and target. */
export interface TableCheck {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceDigest: string;
  targetDigest: string;
  /** Why the sides differ beyond rows and digest (e.g. one uuid stored with two contents), if they do. */
  note?: string;
}

export const matches = (check: TableCheck): boolean =>
  check.note === undefined &&
  check.sourceRows === check.targetRows &&
  check.sourceDigest === check.targetDigest;

/** Compares two digests of one table. */
export function checkOf(table: string, source: TableDigest, target: TableDigest, note?: string): TableCheck {
  return {
    table,
    sourceRows: source.rows,
    targetRows: target.rows,
    sourceDigest: source.digest,
    targetDigest: target.digest,
    ...(note === undefined ? {} : { note }),
  };
}
