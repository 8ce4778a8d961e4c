import { canonicalJson } from '../access/audit-chain.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SnapshotReader, SnapshotWriter } from '../analytics/snapshot-codec.js';
import { writeFileDurably } from '../durable-file.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import type { Evaluator } from './evaluate/index.js';
import type { Rule } from './rule-model.js';

/**
 * The alert rules' evaluator state saved next to the store, so a start loads it and replays only the
 * events ingested since instead of rebuilding every rule from the store. Sealed with the store's record
 * cipher when the store is encrypted (it names tenants, entities and amounts).
 *
 * What a file holds, exactly: the state of every event ingested before `appliedAt` and of the ones ingested
 * at `appliedAt` listed in `appliedUuids`; `deletions` is the store's count of retention runs that deleted
 * events when the state was built (a file older than a deletion may hold deleted events: it is not used).
 * Each rule's state carries the hash of the rule's definition: a rule changed since is rebuilt.
 */
export interface SavedRuleState {
  appliedAt: number;
  appliedUuids: string[];
  deletions: number;
  /** Rule id → its definition's hash and a reader of its evaluator's state. */
  rules: Map<string, { hash: string; state: SnapshotReader }>;
}

/** Its name in the data directory. */
export const RULE_STATE_FILE = 'alert-rule-state.snapshot';

const VERSION = 1;
const MAGIC = Buffer.from('PULSERST', 'latin1');
const RULE_MAGIC = Buffer.from('PULSERS1', 'latin1');
const associated = Buffer.from('pulse alert rule state');

/**
 * A rule's definition as a hash: saved state is used only for the same definition. Keys sorted: a rule read
 * back from PostgreSQL's jsonb has its keys in another order than the one it was stored from.
 */
export const ruleHash = (rule: Rule): string =>
  createHash('sha256').update(canonicalJson(rule)).digest('base64url');

/**
 * The layout: u32 length of the header, the header (snapshot-codec.ts: numbers appliedAt, deletions; words
 * the applied uuids' count and each uuid, the rules' count, per rule its id, its hash and its state's byte
 * length), then each rule's state (a snapshot of its own, written by its evaluator's `saveState`).
 */
export function encodeRuleState(
  mark: Omit<SavedRuleState, 'rules'>,
  evaluators: readonly Evaluator[],
): Buffer {
  const parts: { id: string; hash: string; bytes: Buffer }[] = [];
  for (const evaluator of evaluators) {
    if (!evaluator.saveState) continue;
    const out = new SnapshotWriter();
    evaluator.saveState(out);
    parts.push({
      id: evaluator.rule.id,
      hash: ruleHash(evaluator.rule),
      bytes: out.finish(RULE_MAGIC, VERSION),
    });
  }
  const head = new SnapshotWriter();
  head.number(mark.appliedAt);
  head.number(mark.deletions);
  head.word(mark.appliedUuids.length);
  for (const uuid of mark.appliedUuids) head.uuid(uuid);
  head.word(parts.length);
  for (const part of parts) {
    head.string(part.id);
    head.string(part.hash);
    head.word(part.bytes.length);
  }
  const header = head.finish(MAGIC, VERSION);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, ...parts.map((p) => p.bytes)]);
}

/** The saved state in `bytes`, or null when it is of another version or does not check out. */
export function decodeRuleState(bytes: Buffer): SavedRuleState | null {
  if (bytes.length < 4) return null;
  const end = 4 + bytes.readUInt32LE(0);
  if (end > bytes.length) return null;
  const head = SnapshotReader.open(bytes.subarray(4, end), MAGIC, VERSION);
  if (!head) return null;
  const appliedAt = head.number();
  const deletions = head.number();
  const appliedUuids: string[] = [];
  for (let i = head.word(); i > 0; i--) appliedUuids.push(head.uuid());
  const rules = new Map<string, { hash: string; state: SnapshotReader }>();
  let at = end;
  for (let i = head.word(); i > 0; i--) {
    const id = head.string();
    const hash = head.string();
    // Each part checked (its checksum) now: one damaged part makes the whole file not check out.
    const state = SnapshotReader.open(bytes.subarray(at, (at += head.word())), RULE_MAGIC, VERSION);
    if (!state) return null;
    rules.set(id, { hash, state });
  }
  return head.done && at === bytes.length ? { appliedAt, appliedUuids, deletions, rules } : null;
}

/**
 * Reads the saved state at `path`: null when there is none; throws saying why when it does not open (another
 * key) or does not parse (another version, a torn or altered file).
 */
export async function loadRuleState(
  path: string,
  cipher: RecordCipher | null,
): Promise<SavedRuleState | null> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const saved = decodeRuleState(cipher ? cipher.open(file, associated) : file);
  if (!saved) throw new Error(`${path} is not alert rule state of version ${VERSION}, or is damaged`);
  return saved;
}

/** Writes the state atomically (temporary file, fsync, rename). */
export async function saveRuleState(path: string, cipher: RecordCipher | null, bytes: Buffer): Promise<void> {
  await writeFileDurably(path, [cipher ? cipher.seal(bytes, associated) : bytes]);
}
