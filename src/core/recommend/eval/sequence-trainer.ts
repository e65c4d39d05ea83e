import { Recommender, type RecommenderOptions } from '../recommender.ts';
import type { SequenceScorer, SequenceTrainer } from './leave-one-out.ts';

/**
 * A {@link SequenceTrainer} that trains the production {@link Recommender}
 * (transition model + co-interaction similarity) on item-index sequences and
 * scores with the same code path as `recommendForHistory`. Items nothing
 * points to are ordered by popularity (a tiny tie-breaking prior), so the
 * full ranking has no large blocks of ties.
 *
 * @example
 * const result = evaluateLeaveOneOut(seqs, itemCount, "validation", recommenderTrainer({ blend: { similarWeight: 0.1 } }));
 */
export function recommenderTrainer(options: RecommenderOptions = {}): SequenceTrainer {
  return (train, itemCount) => {
    const rec = new Recommender(options);
    // Intern item ids as their own indices so the model's indices match the evaluation's.
    for (let i = 0; i < itemCount; i++) rec.items.intern(String(i));
    const needSimilar = (rec.blend.similarWeight ?? 0) > 0;
    for (let u = 0; u < train.length; u++) {
      const subject = String(u);
      for (const item of train[u] as readonly number[]) {
        rec.personal.addIndexed(subject, item, 1);
        if (needSimilar) rec.similar.addIndexed(subject, item);
      }
    }
    let max = 1;
    const prior = new Float64Array(itemCount);
    for (let i = 0; i < itemCount; i++) max = Math.max(max, rec.personal.totalOf(i));
    for (let i = 0; i < itemCount; i++) prior[i] = (1e-9 * rec.personal.totalOf(i)) / max;
    const touched: number[] = [];
    const scorer: SequenceScorer = {
      score(history, scores) {
        touched.length = 0;
        rec.scoreHistoryInto(history, undefined, scores, touched);
        for (let i = 0; i < itemCount; i++) scores[i] = (scores[i] as number) + (prior[i] as number);
      },
    };
    return scorer;
  };
}
