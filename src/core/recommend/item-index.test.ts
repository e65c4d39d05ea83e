import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ItemIndex } from './item-index.ts';

/** A seeded generator, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const byString = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

test('compareIds orders indices as their ids compare, whether items arrive one by one or many at once', () => {
  for (const seed of [1, 2, 3]) {
    const rnd = lcg(seed);
    const index = new ItemIndex();
    // Batches of 1 to 200 new ids (past 64 the ranks are sorted again, below they are inserted),
    // with comparisons in between; ids share prefixes and differ in case, digits and accents.
    for (let batch = 0; batch < 40; batch++) {
      const size = rnd() < 0.5 ? 1 + Math.floor(rnd() * 5) : 1 + Math.floor(rnd() * 200);
      for (let k = 0; k < size; k++) {
        const id = `${['sku', 'SKU', 'sku-', 'é', 'a'][Math.floor(rnd() * 5)]}${Math.floor(rnd() * 100000)}`;
        index.intern(id);
      }
      for (let k = 0; k < 300; k++) {
        const a = Math.floor(rnd() * index.size);
        const b = Math.floor(rnd() * index.size);
        assert.equal(
          Math.sign(index.compareIds(a, b)),
          byString(index.idOf(a), index.idOf(b)),
          `seed ${seed}, batch ${batch}: ${index.idOf(a)} vs ${index.idOf(b)}`,
        );
      }
    }
    // Every index, in order: exactly the ids sorted.
    const all = Array.from({ length: index.size }, (_, i) => i).sort(index.compareIds);
    assert.deepEqual(
      all.map((i) => index.idOf(i)),
      all.map((i) => index.idOf(i)).sort(byString),
    );
  }
});

test('compareIds fails on an unknown index, as idOf does', () => {
  const index = new ItemIndex();
  index.intern('a');
  assert.throws(() => index.compareIds(0, 1), RangeError);
  assert.throws(() => index.compareIds(-1, 0), RangeError);
});
