/**
 * A small, fast, seedable PRNG (sfc32, from PractRand) so a seed always yields the same data set.
 * Math.random cannot be seeded; crypto is slow and not reproducible.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any number (fractions and negatives are folded in); `stream` selects an independent sequence. */
  constructor(seed: number, stream = 0) {
    let s = mix32(foldNumber(seed) ^ Math.imul(stream ^ 0x5bd1e995, 0x9e3779b1));
    this.a = s = splitmix32(s);
    this.b = s = splitmix32(s);
    this.c = s = splitmix32(s);
    this.d = splitmix32(s) | 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)] as T;
  }

  /** Roughly normal with mean 0 and standard deviation 1 (Irwin–Hall of three uniforms: cheap, bounded ±3). */
  bell(): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2;
  }

  /** floor(x) or ceil(x) with the expectation x: counts whose average is exactly the rate. */
  roundRandom(x: number): number {
    const floor = Math.floor(x);
    return floor + (this.next() < x - floor ? 1 : 0);
  }
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function mix32(x: number): number {
  return splitmix32(splitmix32(x));
}

/** Any finite number to 32 bits, so 1, 1.5 and 2**40 are distinct seeds. */
function foldNumber(n: number): number {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 31) return n | 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  return mix32(view.getUint32(0)) ^ view.getUint32(4);
}

/** FNV-1a of a string: a stable stream id per tenant name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
