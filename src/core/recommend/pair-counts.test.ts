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
    // The same changes on rows kept alone from a random step on (compactAll).
    const compacted = new PairCounts(tie);
    const compactAt = Math.floor(rnd() * 300);
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
      if (step === compactAt) compacted.compactAll();
      compacted.addPair(...op);
      if (step % 3 === 0) rowsOf(kept, n); // read (and cache) the rows between changes
      const fresh = new PairCounts(tie);
      for (const o of ops) fresh.addPair(...o);
      assert.deepEqual(rowsOf(kept, n), rowsOf(fresh, n), `seed ${seed}, step ${step}`);
      // Its rows are first read once compacted, so compactAll must have built every one of them.
      if (step < compactAt) continue;
      assert.deepEqual(rowsOf(compacted, n), rowsOf(fresh, n), `compacted at ${compactAt}, seed ${seed}, step ${step}`);
      assert.equal(compacted.pairCount, fresh.pairCount, `seed ${seed}, step ${step}`);
      const name = String;
      assert.deepEqual(compacted.snapshot(name), fresh.snapshot(name), `seed ${seed}, step ${step}`);
    }
  }
});

for (const compactAt of [undefined, 0, 1000])
  test(`totals, pairs and their counts agree with what was added and taken back (rows alone from step ${compactAt ?? 'never'})`, () => {
    const rnd = lcg(7);
    const pc = new PairCounts();
    const totals = new Map<number, number>();
    const pairs = new Map<string, number>();
    for (let step = 0; step < 2000; step++) {
      if (step === compactAt) pc.compactAll();
      // Index -1 is a caller's own counter (the complements model counts baskets there).
      const i = Math.floor(rnd() * 40) - 1;
      const units = rnd() < 0.3 ? -(totals.get(i) ?? 0) : 1 + Math.floor(rnd() * 5);
      pc.addTotal(i, units);
      totals.set(i, (totals.get(i) ?? 0) + units);
      if (i >= 0) {
        const j = Math.floor(rnd() * 4); // few targets, so that rows empty out again
        const key = `${i}>${j}`;
        const w = rnd() < 0.3 ? -(pairs.get(key) ?? 0) : 1 + Math.floor(rnd() * 3);
        pc.addPair(i, j, w);
        pairs.set(key, (pairs.get(key) ?? 0) + w);
      }
    }
    for (let i = -1; i < 60; i++) assert.equal(pc.total(i), totals.get(i) ?? 0, `total of ${i}`);
    const expected = [...totals].filter(([, u]) => u !== 0).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(
      [...pc.items()].sort((a, b) => a[0] - b[0]),
      expected,
    );
    const kept = [...pairs].filter(([, w]) => w !== 0);
    assert.equal(pc.pairCount, kept.length);
    for (const [key, w] of kept) {
      const [i, j] = key.split('>').map(Number) as [number, number];
      assert.equal(pc.weight(i, j), w, key);
      const into = pc.inRow(j);
      assert.equal(into?.units[into.items.indexOf(i)], w, key);
    }
    for (let i = 0; i < 60; i++) {
      // A row whose pairs were all taken back is gone, not empty.
      const out = pc.outRow(i);
      if (out) assert.ok(out.items.length > 0);
      assert.equal(out?.items.length, kept.filter(([key]) => key.startsWith(`${i}>`)).length || undefined);
      for (let j = 0; j < 4; j++) if (!pairs.get(`${i}>${j}`)) assert.equal(pc.weight(i, j), 0);
    }
  });
