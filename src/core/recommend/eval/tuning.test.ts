import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordinateSearch } from './tuning.ts';

describe('coordinateSearch', () => {
  it('finds the best value of each parameter and evaluates each option set once', () => {
    let calls = 0;
    const { best, bestScore, trials } = coordinateSearch(
      { a: 0, b: 0 },
      [
        { name: 'a', values: [0, 1, 2, 3], set: (o, v) => ({ ...o, a: v as number }) },
        { name: 'b', values: [0, 5, 10], set: (o, v) => ({ ...o, b: v as number }) },
      ],
      (o) => {
        calls++;
        return -((o.a - 2) ** 2) - (o.b - 5) ** 2;
      },
      2,
    );
    assert.deepEqual(best, { a: 2, b: 5 });
    assert.ok(bestScore === 0);
    assert.equal(calls, trials.length);
    assert.equal(new Set(trials.map((t) => JSON.stringify(t.options))).size, trials.length);
  });
});
