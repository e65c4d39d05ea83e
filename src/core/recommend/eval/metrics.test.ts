import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hitRateAt, mean, ndcgAt, ndcgSingleAt, rankOfTarget, recallAt } from './metrics.ts';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('leave-one-out metrics (single target)', () => {
  it('HR@k counts a hit when the 0-based rank is below k', () => {
    assert.equal(hitRateAt(0, 10), 1);
    assert.equal(hitRateAt(9, 10), 1);
    assert.equal(hitRateAt(10, 10), 0);
    assert.equal(hitRateAt(Number.POSITIVE_INFINITY, 10), 0);
  });

  it('NDCG@k is 1/log2(rank+2) inside the cutoff', () => {
    close(ndcgSingleAt(0, 10), 1);
    close(ndcgSingleAt(1, 10), 1 / Math.log2(3)); // 0.6309…
    close(ndcgSingleAt(3, 10), 1 / Math.log2(5)); // 0.4307…
    close(ndcgSingleAt(9, 10), 1 / Math.log2(11));
    assert.equal(ndcgSingleAt(10, 10), 0);
  });

  it('averages by hand: targets at ranks 0, 2 and 15 give HR@10 2/3 and NDCG@10 (1 + 0.5)/3', () => {
    const ranks = [0, 2, 15];
    close(mean(ranks.map((r) => hitRateAt(r, 10))), 2 / 3);
    close(mean(ranks.map((r) => ndcgSingleAt(r, 10))), (1 + 1 / Math.log2(4)) / 3);
  });

  it('ranks the target against every non-excluded item, counting ties against it', () => {
    const scores = Float64Array.of(0.5, 0.9, 0.1, 0.5, 0.7);
    assert.equal(rankOfTarget(scores, 0, new Set()), 3); // 0.9, 0.7 and the tie 0.5
    assert.equal(rankOfTarget(scores, 0, new Set([1, 3])), 1); // only 0.7 remains ahead
    assert.equal(rankOfTarget(scores, 1, new Set()), 0);
    assert.equal(rankOfTarget(scores, 2, new Set([2])), Number.POSITIVE_INFINITY);
    assert.equal(rankOfTarget(new Float64Array(5), 2, new Set()), 4); // all tied: no credit
  });
});

describe('next-basket metrics (a set of targets)', () => {
  it('Recall@k divides the hits in the first k by the number of targets', () => {
    close(recallAt([1, 2, 3, 4], new Set([2, 4, 9]), 2), 1 / 3);
    close(recallAt([1, 2, 3, 4], new Set([2, 4, 9]), 4), 2 / 3);
    assert.equal(recallAt([1], new Set(), 10), 0);
  });

  it('NDCG@k with the ideal over all targets (Ta-Feng reference) and truncated at k', () => {
    // Hits at positions 1 and 3 (0-based 0 and 2), 3 targets, k = 3.
    const dcg = 1 + 1 / Math.log2(4);
    const idealAll = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    close(ndcgAt([7, 8, 9], new Set([7, 9, 5]), 3, 'all'), dcg / idealAll);
    close(ndcgAt([7, 8, 9], new Set([7, 9, 5]), 3, 'truncated'), dcg / idealAll);
    // With k = 1 the two forms differ: 1 hit of 3 targets.
    close(ndcgAt([7], new Set([7, 9, 5]), 1, 'truncated'), 1);
    close(ndcgAt([7], new Set([7, 9, 5]), 1, 'all'), 1 / idealAll);
  });
});
