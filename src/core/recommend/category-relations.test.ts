import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { categoryRelations } from './category-relations.ts';
import { Recommender } from './recommender.ts';

/** `people` subjects, each with `baskets` baskets of these categories. */
const shoppers = (people: number, basket: string[], baskets = 1): string[][][] =>
  Array.from({ length: people }, () => Array.from({ length: baskets }, () => basket));

describe('aggregate category relations', () => {
  test('categories bought together by enough people are related, at every level; branches are not', () => {
    const relations = categoryRelations(
      [
        ...shoppers(12, ['jewellery/rings', 'wedding/dresses']),
        ...shoppers(12, ['groceries/milk', 'groceries/bread']),
        ...shoppers(30, ['groceries/milk']),
        ...shoppers(3, ['jewellery/rings', 'pets/cat-food']),
      ],
      { minSubjects: 10 },
    );
    const from = (c: string) => relations.filter((r) => r.from === c).map((r) => r.to);
    assert.deepEqual(from('jewellery/rings'), ['wedding', 'wedding/dresses']);
    assert.deepEqual(from('jewellery'), ['wedding', 'wedding/dresses']);
    assert.deepEqual(from('wedding/dresses'), ['jewellery', 'jewellery/rings']);
    assert.ok(!relations.some((r) => r.to === 'pets/cat-food' || r.to === 'pets'), 'a pair of 3 people stays out');
    assert.ok(!relations.some((r) => r.from === 'groceries' && r.to.startsWith('groceries/')), 'own branch');
    assert.ok(relations.every((r) => r.weight > 0 && r.weight <= 1));
  });

  test('support counts people, not baskets: one shopper with many baskets never makes a relation', () => {
    const one = shoppers(1, ['jewellery/rings', 'wedding/dresses'], 500);
    const filler = shoppers(50, ['groceries/milk']);
    assert.deepEqual(categoryRelations([...one, ...filler], { minSubjects: 2 }), []);
    const nine = shoppers(9, ['jewellery/rings', 'wedding/dresses'], 20);
    assert.deepEqual(categoryRelations([...nine, ...filler], { minSubjects: 10 }), []);
    const ten = shoppers(10, ['jewellery/rings', 'wedding/dresses']);
    assert.ok(categoryRelations([...ten, ...filler], { minSubjects: 10 }).length > 0);
  });

  test('excluded (sensitive) categories never appear', () => {
    const subjects = [
      ...shoppers(20, ['health/pregnancy', 'baby/clothes', 'toys/rattles']),
      ...shoppers(40, ['pets/food']),
    ];
    const relations = categoryRelations(subjects, {
      minSubjects: 10,
      exclude: (c) => c === 'health' || c.startsWith('health/'),
    });
    assert.ok(relations.length > 0);
    assert.ok(!relations.some((r) => r.from.startsWith('health') || r.to.startsWith('health')));
  });

  test('property: every published pair rests on at least minSubjects distinct subjects', () => {
    const cats = ['a/x', 'a/y', 'b/x', 'b/y', 'c'];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.subarray(cats, { minLength: 1 }), { minLength: 1, maxLength: 4 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        (subjects, k) => {
          for (const r of categoryRelations(subjects, { minSubjects: k })) {
            const has = (basket: string[], c: string) => basket.some((b) => b === c || b.startsWith(`${c}/`));
            const people = subjects.filter((s) => s.some((b) => has(b, r.from) && has(b, r.to))).length;
            assert.ok(people >= k, `${r.from} → ${r.to}: ${people} < ${k}`);
          }
        },
      ),
    );
  });

  test('the recommender publishes what its complements model learned from purchases, erasure included', () => {
    const rec = new Recommender();
    rec.setItemAttributes({ itemId: 'ring', category: 'jewellery/rings' });
    rec.setItemAttributes({ itemId: 'veil', category: 'wedding/veils' });
    rec.setItemAttributes({ itemId: 'milk', category: 'groceries/milk' });
    for (let s = 0; s < 10; s++) {
      for (const itemId of ['ring', 'veil'])
        rec.add({ subjectId: `s${s}`, itemId, kind: 'purchase', at: 1, basketId: `b${s}` });
      rec.add({ subjectId: `m${s}`, itemId: 'milk', kind: 'purchase', at: 1, basketId: `m${s}` });
      rec.add({ subjectId: `v${s}`, itemId: 'ring', kind: 'view', at: 1 }); // views are not baskets
    }
    const to = () =>
      rec
        .categoryRelations({ minSubjects: 10 })
        .filter((r) => r.from === 'jewellery')
        .map((r) => r.to);
    assert.deepEqual(to(), ['wedding', 'wedding/veils']);
    rec.removeSubject('s3');
    assert.deepEqual(to(), [], 'nine people left: below the threshold');
  });
});
