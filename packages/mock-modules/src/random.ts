/**
 * A small seedable random source, so the mock data is reproducible: the same seed gives the same
 * updates, run after run. Not for anything secret.
 *
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state, one add and three multiply-xorshift
 * steps per draw, period 2^32. Plenty for mock payloads, and small enough to read in one go.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  /** A float in [min, max) rounded to `decimals`. */
  float(min: number, max: number, decimals?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  /** Up to `n` distinct items, in the order drawn. */
  sample<T>(items: readonly T[], n: number): T[];
  /** A lowercase base-36 string of `length` characters, for ids. */
  id(length: number): string;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units: turns a seed plus a module name into an independent 32-bit seed,
 * so each module has its own stream and adding a module does not change another's data. */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[int(0, items.length - 1)] as T;
  };
  return {
    next,
    int,
    float(min, max, decimals = 2) {
      const f = 10 ** decimals;
      return Math.round((min + next() * (max - min)) * f) / f;
    },
    chance: (p) => next() < p,
    pick,
    weighted(items) {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of items) {
        r -= w;
        if (r < 0) return value;
      }
      const last = items[items.length - 1];
      if (!last) throw new Error("weighted pick from an empty list");
      return last[0];
    },
    sample(items, n) {
      const pool = [...items];
      const out: (typeof pool)[number][] = [];
      while (out.length < n && pool.length > 0) out.push(pool.splice(int(0, pool.length - 1), 1)[0] as (typeof pool)[number]);
      return out;
    },
    id(length) {
      let s = "";
      for (let i = 0; i < length; i++) s += "0123456789abcdefghijklmnopqrstuvwxyz"[int(0, 35)];
      return s;
    },
  };
}
