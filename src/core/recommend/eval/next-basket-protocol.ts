import { mean, ndcgAt, recallAt } from './metrics.ts';
import type { Keyset } from './parsers.ts';

/**
 * Predicts a ranked list of item indices for a user's next basket.
 *
 * @example
 * const p: BasketPredictor = { predict: (history, _user, k) => [...new Set(history.flat())].slice(0, k) };
 */
export interface BasketPredictor {
  predict(history: readonly (readonly number[])[], user: string, k: number): number[];
}

/**
 * What a next-basket model may learn from.
 *
 * @example
 * const trainer: BasketTrainer = (data: BasketTrainingData) => predictorFrom(data.histories);
 */
export interface BasketTrainingData {
  /** Every user's history baskets (the inputs; never the held-out targets of evaluated users). */
  readonly histories: ReadonlyMap<string, readonly (readonly number[])[]>;
  /** Target baskets of the training users only. */
  readonly futures: ReadonlyMap<string, readonly number[]>;
  readonly itemCount: number;
}

/**
 * Builds a predictor from training data.
 *
 * @example
 * const trainer: BasketTrainer = () => ({ predict: () => [] });
 */
export type BasketTrainer = (data: BasketTrainingData) => BasketPredictor;

/**
 * Averages over the evaluated users, keyed by cutoff, plus timings.
 *
 * @example
 * const r: NextBasketResult = evaluateNextBasket(h, f, n, keyset, 'test', trainer); r.ndcg[10];
 */
export interface NextBasketResult {
  readonly users: number;
  readonly recall: Record<number, number>;
  readonly ndcg: Record<number, number>;
  /** NDCG with the ideal DCG truncated at k relevant items (the textbook form), for reference. */
  readonly ndcgTruncated: Record<number, number>;
  readonly trainMs: number;
  readonly scoreMs: number;
}

/**
 * Next-basket evaluation on one fixed user split: the model may learn from
 * every user's history and from the target baskets of the `train` users;
 * the `validation` or `test` users' target baskets are predicted from their
 * history and scored with Recall@k and NDCG@k (ideal over all target items).
 *
 * @example
 * const r = evaluateNextBasket(histories, futures, itemCount, keyset, "test", trainer);
 * r.recall[10];
 */
export function evaluateNextBasket(
  histories: ReadonlyMap<string, readonly (readonly number[])[]>,
  futures: ReadonlyMap<string, readonly number[]>,
  itemCount: number,
  keyset: Keyset,
  split: 'validation' | 'test',
  trainer: BasketTrainer,
  ks: readonly number[] = [10, 20],
): NextBasketResult {
  const trainFutures = new Map<string, readonly number[]>();
  for (const u of keyset.train) {
    const f = futures.get(u);
    if (f) trainFutures.set(u, f);
  }
  const t0 = performance.now();
  const predictor = trainer({ histories, futures: trainFutures, itemCount });
  const t1 = performance.now();
  const maxK = Math.max(...ks);
  const recall: Record<number, number[]> = {};
  const ndcg: Record<number, number[]> = {};
  const ndcgT: Record<number, number[]> = {};
  for (const k of ks) {
    recall[k] = [];
    ndcg[k] = [];
    ndcgT[k] = [];
  }
  let users = 0;
  for (const u of split === 'test' ? keyset.test : keyset.validation) {
    const target = futures.get(u);
    const history = histories.get(u);
    if (!target || target.length === 0 || !history) continue;
    users++;
    const ranked = predictor.predict(history, u, maxK);
    const relevant = new Set(target);
    for (const k of ks) {
      (recall[k] as number[]).push(recallAt(ranked, relevant, k));
      (ndcg[k] as number[]).push(ndcgAt(ranked, relevant, k, 'all'));
      (ndcgT[k] as number[]).push(ndcgAt(ranked, relevant, k, 'truncated'));
    }
  }
  const t2 = performance.now();
  const avg = (m: Record<number, number[]>): Record<number, number> =>
    Object.fromEntries(ks.map((k) => [k, mean(m[k] as number[])]));
  return { users, recall: avg(recall), ndcg: avg(ndcg), ndcgTruncated: avg(ndcgT), trainMs: t1 - t0, scoreMs: t2 - t1 };
}
