import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterIndex, counterWindows } from './counters.ts';
import { defaultPlacement } from './placement.ts';

const DAY = 24 * 3600 * 1000;
const now = 100 * DAY;

test("a placement's counters are read over each scope's own window, the longest where caps share a scope", () => {
  const home = defaultPlacement('home');
  assert.deepEqual(counterWindows(home, now), [
    { scope: 'item', since: now - DAY },
    { scope: 'retarget', since: now - 14 * DAY },
  ]);
  const capped = {
    ...home,
    caps: [
      { scope: 'item' as const, limit: 3, windowMs: DAY },
      { scope: 'item' as const, limit: 10, windowMs: 7 * DAY },
      { scope: 'placement' as const, limit: 5, windowMs: 2 * DAY },
    ],
    retargeting: { ...home.retargeting, enabled: false },
  };
  assert.deepEqual(counterWindows(capped, now), [
    { scope: 'item', since: now - 7 * DAY },
    { scope: 'placement', since: now - 2 * DAY },
  ]);
  assert.deepEqual(counterWindows(defaultPlacement('mail', 'email'), now), [
    { scope: 'channel', since: now - 7 * DAY },
    { scope: 'retarget', since: now - 14 * DAY },
  ]);
});

test('an index counts what it was filled with, and refuses questions it was not filled to answer', () => {
  const index = new CounterIndex([{ scope: 'item', since: 10 }]);
  index.add('item', 'a', 5); // before the window: not kept
  index.add('item', 'a', 10);
  index.add('item', 'a', 20);
  index.add('placement', 'home', 20); // not a scope of the index
  assert.equal(index.wants('item', 10), true);
  assert.equal(index.wants('item', 9), false);
  assert.equal(index.wants('placement', 20), false);
  assert.equal(index.count('item', 'a', 10), 2);
  assert.equal(index.count('item', 'a', 15), 1);
  assert.equal(index.count('item', 'b', 10), 0);
  assert.throws(() => index.count('item', 'a', 9), /item impressions since 9 were not read/);
  assert.throws(() => index.count('placement', 'home', 10), /placement impressions/);
  assert.deepEqual(index.impressions(), [
    { scope: 'item', key: 'a', at: 10 },
    { scope: 'item', key: 'a', at: 20 },
  ]);
});
