import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topK } from './top-k.ts';

/** A seeded generator, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

test('top-k is the first k of a full sort, ties broken by the tie-breaker or the index, skipped entries left out', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rnd = lcg(seed);
    const n = 200;
    // Few distinct scores, so that ties are everywhere.
    const scores = Float64Array.from({ length: n }, () => Math.floor(rnd() * 6) / 2);
    const candidates = Array.from({ length: 120 }, () => Math.floor(rnd() * n)).filter((v, i, a) => a.indexOf(v) === i);
    const reverse = (a: number, b: number) => b - a;
    const skip = (i: number) => i % 7 === 0;
    for (const k of [0, 1, 5, 30, 500]) {
      for (const tieBreak of [undefined, reverse]) {
        const sorted = candidates
          .filter((i) => !skip(i))
          .sort((a, b) => (scores[b] as number) - (scores[a] as number) || (tieBreak ? tieBreak(a, b) : a - b));
        assert.deepEqual(
          topK(scores, k, candidates, skip, tieBreak),
          sorted.slice(0, Math.max(k, 0)),
          `seed ${seed} k ${k}`,
        );
      }
      const all = Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
      );
      assert.deepEqual(topK(scores, k), all.slice(0, k), `seed ${seed} k ${k}, every index`);
    }
  }
});
