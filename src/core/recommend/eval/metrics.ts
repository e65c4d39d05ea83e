/**
 * Ranking metrics used by the evaluation protocols. Pure functions.
 *
 * Ranks are 0-based: rank 0 is the first position.
 *
 * @module
 */

/**
 * Hit rate at k for a single target at `rank`: 1 when the target is in the
 * top k, else 0.
 *
 * @example
 * hitRateAt(3, 10); // 1
 */
export function hitRateAt(rank: number, k: number): number {
  return rank < k ? 1 : 0;
}

/**
 * NDCG at k for a single target at `rank` (the ideal DCG of one relevant item is 1).
 *
 * @example
 * ndcgSingleAt(0, 10); // 1
 * ndcgSingleAt(1, 10); // 1 / log2(3) ≈ 0.6309
 */
export function ndcgSingleAt(rank: number, k: number): number {
  return rank < k ? 1 / Math.log2(rank + 2) : 0;
}

/**
 * Rank of `target` in a full ranking of `scores`, leaving out `excluded`
 * items. Ties are counted against the target (pessimistic), so a model that
 * gives every item the same score gets no credit. Returns `Infinity` when the
 * target itself is excluded (it cannot be recommended).
 *
 * @example
 * rankOfTarget(Float64Array.of(0.5, 0.9, 0.1), 0, new Set()); // 1
 * rankOfTarget(Float64Array.of(0.5, 0.9, 0.1), 0, new Set([1])); // 0
 */
export function rankOfTarget(scores: Float64Array, target: number, excluded: ReadonlySet<number>): number {
  if (excluded.has(target)) return Number.POSITIVE_INFINITY;
  const s = scores[target] as number;
  let rank = 0;
  for (let j = 0; j < scores.length; j++) {
    if (j !== target && (scores[j] as number) >= s) rank++;
  }
  for (const e of excluded) if (e !== target && e < scores.length && (scores[e] as number) >= s) rank--;
  return rank;
}

/**
 * Recall at k of a ranked list against a set of relevant items:
 * relevant items in the first k, divided by the number of relevant items.
 *
 * @example
 * recallAt([1, 2, 3], new Set([2, 9]), 2); // 0.5
 */
export function recallAt(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (relevant.has(ranked[r] as number)) hits++;
  return hits / relevant.size;
}

/**
 * NDCG at k of a ranked list against a set of relevant items (binary gains).
 * `ideal: "all"` (the default, as in the Ta-Feng reference figures) takes the
 * ideal DCG over all relevant items even when there are more than k;
 * `ideal: "truncated"` caps it at k relevant items (the usual textbook form).
 *
 * @example
 * ndcgAt([5, 1], new Set([1]), 2); // 1 / log2(3) ≈ 0.6309
 * ndcgAt([1], new Set([1, 2]), 1, "all"); // 1 / (1 + 1/log2(3)) ≈ 0.6131
 * ndcgAt([1], new Set([1, 2]), 1, "truncated"); // 1
 */
export function ndcgAt(
  ranked: readonly number[],
  relevant: ReadonlySet<number>,
  k: number,
  ideal: 'all' | 'truncated' = 'all',
): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++)
    if (relevant.has(ranked[r] as number)) dcg += 1 / Math.log2(r + 2);
  const n = ideal === 'all' ? relevant.size : Math.min(k, relevant.size);
  let idcg = 0;
  for (let r = 0; r < n; r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}

/**
 * Arithmetic mean; 0 for an empty list.
 *
 * @example
 * mean([1, 0, 0, 1]); // 0.5
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
