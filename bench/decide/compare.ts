/**
 * Arithmetic of bench/decide/ab.ts: which version runs first in each round,
 * and what the rounds say.
 */

/**
 * The order of the two versions in round `r`: A then B in even rounds, B then
 * A in odd ones, so that neither always runs right after the other's batch.
 *
 * @example
 * roundOrder(0); // ['a', 'b']
 * roundOrder(1); // ['b', 'a']
 */
export function roundOrder(r: number): readonly ['a', 'b'] | readonly ['b', 'a'] {
  return r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
}

export interface Comparison {
  /** CPU time per decision of each version (ms), over all rounds. */
  readonly a: number;
  readonly b: number;
  /** b / a over all rounds: below 1, B costs less. */
  readonly ratio: number;
  /** The lowest and highest of the rounds' own ratios. */
  readonly low: number;
  readonly high: number;
}

/**
 * Sums rounds of CPU milliseconds (the same decisions for both versions in a
 * round) into CPU per decision and B's share of A's.
 *
 * @example
 * summarize([10, 12], [9, 11], 100); // { a: 0.11, b: 0.1, ratio: 0.909…, low: 0.9, high: 0.916… }
 */
export function summarize(aMs: readonly number[], bMs: readonly number[], decisionsPerRound: number): Comparison {
  if (aMs.length === 0 || aMs.length !== bMs.length) {
    throw new RangeError(`Each round needs a time for both versions; got ${aMs.length} and ${bMs.length}.`);
  }
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  const ratios = aMs.map((a, i) => (bMs[i] as number) / a);
  const n = aMs.length * decisionsPerRound;
  return {
    a: sum(aMs) / n,
    b: sum(bMs) / n,
    ratio: sum(bMs) / sum(aMs),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
  };
}
