import { createHash } from 'node:crypto';
import type { Role } from './rbac.js';

/**
 * The audit trail's hash chain, pure (no I/O): every record carries the hash of the one before it,
 * so an edited, removed or reordered record breaks the chain at a place `verifyChain` names.
 */

/** 'started': a change about to be applied; its outcome follows in a record with the same request id. */
export const auditResults = ['ok', 'denied', 'error', 'started'] as const;
export type AuditResult = (typeof auditResults)[number];

/** Who acted; `anonymous` for requests without a valid key (their attempts are audited too). */
export interface AuditActor {
  kind: 'user' | 'api_key' | 'project_token' | 'anonymous' | 'system';
  id: string;
  role: Role | null;
}

/** What the caller appends: the log assigns seq, prev_hash and hash. */
export interface AuditEntry {
  /** Epoch ms. */
  at: number;
  actor: AuditActor;
  /** e.g. 'summary.read', 'query.run', 'keys.create'. */
  action: string;
  /** Tenants the action touched or could see; 'all' for unscoped actors; [] when none apply. */
  scope: readonly string[] | 'all';
  /** Extra facts (a query's SQL, a created key's id); never secrets. JSON values only. */
  detail: Readonly<Record<string, unknown>>;
  result: AuditResult;
  /** The server's own id of the request (unique; the key errors and logs name). */
  requestId: string | null;
  /** The caller's X-Request-Id when it was a short, safe token; absent or null otherwise. */
  clientRequestId?: string | null;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/** A record flattened to columns, in this order: the audit_log table and the CSV export. */
export const auditColumns = [
  'seq',
  'at',
  'actor_kind',
  'actor_id',
  'actor_role',
  'action',
  'scope',
  'detail',
  'result',
  'request_id',
  'prev_hash',
  'hash',
  'client_request_id',
] as const;

/** A value stored as JSON text, or the text itself once tampered into non-JSON (so its hash check fails). */
function parseStoredJson(text: unknown): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    return String(text);
  }
}

/** A record from its stored columns (`auditColumns`; scope and detail as JSON text, `at` as epoch ms). */
export function recordFromColumns(r: Record<string, unknown>): AuditRecord {
  const scope = parseStoredJson(r.scope);
  const detail = parseStoredJson(r.detail);
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: {
      kind: r.actor_kind as AuditActor['kind'],
      id: String(r.actor_id),
      role: (r.actor_role ?? null) as Role | null,
    },
    action: String(r.action),
    scope: scope === 'all' ? 'all' : Array.isArray(scope) ? scope.map(String) : [String(scope)],
    detail:
      detail !== null && typeof detail === 'object' && !Array.isArray(detail)
        ? (detail as Record<string, unknown>)
        : { value: detail },
    result: String(r.result) as AuditResult,
    requestId: typeof r.request_id === 'string' ? r.request_id : null,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
    clientRequestId: typeof r.client_request_id === 'string' ? r.client_request_id : null,
  };
}

/** The prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: one byte sequence per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The hashed content of a record: every field but the hash itself, in a fixed order. The client's request
 * id came later: it is appended only when present, so records written before it still hash the same.
 */
export function canonicalRecord(record: Omit<AuditRecord, 'hash'>): string {
  const client = record.clientRequestId ?? null;
  return canonicalJson([
    record.seq,
    new Date(record.at).toISOString(),
    [record.actor.kind, record.actor.id, record.actor.role],
    record.action,
    record.scope === 'all' ? 'all' : [...record.scope],
    record.detail,
    record.result,
    record.requestId,
    record.prevHash,
    ...(client === null ? [] : [client]),
  ]);
}

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalRecord(record)).digest('hex');
}

/** Seals the next record of a chain whose last record is `head` (null for an empty chain). */
export function seal(entry: AuditEntry, head: { seq: number; hash: string } | null): AuditRecord {
  const unsealed = {
    ...entry,
    clientRequestId: entry.clientRequestId ?? null,
    detail: JSON.parse(canonicalJson(entry.detail)) as Record<string, unknown>,
    seq: (head?.seq ?? 0) + 1,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  return { ...unsealed, hash: hashRecord(unsealed) };
}

export type ChainProblemKind = 'edited' | 'removed' | 'reordered';

export interface ChainProblem {
  /** The seq of the first record at which the chain breaks. */
  seq: number;
  kind: ChainProblemKind;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Records checked. */
  records: number;
  /** The last record: keep it elsewhere to detect a truncated tail later (`expectHead`). */
  head: { seq: number; hash: string } | null;
  problem: ChainProblem | null;
}

/**
 * Walks the records in seq order and reports the first break:
 * - removed: a seq is missing (a gap, or the chain does not start at 1), or a record's prev_hash is not
 *   the previous record's hash while its own hash is intact (the record it followed is gone);
 * - reordered: a record's content is intact but was written at another position (its hash matches
 *   only under another seq), e.g. two records whose seqs were swapped;
 * - edited: the content no longer matches its hash.
 * With `expectHead` (a head seen earlier), also reports a chain that no longer reaches that record.
 */
export function verifyChain(
  records: Iterable<AuditRecord>,
  expectHead?: { seq: number; hash: string },
): VerifyReport {
  const seen: AuditRecord[] = [];
  const byHash = new Map<string, AuditRecord>();
  for (const r of records) {
    seen.push(r);
    byHash.set(r.hash, r);
  }
  const fail = (problem: ChainProblem, count: number): VerifyReport => ({
    ok: false,
    records: count,
    head: headOf(seen),
    problem,
  });
  const maxSeq = seen.reduce((m, r) => Math.max(m, r.seq), 0);
  let prev: AuditRecord | null = null;
  for (const [i, record] of seen.entries()) {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    const intact = hashRecord(record) === record.hash;
    if (!intact) {
      const written = writtenAt(record, byHash, maxSeq);
      if (written !== null) {
        const follows = record.prevHash === GENESIS_HASH || byHash.has(record.prevHash);
        return fail(
          follows
            ? {
                seq: record.seq,
                kind: 'reordered',
                message: `record seq ${record.seq} was written as seq ${written}: records were reordered or swapped`,
              }
            : {
                seq: record.seq,
                kind: 'removed',
                message: `record seq ${record.seq} was written as seq ${written} after a record that is gone: records were removed and the rest renumbered`,
              },
          i,
        );
      }
      return fail(
        {
          seq: record.seq,
          kind: 'edited',
          message: `record seq ${record.seq} was edited: its content no longer matches its hash`,
        },
        i,
      );
    }
    if (record.seq !== expectedSeq)
      return fail(
        {
          seq: expectedSeq,
          kind: 'removed',
          message:
            record.seq > expectedSeq
              ? `record${record.seq - expectedSeq > 1 ? `s seq ${expectedSeq}–${record.seq - 1} were` : ` seq ${expectedSeq} was`} removed (the chain jumps from ${prev ? `seq ${prev.seq}` : 'its start'} to seq ${record.seq})`
              : `record seq ${record.seq} appears out of sequence after seq ${prev?.seq ?? 0}`,
        },
        i,
      );
    const expectedPrev = prev?.hash ?? GENESIS_HASH;
    if (record.prevHash !== expectedPrev)
      return fail(
        {
          seq: record.seq,
          kind: byHash.has(record.prevHash) ? 'reordered' : 'removed',
          message: byHash.has(record.prevHash)
            ? `record seq ${record.seq} follows seq ${byHash.get(record.prevHash)?.seq} in the chain, not seq ${prev?.seq ?? 0}: records were reordered`
            : `record seq ${record.seq} does not follow seq ${prev?.seq ?? 0}: the record it was written after was removed and the seqs renumbered`,
        },
        i,
      );
    prev = record;
  }
  if (expectHead) {
    const at = seen.find((r) => r.seq === expectHead.seq);
    if (!at)
      return fail(
        {
          seq: expectHead.seq,
          kind: 'removed',
          message: `record seq ${expectHead.seq} (the expected head) is missing: the end of the trail was removed`,
        },
        seen.length,
      );
    if (at.hash !== expectHead.hash)
      return fail(
        {
          seq: expectHead.seq,
          kind: 'edited',
          message: `record seq ${expectHead.seq} is not the expected head: the trail was rewritten`,
        },
        seen.length,
      );
  }
  return { ok: true, records: seen.length, head: headOf(seen), problem: null };
}

const headOf = (records: readonly AuditRecord[]) => {
  const last = records.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : null;
};

/**
 * The seq a content-intact record was sealed at, if it sits elsewhere now (only run at the first
 * break, so a scan is affordable): the seq after the record its prev_hash names, then its neighbours,
 * then every position.
 */
function writtenAt(
  record: AuditRecord,
  byHash: ReadonlyMap<string, AuditRecord>,
  maxSeq: number,
): number | null {
  const tries = (seq: number) => seq !== record.seq && hashRecord({ ...record, seq }) === record.hash;
  const before = byHash.get(record.prevHash);
  if (record.prevHash === GENESIS_HASH && tries(1)) return 1;
  if (before && tries(before.seq + 1)) return before.seq + 1;
  for (let d = 1; d <= 16; d++) {
    if (tries(record.seq + d)) return record.seq + d;
    if (record.seq - d >= 1 && tries(record.seq - d)) return record.seq - d;
  }
  for (let seq = 1; seq <= maxSeq + 1; seq++) if (tries(seq)) return seq;
  return null;
}
