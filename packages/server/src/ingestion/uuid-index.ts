/**
 * A compact set of 64-bit uuid fingerprints (8 bytes a uuid: ~115 MB for 10M events) so dedup costs one
 * probe per event instead of a store lookup. A hit is only a candidate: the pipeline confirms it exactly.
 */
export class UuidIndex {
  private slots: Uint32Array;
  private mask: number;
  private used = 0;

  constructor(initialCapacity = 1 << 16) {
    const capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The slots as they are (a copy): `fromSlots` restores the same index. */
  slotsCopy(): Uint32Array {
    return this.slots.slice();
  }

  /** An index over slots `slotsCopy` returned; null when they cannot be one (a length not a power of two). */
  static fromSlots(slots: Uint32Array): UuidIndex | null {
    const capacity = slots.length / 2;
    if (capacity < 16 || (capacity & (capacity - 1)) !== 0) return null;
    const index = new UuidIndex(16);
    index.slots = slots;
    index.mask = capacity - 1;
    for (let i = 0; i < slots.length; i += 2) if (slots[i] !== 0 || slots[i + 1] !== 0) index.used++;
    return index;
  }

  has(uuid: string): boolean {
    const [hi, lo] = fingerprint(uuid);
    for (let i = hi & this.mask; ; i = (i + 1) & this.mask) {
      const h = this.slots[i * 2];
      const l = this.slots[i * 2 + 1];
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
    }
  }

  add(uuid: string): void {
    if ((this.used + 1) * 10 > (this.mask + 1) * 7) this.grow();
    this.insert(...fingerprint(uuid));
  }

  private insert(hi: number, lo: number): void {
    for (let i = hi & this.mask; ; i = (i + 1) & this.mask) {
      const h = this.slots[i * 2];
      const l = this.slots[i * 2 + 1];
      if (h === hi && l === lo) return;
      if (h === 0 && l === 0) {
        this.slots[i * 2] = hi;
        this.slots[i * 2 + 1] = lo;
        this.used++;
        return;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i] ?? 0;
      const lo = old[i + 1] ?? 0;
      if (hi !== 0 || lo !== 0) this.insert(hi, lo);
    }
  }
}

const mix = (x: number): number => {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

/**
 * Two 32-bit hashes, each over all 128 bits of a canonical (lowercase, hyphenated) uuid. Both halves mix
 * every word: the slot comes from `hi`, and clients' uuids may differ only in their last digits
 * (sequential ids), which must still spread over the table instead of piling into one probe chain.
 */
export function fingerprint(uuid: string): [number, number] {
  const a = parseInt(uuid.slice(0, 8), 16);
  const b = parseInt(uuid.slice(9, 13) + uuid.slice(14, 18), 16);
  const c = parseInt(uuid.slice(19, 23) + uuid.slice(24, 28), 16);
  const d = parseInt(uuid.slice(28, 36), 16);
  const hi = mix(a ^ mix(b ^ mix(c ^ mix(d ^ 0x9e3779b9))));
  const lo = mix(d ^ mix(c ^ mix(b ^ mix(a ^ 0x7f4a7c15)))) || 1; // (0, 0) marks an empty slot
  return [hi, lo];
}
