import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { cachePreparedStatements, readTogether, SQLITE_CONNECTION_PRAGMAS, writeWhenUnlocked } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'pertinent-lock-'));
const opened: BetterSqlite3.Database[] = [];
after(() => {
  for (const db of opened) db.close();
  rmSync(dir, { recursive: true, force: true });
});
let files = 0;

/** Two connections to a new database file, as two server processes have. */
function twoConnections() {
  const file = join(dir, `db-${files++}.sqlite`);
  const open = () => {
    const db = cachePreparedStatements(new BetterSqlite3(file));
    for (const pragma of SQLITE_CONNECTION_PRAGMAS) db.pragma(pragma);
    opened.push(db);
    return db;
  };
  const ours = open();
  ours.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT NOT NULL)');
  const other = open();
  const rows = () => (ours.prepare('SELECT who FROM t ORDER BY id').all() as { who: string }[]).map((r) => r.who);
  return { ours, other, rows };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a write waits for another connection’s lock without stopping the event loop, then commits', {
  timeout: 15_000,
}, async () => {
  const { ours, other, rows } = twoConnections();
  other.prepare('BEGIN IMMEDIATE').run();
  other.prepare("INSERT INTO t (who) VALUES ('other')").run();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  const written = writeWhenUnlocked(ours, () => ours.prepare("INSERT INTO t (who) VALUES ('ours')").run().changes);
  // With SQLite's busy handler the process would sleep here, and no timer would fire.
  await sleep(80);
  const ticksWhileLocked = ticks;
  other.prepare('COMMIT').run();
  assert.equal(await written, 1);
  clearInterval(ticker);
  assert.ok(ticksWhileLocked >= 5, `the event loop ran ${ticksWhileLocked} timer ticks while the lock was held`);
  assert.deepEqual(rows(), ['other', 'ours']);
  assert.equal(ours.inTransaction, false);
  assert.equal(ours.pragma('busy_timeout', { simple: true }), 5000);
});

test('a write that cannot get the lock in time fails with SQLITE_BUSY and writes nothing', {
  timeout: 15_000,
}, async () => {
  const { ours, other, rows } = twoConnections();
  other.prepare('BEGIN IMMEDIATE').run();
  await assert.rejects(
    writeWhenUnlocked(ours, () => ours.prepare("INSERT INTO t (who) VALUES ('ours')").run(), { timeoutMs: 30 }),
    (error: Error & { code?: string }) => error.code === 'SQLITE_BUSY' && /write lock/.test(error.message),
  );
  other.prepare('ROLLBACK').run();
  assert.deepEqual(rows(), []);
  assert.equal(ours.inTransaction, false);
  assert.equal(ours.pragma('busy_timeout', { simple: true }), 5000);
});

test('a write that throws is rolled back whole, and the connection’s settings are restored', {
  timeout: 15_000,
}, async () => {
  const { ours, rows } = twoConnections();
  await assert.rejects(
    writeWhenUnlocked(
      ours,
      () => {
        ours.prepare("INSERT INTO t (who) VALUES ('first')").run();
        throw new Error('second row invalid');
      },
      { waitForDisk: false },
    ),
    /second row invalid/,
  );
  assert.deepEqual(rows(), []);
  assert.equal(ours.inTransaction, false);
  // synchronous = FULL (2) again after a write that did not wait for the disk.
  assert.equal(ours.pragma('synchronous', { simple: true }), 2);
  assert.equal(await writeWhenUnlocked(ours, () => 'done', { waitForDisk: false }), 'done');
  assert.equal(ours.pragma('synchronous', { simple: true }), 2);
});

test('a transaction that cannot begin for another reason than the lock fails at once, with its stack', {
  timeout: 15_000,
}, async () => {
  const { ours, rows } = twoConnections();
  const limit = Error.stackTraceLimit;
  ours.prepare('BEGIN').run();
  const started = performance.now();
  await assert.rejects(
    writeWhenUnlocked(ours, () => ours.prepare("INSERT INTO t (who) VALUES ('ours')").run()),
    (error: Error) => /within a transaction/.test(error.message) && /write-lock\.test\.ts/.test(String(error.stack)),
  );
  // Not retried as if the lock were taken (that would wait for the 5 s timeout).
  assert.ok(performance.now() - started < 1000);
  ours.prepare('ROLLBACK').run();
  assert.equal(Error.stackTraceLimit, limit);
  assert.equal(ours.pragma('busy_timeout', { simple: true }), 5000);
  assert.deepEqual(rows(), []);
});

test('reads run together see one snapshot, even when another connection commits between them', async () => {
  const { ours, other, rows } = twoConnections();
  other.prepare("INSERT INTO t (who) VALUES ('first')").run();
  const seen = readTogether(ours, () => {
    const before = rows();
    other.prepare("INSERT INTO t (who) VALUES ('second')").run(); // another process commits meanwhile
    return [before, rows()];
  });
  assert.deepEqual(seen, [['first'], ['first']], 'both reads see the same moment');
  assert.equal(ours.inTransaction, false, 'the read transaction is over');
  assert.deepEqual(rows(), ['first', 'second'], 'the next read sees the commit');
  // Reads that fail end their transaction too, and the failure reaches the caller.
  assert.throws(
    () =>
      readTogether(ours, () => {
        rows();
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(ours.inTransaction, false);
  // Inside a transaction already open, the reads are simply part of it.
  ours.prepare('BEGIN').run();
  assert.deepEqual(
    readTogether(ours, () => rows()),
    ['first', 'second'],
  );
  assert.equal(ours.inTransaction, true, 'the caller’s transaction is left to the caller');
  ours.prepare('COMMIT').run();
});
