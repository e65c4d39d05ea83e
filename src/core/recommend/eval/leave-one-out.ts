import { hitRateAt, mean, ndcgSingleAt, rankOfTarget } from './metrics.ts';

/**
 * Something that scores every item for a history of item indices: it ADDS
 * scores into `scores` (zeroed by the caller, one slot per item).
 *
 * @example
 * const scorer: SequenceScorer = { score: (history, scores) => { for (const i of history) scores[i] = 1; } };
 */
export interface SequenceScorer {
  score(history: readonly number[], scores: Float64Array): void;
}

/**
 * Builds a scorer from training sequences (item indices, time order).
 *
 * @example
 * const trainer: SequenceTrainer = (train, n) => ({ score: (_h, scores) => scores.fill(0) });
 */
export type SequenceTrainer = (train: readonly (readonly number[])[], itemCount: number) => SequenceScorer;

/**
 * Which held-out item is the target.
 *
 * @example
 * evaluateLeaveOneOut(seqs, n, 'validation' satisfies LeaveOneOutTarget, trainer);
 */
export type LeaveOneOutTarget = 'validation' | 'test';

/**
 * One user's held-out case.
 *
 * @example
 * const c: LeaveOneOutCase = { user: 0, history: [1, 2], target: 3 };
 */
export interface LeaveOneOutCase {
  readonly user: number;
  readonly history: readonly number[];
  readonly target: number;
}

/**
 * Splits sequences for leave-one-out: for `"test"` the last item is the
 * target and everything before it is both training data and the history;
 * for `"validation"` the second-last item is the target and only what comes
 * before it is used (the test item is never seen). Users with too few items
 * to have a target and a non-empty history are left out of the cases but
 * their items before the target still train the model.
 *
 * @example
 * splitLeaveOneOut([[1, 2, 3, 4]], "validation"); // { train: [[1, 2]], cases: [{ user: 0, history: [1, 2], target: 3 }] }
 */
export function splitLeaveOneOut(
  sequences: readonly (readonly number[])[],
  target: LeaveOneOutTarget,
): { train: number[][]; cases: LeaveOneOutCase[] } {
  const cut = target === 'test' ? 1 : 2;
  const train: number[][] = [];
  const cases: LeaveOneOutCase[] = [];
  for (let u = 0; u < sequences.length; u++) {
    const s = sequences[u] as readonly number[];
    const history = s.slice(0, Math.max(0, s.length - cut));
    train.push(history);
    if (s.length - cut >= 1) cases.push({ user: u, history, target: s[s.length - cut] as number });
  }
  return { train, cases };
}

/**
 * Averages over all cases, keyed by cutoff, plus timings.
 *
 * @example
 * const r: LeaveOneOutResult = evaluateLeaveOneOut(seqs, n, 'test', trainer); r.hitRate[10];
 */
export interface LeaveOneOutResult {
  readonly target: LeaveOneOutTarget;
  readonly users: number;
  readonly hitRate: Record<number, number>;
  readonly ndcg: Record<number, number>;
  readonly trainMs: number;
  readonly scoreMs: number;
}

/**
 * Leave-one-out full ranking: trains on the split, ranks ALL items for every
 * case with the items the user already had excluded, and averages HR@k and
 * NDCG@k over all users (the protocol of the S3-Rec/ICLRec tables).
 *
 * @example
 * const result = evaluateLeaveOneOut(seqs, itemCount, "test", (train, n) => myScorer(train, n), [10, 20]);
 * result.ndcg[10];
 */
export function evaluateLeaveOneOut(
  sequences: readonly (readonly number[])[],
  itemCount: number,
  target: LeaveOneOutTarget,
  trainer: SequenceTrainer,
  ks: readonly number[] = [10, 20],
): LeaveOneOutResult {
  const { train, cases } = splitLeaveOneOut(sequences, target);
  const t0 = performance.now();
  const scorer = trainer(train, itemCount);
  const t1 = performance.now();
  const scores = new Float64Array(itemCount);
  const hits: Record<number, number[]> = {};
  const gains: Record<number, number[]> = {};
  for (const k of ks) {
    hits[k] = [];
    gains[k] = [];
  }
  for (const c of cases) {
    scores.fill(0);
    scorer.score(c.history, scores);
    const rank = rankOfTarget(scores, c.target, new Set(c.history));
    for (const k of ks) {
      (hits[k] as number[]).push(hitRateAt(rank, k));
      (gains[k] as number[]).push(ndcgSingleAt(rank, k));
    }
  }
  const t2 = performance.now();
  const hitRate: Record<number, number> = {};
  const ndcg: Record<number, number> = {};
  for (const k of ks) {
    hitRate[k] = mean(hits[k] as number[]);
    ndcg[k] = mean(gains[k] as number[]);
  }
  return { target, users: cases.length, hitRate, ndcg, trainMs: t1 - t0, scoreMs: t2 - t1 };
}
