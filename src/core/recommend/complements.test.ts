import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ComplementsModel } from './complements.ts';

/** The shared data directory: PERTINENT_SHARED_DATA, else ../shared/data next to the repository. */
function sharedDataDir(): string {
  return (
    process.env.PERTINENT_SHARED_DATA ?? join(new URL('../../../', import.meta.url).pathname, '..', 'shared', 'data')
  );
}

describe('ComplementsModel', () => {
  it('ranks a genuine complement above an item that is merely in every basket', () => {
    const model = new ComplementsModel({ minSupport: 1 });
    let n = 0;
    const basket = (...items: string[]) => {
      n++;
      for (const itemId of items) model.add({ subjectId: `s${n}`, itemId, kind: 'purchase', at: n, basketId: 'o' });
    };
    for (let i = 0; i < 30; i++) basket('pasta', 'sauce', 'milk');
    for (let i = 0; i < 60; i++) basket('milk', `other${i % 7}`);
    for (let i = 0; i < 30; i++) basket('milk', 'pasta');
    const top = model.complementsOf('pasta', 2).map((r) => r.itemId);
    assert.equal(top[0], 'sauce');
    assert.ok(!top.includes('milk') || top.indexOf('milk') > top.indexOf('sauce'));
  });

  it('finds a complement whichever of the two came first in the baskets, before and after prepare()', () => {
    for (const prepared of [false, true]) {
      const model = new ComplementsModel({ minSupport: 1 });
      let at = 0;
      for (let i = 0; i < 20; i++)
        for (const itemId of ['tent', 'pegs'])
          model.add({ subjectId: `s${i}`, itemId, kind: 'purchase', at: at++, basketId: 'o' });
      for (let i = 0; i < 40; i++)
        model.add({ subjectId: `t${i}`, itemId: `other${i % 5}`, kind: 'purchase', at: at++, basketId: 'o' });
      if (prepared) model.prepare();
      assert.deepEqual(
        model.complementsOf('tent', 1).map((r) => r.itemId),
        ['pegs'],
        `prepared ${prepared}`,
      );
      assert.deepEqual(
        model.complementsOf('pegs', 1).map((r) => r.itemId),
        ['tent'],
        `prepared ${prepared}`,
      );
    }
  });

  it('ignores views and counts each item once per basket', () => {
    const model = new ComplementsModel({ minSupport: 1 });
    model.add({ subjectId: 's', itemId: 'a', kind: 'view', at: 1, basketId: 'o' });
    assert.equal(model.basketsWith(model.items.intern('a')), 0);
    model.add({ subjectId: 's', itemId: 'a', kind: 'purchase', at: 1, basketId: 'o' });
    model.add({ subjectId: 's', itemId: 'a', kind: 'cart', at: 2, basketId: 'o' });
    assert.equal(model.basketsWith(model.items.intern('a')), 1);
  });
});

describe('ComplementsModel category statistics', () => {
  it('kept up to date basket by basket, answer exactly as a model that saw the same baskets before its first query', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const categories = ['food/pasta', 'food/sauce', 'home/kitchen', 'home/garden', 'pets/cat'];
    // Items 0-79 have a category from the start, 80-89 get one later, 90-99 never do.
    const attributesOf = (i: number) => ({ itemId: `i${i}`, category: categories[i % categories.length] as string });
    // Baskets of two: an item, then one of the partner category (pasta with sauce, kitchen with garden).
    const events: { subjectId: string; itemId: string; basketId: string }[] = [];
    for (let b = 0; b < 600; b++) {
      const subjectId = `s${Math.floor(random() * 40)}`;
      const first = Math.floor(random() * (b < 300 ? 80 : 100));
      const partner = first % 5 === 4 ? 4 : (first % 5) ^ 1;
      const second = partner + 5 * Math.floor(random() * (b < 300 ? 16 : 20));
      for (const item of [first, second]) events.push({ subjectId, itemId: `i${item}`, basketId: `b${b}` });
    }
    const options = { minSupport: 3, coldBaskets: 5 };
    const incremental = new ComplementsModel(options);
    const atOnce = new ComplementsModel(options);
    for (let i = 0; i < 80; i++) {
      incremental.setAttributes(attributesOf(i));
      atOnce.setAttributes(attributesOf(i));
    }
    for (let i = 80; i < 90; i++) atOnce.setAttributes(attributesOf(i));
    const add = (model: ComplementsModel, e: (typeof events)[number], at: number) =>
      model.add({ ...e, kind: 'purchase', at });
    const everyItem = Array.from({ length: 100 }, (_, i) => `i${i}`);
    events.forEach((e, at) => {
      if (at === 400) for (const id of everyItem) incremental.complementsOf(id, 10); // statistics built here
      if (at === 700) for (let i = 80; i < 90; i++) incremental.setAttributes(attributesOf(i)); // new items
      if (at > 400 && at % 7 === 0) incremental.complementsOf(`i${at % 100}`, 10);
      add(incremental, e, at);
      add(atOnce, e, at);
    });
    let categoryLevel = 0;
    for (const id of everyItem) {
      const expected = atOnce.complementsOf(id, 10);
      assert.deepEqual(incremental.complementsOf(id, 10), expected, id);
      categoryLevel += expected.filter((r) => r.reason.kind === 'category_complement').length;
    }
    assert.ok(categoryLevel > 0, 'the scenario exercises category-level complements');
  });
});

describe('Groceries complements (real data)', () => {
  const path = join(sharedDataDir(), 'groceries', 'groceries.csv');
  const present = existsSync(path);
  it('proposes sensible complements and does not let the most popular items dominate', {
    skip: present
      ? false
      : `Groceries data not found at ${path}; set PERTINENT_SHARED_DATA to the shared data directory`,
  }, () => {
    const model = new ComplementsModel();
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    assert.equal(lines.length, 9835);
    lines.forEach((line, n) => {
      for (const item of line.split(','))
        model.add({ subjectId: `b${n}`, itemId: item.trim(), kind: 'purchase', at: n, basketId: 'basket' });
    });
    const top = (item: string, k = 5) => model.complementsOf(item, k).map((r) => r.itemId);
    // A few pairs anyone would call complementary.
    assert.ok(top('flour', 3).includes('sugar'), `flour → ${top('flour')}`);
    assert.ok(top('frankfurter').includes('mustard'), `frankfurter → ${top('frankfurter')}`);
    assert.ok(top('coffee').includes('condensed milk'), `coffee → ${top('coffee')}`);
    assert.ok(top('bottled beer', 3).includes('liquor'), `bottled beer → ${top('bottled beer')}`);
    assert.ok(top('root vegetables').includes('beef'), `root vegetables → ${top('root vegetables')}`);
    // The most popular items do not dominate the complement lists.
    const items = [...new Set(lines.flatMap((l) => l.split(',').map((s) => s.trim())))];
    const lists = items.map((i) => top(i));
    for (const popular of ['whole milk', 'other vegetables', 'rolls/buns']) {
      const share = lists.filter((l) => l.includes(popular)).length / lists.length;
      assert.ok(share < 0.25, `${popular} is in ${(share * 100).toFixed(0)}% of the top-5 complement lists`);
    }
    assert.ok(!top('whole milk').includes('whole milk'));
  });
});
