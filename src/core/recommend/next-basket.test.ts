import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupBounds, historyVector, NextBasketModel } from './next-basket.ts';

describe('next-basket (TIFU-KNN style)', () => {
  it('groups baskets like TIFU-KNN', () => {
    assert.deepEqual(groupBounds(3, 7), [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    assert.deepEqual(groupBounds(5, 2), [
      [0, 2],
      [2, 5],
    ]);
  });

  it('computes the decayed history vector by hand', () => {
    // Two groups of one basket: group weights 0.5 (older) and 1, averaged over 2 groups.
    const v = historyVector([[1], [1, 2]], { groups: 7, withinDecay: 0.9, groupDecay: 0.5 });
    assert.deepEqual(
      [...v],
      [
        [1, 0.75],
        [2, 0.5],
      ],
    );
  });

  it('predicts repeat purchases first and fills with what similar shoppers buy', () => {
    const model = new NextBasketModel({ neighbors: 5, alpha: 0.7 });
    const basket = (s: string, at: number, items: string[]) => {
      for (const itemId of items) model.add({ subjectId: s, itemId, kind: 'purchase', at, basketId: `${s}-${at}` });
    };
    basket('me', 1, ['milk', 'bread']);
    basket('me', 2, ['milk']);
    for (let s = 0; s < 3; s++) {
      basket(`n${s}`, 1, ['milk', 'bread']);
      basket(`n${s}`, 2, ['milk', 'butter']);
    }
    const recs = model.nextBasketFor('me', 3);
    assert.deepEqual(
      recs.map((r) => r.itemId),
      ['milk', 'bread', 'butter'],
    );
    assert.deepEqual(recs[0]?.reason, { kind: 'repeat_purchase', anchor: 'milk' });
    assert.deepEqual(recs[2]?.reason, { kind: 'bought_by_similar_shoppers' });
  });
});
