import { Recommender, type RecommenderOptions } from '../recommender.ts';
import type { SequenceScorer, SequenceTrainer } from './leave-one-out.ts';

/**
 * A recommender trained on index sequences, with a popularity tie-breaker.
 *
 * @example
 * const { recommender } = trainOnSequences(train, n, {}, false); recommender.recommendForHistory(['0'], 10);
 */
export interface TrainedSequenceModel {
  readonly recommender: Recommender;
  /** A tiny popularity prior (≤ 1e-9) so items nothing points to are not one block of ties. */
  readonly prior: Float64Array;
}

/**
 * Trains the production {@link Recommender} (transition model and, when
 * `withSimilar`, co-interaction similarity) on item-index sequences, with
 * catalog attributes from `attributesOf` when given. Item ids are the indices
 * as strings, so the model's indices match the evaluation's.
 *
 * @example
 * const trained = trainOnSequences([[0, 1, 2]], 3, {}, false);
 */
export function trainOnSequences(
  train: readonly (readonly number[])[],
  itemCount: number,
  options: RecommenderOptions,
  withSimilar: boolean,
  attributesOf?: (item: number) => readonly string[] | undefined,
): TrainedSequenceModel {
  const recommender = new Recommender(options);
  for (let i = 0; i < itemCount; i++) recommender.items.intern(String(i));
  if (attributesOf) {
    for (let i = 0; i < itemCount; i++) {
      const tokens = attributesOf(i);
      if (tokens && tokens.length > 0) recommender.setItemAttributes({ itemId: String(i), tokens });
    }
  }
  for (let u = 0; u < train.length; u++) {
    const subject = String(u);
    for (const item of train[u] as readonly number[]) {
      recommender.personal.addIndexed(subject, item, 1);
      if (withSimilar) recommender.similar.addIndexed(subject, item);
    }
  }
  let max = 1;
  for (let i = 0; i < itemCount; i++) max = Math.max(max, recommender.personal.totalOf(i));
  const prior = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) prior[i] = (1e-9 * recommender.personal.totalOf(i)) / max;
  return { recommender, prior };
}

/**
 * The full-ranking scorer of a trained model: the same blended scores as
 * `recommendForHistory`, plus the popularity tie-breaker for every item.
 *
 * @example
 * const scorer = sequenceScorer(trainOnSequences(train, n, {}, false));
 */
export function sequenceScorer(trained: TrainedSequenceModel): SequenceScorer {
  const { recommender, prior } = trained;
  const touched: number[] = [];
  return {
    score(history, scores) {
      touched.length = 0;
      recommender.scoreHistoryInto(history, undefined, scores, touched);
      for (let i = 0; i < prior.length; i++) scores[i] = (scores[i] as number) + (prior[i] as number);
    },
  };
}

/**
 * A {@link SequenceTrainer} for the production {@link Recommender}.
 *
 * @example
 * const result = evaluateLeaveOneOut(seqs, itemCount, 'validation', recommenderTrainer({ blend: { similarWeight: 0.1 } }));
 */
export function recommenderTrainer(options: RecommenderOptions = {}): SequenceTrainer {
  return (train, itemCount) =>
    sequenceScorer(trainOnSequences(train, itemCount, options, (options.blend?.similarWeight ?? 0) > 0));
}
