import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeMachine, singleCycle } from './machine-probe.ts';

test('the chase array is one cycle through every entry', () => {
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (const n of [2, 3, 10, 1000]) {
    const next = singleCycle(n, random);
    const seen = new Set<number>();
    let p = 0;
    for (let i = 0; i < n; i++) {
      assert.ok(!seen.has(p), `n = ${n}: entry ${p} visited twice before all were`);
      seen.add(p);
      p = next[p] as number;
    }
    assert.equal(p, 0, `n = ${n}: back at the start after ${n} reads`);
    assert.equal(seen.size, n);
  }
});

test('the probe gives its five figures as numbers of nanoseconds', () => {
  const probe = probeMachine({
    integerSteps: 10_000,
    cacheEntries: 1024,
    memoryEntries: 4096,
    reads: 10_000,
    systemCalls: 100,
    rounds: 2,
  });
  assert.deepEqual(Object.keys(probe).sort(), [
    'cacheReadNs',
    'integerStepNs',
    'memoryReadNs',
    'systemCallAfterNs',
    'systemCallNs',
  ]);
  const { systemCallAfterNs, ...timed } = probe;
  for (const [name, v] of Object.entries(timed)) assert.ok(Number.isFinite(v) && v > 0, `${name}: ${v}`);
  // A difference of two timings, never below 0 (noise where a call costs the reads after it nothing).
  assert.ok(Number.isInteger(systemCallAfterNs) && systemCallAfterNs >= 0, String(systemCallAfterNs));
});
