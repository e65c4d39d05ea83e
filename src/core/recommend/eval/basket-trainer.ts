import { NextBasketModel, type NextBasketOptions } from '../next-basket.ts';
import { topK } from '../top-k.ts';
import type { BasketPredictor, BasketTrainer } from './next-basket-protocol.ts';

/**
 * Options of {@link nextBasketTrainer}.
 *
 * @example
 * nextBasketTrainer({ alpha: 0.5, neighbors: 300, useTrainFutures: true });
 */
export interface NextBasketTrainerOptions extends Partial<NextBasketOptions> {
  /** Append each training user's target basket to their history (their whole record is training data). */
  readonly useTrainFutures?: boolean;
}

/**
 * A {@link BasketTrainer} for the production {@link NextBasketModel}: every
 * user's history (and, by default, the training users' target baskets) feeds
 * the neighbour pool; predictions are completed with the globally most
 * frequent items when the blend has fewer than k items.
 *
 * @example
 * evaluateNextBasket(histories, futures, itemCount, keyset, 'validation', nextBasketTrainer({ alpha: 0.5 }));
 */
export function nextBasketTrainer(options: NextBasketTrainerOptions = {}): BasketTrainer {
  const { useTrainFutures = true, ...modelOptions } = options;
  return (data) => {
    const model = new NextBasketModel(modelOptions);
    for (let i = 0; i < data.itemCount; i++) model.items.intern(String(i));
    const frequency = new Float64Array(data.itemCount);
    for (const [user, baskets] of data.histories) {
      for (const basket of baskets) {
        model.addBasket(user, basket);
        for (const item of basket) frequency[item] = (frequency[item] as number) + 1;
      }
    }
    if (useTrainFutures) for (const [user, basket] of data.futures) model.addBasket(user, basket);
    const popular = topK(frequency, 100);
    const scores = new Float64Array(data.itemCount);
    const predictor: BasketPredictor = {
      predict(history, user, k) {
        const touched: number[] = [];
        model.scoreInto(history, user, scores, touched);
        const ranked = topK(scores, k, touched, (j) => !((scores[j] as number) > 0));
        for (const j of touched) scores[j] = 0;
        const have = new Set(ranked);
        for (const p of popular) {
          if (ranked.length >= k) break;
          if (!have.has(p)) ranked.push(p);
        }
        return ranked;
      },
    };
    return predictor;
  };
}
