import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateLeaveOneOut, splitLeaveOneOut } from './leave-one-out.ts';
import { evaluateNextBasket } from './next-basket-protocol.ts';

describe('leave-one-out protocol', () => {
  it('holds out the second-last item for validation and the last for test, never showing the test item', () => {
    const seqs = [[1, 2, 3, 4], [5, 6], [7]];
    assert.deepEqual(splitLeaveOneOut(seqs, 'validation'), {
      train: [[1, 2], [], []],
      cases: [{ user: 0, history: [1, 2], target: 3 }],
    });
    assert.deepEqual(splitLeaveOneOut(seqs, 'test'), {
      train: [[1, 2, 3], [5], []],
      cases: [
        { user: 0, history: [1, 2, 3], target: 4 },
        { user: 1, history: [5], target: 6 },
      ],
    });
  });

  it('ranks all items, excludes the history and averages HR and NDCG over users', () => {
    // Scores: item i gets 10 - i, so lower ids rank first. History items are excluded.
    const trainer = () => ({
      score: (_h: readonly number[], scores: Float64Array) => {
        for (let i = 0; i < scores.length; i++) scores[i] = 10 - i;
      },
    });
    // User 0: history [0], target 1 → rank 0 (item 0 excluded). User 1: history [0, 1], target 4 → rank 2 (2, 3 ahead).
    const r = evaluateLeaveOneOut(
      [
        [0, 1],
        [0, 1, 4],
      ],
      6,
      'test',
      trainer,
      [1, 3],
    );
    assert.equal(r.users, 2);
    assert.equal(r.hitRate[1], 0.5);
    assert.equal(r.hitRate[3], 1);
    assert.equal(r.ndcg[3], (1 + 1 / Math.log2(4)) / 2);
  });
});

describe('next-basket protocol', () => {
  it('lets the model see training users’ targets only, and scores the test users', () => {
    const histories = new Map([
      ['a', [[1, 2]]],
      ['b', [[3]]],
      ['c', [[4]]],
    ]);
    const futures = new Map([
      ['a', [9]],
      ['b', [3, 5]],
      ['c', [4]],
    ]);
    let seen: string[] = [];
    const result = evaluateNextBasket(
      histories,
      futures,
      10,
      { train: ['a'], validation: ['c'], test: ['b'] },
      'test',
      (data) => {
        seen = [...data.futures.keys()];
        return { predict: (history) => [...new Set(history.flat())] };
      },
      [1, 2],
    );
    assert.deepEqual(seen, ['a']);
    assert.equal(result.users, 1);
    assert.equal(result.recall[1], 0.5); // predicted [3] of targets {3, 5}
    assert.equal(result.ndcg[1], 1 / (1 + 1 / Math.log2(3))); // ideal over both targets
    assert.equal(result.ndcgTruncated[1], 1);
  });
});
