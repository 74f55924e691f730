/**
 * A small deterministic PRNG (mulberry32) for randomized tests: print the seed with every
 * failure and a run can be replayed with CUSTOS_TEST_SEED=<seed>.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max). */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** The seed of this run: CUSTOS_TEST_SEED when set, else a fresh one. */
export function testSeed(): number {
  const given = process.env.CUSTOS_TEST_SEED;
  return given !== undefined && given !== '' ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min));
  return { seed, next, int, pick: (items) => items[int(0, items.length)] as (typeof items)[number] };
}
