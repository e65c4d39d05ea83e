import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundOrder, summarize } from './compare.ts';

test('the versions take turns at running first', () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((r) => roundOrder(r).join('')),
    ['ab', 'ba', 'ab', 'ba'],
  );
});

test('rounds sum into CPU per decision, the overall ratio and the rounds’ spread', () => {
  const c = summarize([10, 20], [9, 22], 100);
  assert.equal(c.a, 0.15);
  assert.equal(c.b, 0.155);
  assert.equal(c.ratio, 31 / 30);
  assert.equal(c.low, 0.9);
  assert.equal(c.high, 1.1);
});

test('rounds without a time for both versions are refused', () => {
  assert.throws(() => summarize([1, 2], [1], 10), /both versions; got 2 and 1/);
  assert.throws(() => summarize([], [], 10), RangeError);
});
