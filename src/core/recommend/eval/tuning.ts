/**
 * Hyper-parameter search by coordinate ascent: starting from `start`, each
 * step tries every value of one parameter with the others fixed and keeps
 * the best; the steps are run `rounds` times. Pure: `score` is the caller's
 * evaluation (always on validation data — the test target must not be used
 * to choose anything). Scores are memoised per option set.
 *
 * @module
 */

/**
 * One parameter to search: its candidate values and how to set it.
 *
 * @example
 * const step: TuningStep<{ a: number }> = { name: 'a', values: [1, 2], set: (o, v) => ({ ...o, a: v as number }) };
 */
export interface TuningStep<O> {
  readonly name: string;
  readonly values: readonly unknown[];
  set(options: O, value: unknown): O;
}

/**
 * One evaluated option set.
 *
 * @example
 * coordinateSearch(start, steps, score).trials.map((t: TuningTrial<typeof start>) => t.score);
 */
export interface TuningTrial<O> {
  readonly options: O;
  readonly score: number;
}

/**
 * Coordinate ascent over `steps`, maximising `score`.
 *
 * @example
 * const { best } = coordinateSearch({ a: 1 }, [{ name: 'a', values: [0, 1, 2], set: (o, v) => ({ ...o, a: v as number }) }], (o) => -((o.a - 2) ** 2));
 * best; // { a: 2 }
 */
export function coordinateSearch<O>(
  start: O,
  steps: readonly TuningStep<O>[],
  score: (options: O) => number,
  rounds = 1,
  onTrial?: (trial: TuningTrial<O>) => void,
): { best: O; bestScore: number; trials: TuningTrial<O>[] } {
  const memo = new Map<string, number>();
  const trials: TuningTrial<O>[] = [];
  const evaluate = (options: O): number => {
    const key = JSON.stringify(options);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const s = score(options);
    memo.set(key, s);
    const trial = { options, score: s };
    trials.push(trial);
    onTrial?.(trial);
    return s;
  };
  let best = start;
  let bestScore = evaluate(start);
  for (let round = 0; round < rounds; round++) {
    for (const step of steps) {
      for (const value of step.values) {
        const candidate = step.set(best, value);
        const s = evaluate(candidate);
        if (s > bestScore) {
          best = candidate;
          bestScore = s;
        }
      }
    }
  }
  return { best, bestScore, trials };
}
