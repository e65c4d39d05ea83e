import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeOrderedId } from './ids.ts';

test('time-ordered ids are version 7 UUIDs carrying their millisecond, sort by time and do not repeat', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
  const id = timeOrderedId(at);
  assert.match(id, uuid);
  assert.equal(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16), at);
  const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(at + i));
  assert.deepEqual([...ids].sort(), ids);
  for (const x of ids) assert.match(x, uuid);
  const same = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(at)));
  assert.equal(same.size, 10_000);
});
