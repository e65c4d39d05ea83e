import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PairCounts } from './pair-counts.ts';

/** A seeded generator, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const rowsOf = (pc: PairCounts, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const out = pc.outRow(i);
    const into = pc.inRow(i);
    return [out && [...out.items], out && [...out.units], into && [...into.items], into && [...into.units]];
  });

test('array rows kept in step with changes are exactly the rows sorted again from scratch', () => {
  // Items compare in reverse index order on equal weight, so ties are not settled by the index alone.
  const tie = (a: number, b: number) => b - a;
  for (const seed of [1, 2, 3, 4, 5]) {
    const rnd = lcg(seed);
    const n = 8;
    const kept = new PairCounts(tie);
    const ops: [number, number, number][] = [];
    for (let step = 0; step < 400; step++) {
      const i = Math.floor(rnd() * n);
      const j = Math.floor(rnd() * n);
      // Small weights make ties frequent; undoing an earlier change takes a pair back to zero.
      const earlier = ops.length > 0 && rnd() < 0.3 ? ops[Math.floor(rnd() * ops.length)] : undefined;
      const op: [number, number, number] = earlier
        ? [earlier[0], earlier[1], -earlier[2]]
        : [i, j, 1 + Math.floor(rnd() * 3)];
      ops.push(op);
      kept.addPair(...op);
      if (step % 3 === 0) rowsOf(kept, n); // read (and cache) the rows between changes
      const fresh = new PairCounts(tie);
      for (const o of ops) fresh.addPair(...o);
      assert.deepEqual(rowsOf(kept, n), rowsOf(fresh, n), `seed ${seed}, step ${step}`);
    }
  }
});
