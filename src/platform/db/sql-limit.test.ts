import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sqlLimit } from './database.ts';

test('sqlLimit writes a LIMIT that SQLite applies, and refuses what is not a count', () => {
  const db = new BetterSqlite3(':memory:');
  db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3), (4)');
  assert.deepEqual(
    db
      .prepare(`SELECT n FROM t ORDER BY n ${sqlLimit(2)}`)
      .pluck()
      .all(),
    [1, 2],
  );
  assert.deepEqual(
    db
      .prepare(`SELECT n FROM t ORDER BY n ${sqlLimit(0)}`)
      .pluck()
      .all(),
    [],
  );
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])
    assert.throws(() => sqlLimit(bad), RangeError, String(bad));
  db.close();
});
