import { ItemIndex } from '../item-index.ts';
import type { RecommenderOptions } from '../recommender.ts';
import { type NextBasketTrainerOptions, nextBasketTrainer } from './basket-trainer.ts';
import { evaluateLeaveOneOut, type LeaveOneOutResult, type LeaveOneOutTarget } from './leave-one-out.ts';
import { evaluateNextBasket, type NextBasketResult } from './next-basket-protocol.ts';
import type { Keyset, SequenceData } from './parsers.ts';
import { sequenceScorer, type TrainedSequenceModel, trainOnSequences } from './sequence-trainer.ts';
import { coordinateSearch, type TuningStep, type TuningTrial } from './tuning.ts';

/**
 * Starting point of the sequence search (and the settings used without `tune`).
 *
 * @example
 * runSequenceExperiment(data, { start: { ...SEQUENCE_START, blend: { attributeWeight: 0 } } });
 */
export const SEQUENCE_START: RecommenderOptions = Object.freeze({
  personalCounting: { window: 5, pairDecay: 0.7 },
  personalScoring: { alpha: 0.5, beta: 0.1, backward: 0.5, recency: 0.5, maxHistory: 10 },
  blend: { similarWeight: 0, similarHistory: 3, similarRecency: 0.5, attributeWeight: 0.3, attributeHistory: 1 },
});

const scoringStep = (
  name: 'alpha' | 'beta' | 'backward' | 'recency',
  values: number[],
): TuningStep<RecommenderOptions> => ({
  name,
  values,
  set: (o, v) => ({ ...o, personalScoring: { ...o.personalScoring, [name]: v as number } }),
});

/**
 * The parameters searched on the validation target, in order (attribute weight only when there are attributes).
 *
 * @example
 * coordinateSearch(SEQUENCE_START, sequenceSteps(true), score);
 */
export function sequenceSteps(withAttributes: boolean): TuningStep<RecommenderOptions>[] {
  return withAttributes ? [...SEQUENCE_STEPS, ATTRIBUTE_STEP] : [...SEQUENCE_STEPS];
}

const ATTRIBUTE_STEP: TuningStep<RecommenderOptions> = {
  name: 'attributeWeight',
  values: [0, 0.15, 0.3, 0.6],
  set: (o, v) => ({ ...o, blend: { ...o.blend, attributeWeight: v as number } }),
};

/**
 * The transition and co-interaction parameters searched on the validation target, in order.
 *
 * @example
 * SEQUENCE_STEPS.map((s) => s.name); // ['beta', 'alpha', …]
 */
export const SEQUENCE_STEPS: readonly TuningStep<RecommenderOptions>[] = [
  scoringStep('beta', [0, 0.1, 0.25]),
  scoringStep('alpha', [0.25, 0.5, 0.75]),
  {
    name: 'window/pairDecay',
    values: [
      [3, 0.5],
      [5, 0.7],
      [8, 0.8],
    ],
    set: (o, v) => {
      const [window, pairDecay] = v as [number, number];
      return { ...o, personalCounting: { ...o.personalCounting, window, pairDecay } };
    },
  },
  scoringStep('recency', [0.35, 0.5, 0.7]),
  scoringStep('backward', [0.25, 0.5, 0.75]),
  {
    name: 'similarWeight',
    values: [0, 0.3],
    set: (o, v) => ({ ...o, blend: { ...o.blend, similarWeight: v as number } }),
  },
];

/**
 * Result of a leave-one-out experiment.
 *
 * @example
 * const { chosen, validation, test } = runSequenceExperiment(data, { tune: true });
 */
export interface SequenceExperiment {
  readonly chosen: RecommenderOptions;
  readonly validation: LeaveOneOutResult;
  readonly test: LeaveOneOutResult;
  readonly trials: TuningTrial<RecommenderOptions>[];
  readonly itemCount: number;
}

/**
 * Leave-one-out on sequences. With `tune`, the settings are chosen by
 * coordinate search on the VALIDATION target (second-last item, trained on
 * what precedes it), then the test target is evaluated once, retrained on
 * everything before it. Models are cached per counting setting, since the
 * scoring settings do not change the counts.
 *
 * @example
 * const r = runSequenceExperiment(parseSequences(text, 'Beauty.txt'), { tune: true });
 * r.test.ndcg[10];
 */
export function runSequenceExperiment(
  data: SequenceData,
  options: {
    tune?: boolean;
    start?: RecommenderOptions;
    ks?: readonly number[];
    /** Catalog attributes per item id (e.g. category and brand ids). */
    attributes?: ReadonlyMap<string, readonly string[]>;
    onTrial?: (trial: TuningTrial<RecommenderOptions>, result: LeaveOneOutResult) => void;
  } = {},
): SequenceExperiment {
  const items = new ItemIndex();
  const sequences = data.sequences.map((s) => s.map((i) => items.intern(i)));
  const attributes = options.attributes;
  const attributesOf = attributes ? (i: number) => attributes.get(items.idOf(i)) : undefined;
  const itemCount = items.size;
  const ks = options.ks ?? [10, 20];
  const start = options.start ?? SEQUENCE_START;
  const cache = new Map<string, TrainedSequenceModel>();
  const run = (o: RecommenderOptions, target: LeaveOneOutTarget): LeaveOneOutResult =>
    evaluateLeaveOneOut(
      sequences,
      itemCount,
      target,
      (train, n) => {
        const key = `${target} ${JSON.stringify(o.personalCounting ?? {})}`;
        let trained = cache.get(key);
        if (!trained) {
          // Similarity is trained whenever the search may use it, so cached models serve every blend.
          const withSimilar = options.tune === true || (o.blend?.similarWeight ?? 0) > 0;
          trained = trainOnSequences(train, n, o, withSimilar, attributesOf);
          cache.set(key, trained);
        }
        trained.recommender.personal.scoring = { ...trained.recommender.personal.scoring, ...o.personalScoring };
        trained.recommender.blend = { ...trained.recommender.blend, ...o.blend };
        return sequenceScorer(trained);
      },
      ks,
    );
  const results = new Map<string, LeaveOneOutResult>();
  const search = coordinateSearch(
    start,
    options.tune ? sequenceSteps(attributes !== undefined) : [],
    (o) => {
      const r = run(o, 'validation');
      results.set(JSON.stringify(o), r);
      return r.ndcg[10] ?? 0;
    },
    1,
    (trial) => options.onTrial?.(trial, results.get(JSON.stringify(trial.options)) as LeaveOneOutResult),
  );
  const validation = results.get(JSON.stringify(search.best)) as LeaveOneOutResult;
  cache.clear();
  const test = run(search.best, 'test');
  return { chosen: search.best, validation, test, trials: search.trials, itemCount };
}

/**
 * Starting point of the next-basket search (and the settings used without `tune`).
 *
 * @example
 * runBasketExperiment(h, f, keysets, { start: { ...BASKET_START, alpha: 0.7 } });
 */
export const BASKET_START: NextBasketTrainerOptions = Object.freeze({
  groups: 7,
  withinDecay: 0.9,
  groupDecay: 0.7,
  neighbors: 300,
  alpha: 0.5,
  neighborPower: 0,
  useTrainFutures: true,
});

const basketStep = (name: keyof NextBasketTrainerOptions, values: unknown[]): TuningStep<NextBasketTrainerOptions> => ({
  name,
  values,
  set: (o, v) => ({ ...o, [name]: v }),
});

/**
 * The parameters searched on each keyset's validation users, in order.
 *
 * @example
 * BASKET_STEPS.map((s) => s.name); // ['alpha', 'neighbors', …]
 */
export const BASKET_STEPS: readonly TuningStep<NextBasketTrainerOptions>[] = [
  basketStep('alpha', [0.2, 0.3, 0.5, 0.7]),
  basketStep('neighbors', [300, 600, 1000]),
  basketStep('groupDecay', [0.7, 0.9, 1]),
  basketStep('withinDecay', [0.9, 1]),
];

/**
 * Result of a next-basket experiment on one keyset.
 *
 * @example
 * runBasketExperiment(h, f, keysets, { tune: true }).keysets[0]?.test.recall[10];
 */
export interface BasketKeysetExperiment {
  readonly keyset: string;
  readonly chosen: NextBasketTrainerOptions;
  readonly validation: NextBasketResult;
  readonly test: NextBasketResult;
  readonly trials: TuningTrial<NextBasketTrainerOptions>[];
}

/**
 * Next-basket evaluation over one or more keysets. With `tune`, the settings
 * are chosen per keyset on its validation users (NDCG@10), and the test users
 * are evaluated once with them. Item ids are mapped to indices here.
 *
 * @example
 * const r = runBasketExperiment(histories, futures, [['k0', keyset0]], { tune: true });
 */
export function runBasketExperiment(
  histories: ReadonlyMap<string, string[][]>,
  futures: ReadonlyMap<string, string[]>,
  keysets: readonly (readonly [string, Keyset])[],
  options: {
    tune?: boolean;
    start?: NextBasketTrainerOptions;
    ks?: readonly number[];
    onTrial?: (keyset: string, trial: TuningTrial<NextBasketTrainerOptions>, result: NextBasketResult) => void;
  } = {},
): { keysets: BasketKeysetExperiment[]; mean: { validation: NextBasketResult; test: NextBasketResult } } {
  const items = new ItemIndex();
  const h = new Map<string, number[][]>();
  for (const [u, baskets] of histories)
    h.set(
      u,
      baskets.map((b) => b.map((i) => items.intern(i))),
    );
  const f = new Map<string, number[]>();
  for (const [u, basket] of futures)
    f.set(
      u,
      basket.map((i) => items.intern(i)),
    );
  const ks = options.ks ?? [10, 20];
  const out: BasketKeysetExperiment[] = [];
  for (const [name, keyset] of keysets) {
    const results = new Map<string, NextBasketResult>();
    const search = coordinateSearch(
      options.start ?? BASKET_START,
      options.tune ? BASKET_STEPS : [],
      (o) => {
        const r = evaluateNextBasket(h, f, items.size, keyset, 'validation', nextBasketTrainer(o), ks);
        results.set(JSON.stringify(o), r);
        return r.ndcg[10] ?? 0;
      },
      1,
      (trial) => options.onTrial?.(name, trial, results.get(JSON.stringify(trial.options)) as NextBasketResult),
    );
    const validation = results.get(JSON.stringify(search.best)) as NextBasketResult;
    const test = evaluateNextBasket(h, f, items.size, keyset, 'test', nextBasketTrainer(search.best), ks);
    out.push({ keyset: name, chosen: search.best, validation, test, trials: search.trials });
  }
  return {
    keysets: out,
    mean: { validation: averageResults(out.map((k) => k.validation)), test: averageResults(out.map((k) => k.test)) },
  };
}

/** Averages next-basket results (metrics, users and timings) over keysets. */
function averageResults(results: readonly NextBasketResult[]): NextBasketResult {
  const avg = (pick: (r: NextBasketResult) => number) =>
    results.reduce((s, r) => s + pick(r), 0) / Math.max(1, results.length);
  const keys = Object.keys(results[0]?.recall ?? {}).map(Number);
  const by = (field: 'recall' | 'ndcg' | 'ndcgTruncated') =>
    Object.fromEntries(keys.map((k) => [k, avg((r) => r[field][k] ?? 0)]));
  return {
    users: avg((r) => r.users),
    recall: by('recall'),
    ndcg: by('ndcg'),
    ndcgTruncated: by('ndcgTruncated'),
    trainMs: avg((r) => r.trainMs),
    scoreMs: avg((r) => r.scoreMs),
  };
}
