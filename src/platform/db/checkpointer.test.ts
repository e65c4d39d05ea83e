import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { SQLITE_CONNECTION_PRAGMAS, startCheckpointer } from './database.ts';

const MB = 1024 * 1024;
const require = createRequire(import.meta.url);

/**
 * Another server process's reads, on their own connection and thread: one
 * read transaction after another, each held open for a millisecond, so that
 * a reader almost always holds a snapshot when a commit begins (as the other
 * server processes' decisions do under load). Stops when `stop[0]` becomes 1.
 */
const READER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const [begin, count, end] = ['BEGIN', 'SELECT count(*) FROM t', 'COMMIT'].map((sql) => db.prepare(sql));
const stop = new Int32Array(workerData.stop);
while (Atomics.load(stop, 0) === 0) {
  begin.run();
  count.get();
  Atomics.wait(stop, 0, 0, 1);
  end.run();
}
db.close();
`;

/** What the writer may commit per checkpoint round: 16 KB a millisecond over the 50 ms between rounds. */
const PER_ROUND = 50 * 16 * 1024;

/**
 * Commits ~`totalMb` of rows in 16 KB transactions, a millisecond apart, while another
 * thread keeps reading, with a checkpoint round every 50 ms;
 * returns the largest the WAL file grew (it is trimmed only past
 * journal_size_limit, so its size is its high-water mark).
 *
 * The writer never gets more than a round's worth of commits ahead of the
 * checkpointer's rounds: on a busy machine the checkpointer's thread may get
 * no CPU for a while, and a writer going on at full pace meanwhile measured
 * the scheduler (the WAL reached 7 MB alone, up to 13 MB with the test suite
 * running beside it), not whether the rounds restart the WAL.
 */
async function largestWal(restartBytes: number, totalMb: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pertinent-wal-'));
  const file = join(dir, 'db.sqlite');
  const open = () => {
    const db = new BetterSqlite3(file);
    for (const pragma of SQLITE_CONNECTION_PRAGMAS) db.pragma(pragma);
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    return db;
  };
  const writer = open();
  writer.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)');
  const stop = new SharedArrayBuffer(4);
  const reader = new Worker(READER, {
    eval: true,
    workerData: { file, stop, driver: require.resolve('better-sqlite3') },
  });
  const rounds = new Int32Array(new SharedArrayBuffer(4));
  const checkpointer = startCheckpointer(file, { restartBytes, intervalMs: 50, rounds });
  const insert = writer.prepare('INSERT INTO t (b) VALUES (?)');
  const commit = writer.transaction(() => {
    for (let i = 0; i < 4; i++) insert.run(Buffer.alloc(4096, i));
  });
  let largest = 0;
  try {
    for (let written = 0; written < totalMb * MB; written += 4 * 4096) {
      commit();
      largest = Math.max(largest, statSync(`${file}-wal`).size);
      // A short gap after every commit, as between the server's group commits, never a quiet spell;
      // longer only while a round's worth is written ahead of the checkpointer's rounds.
      do await new Promise((resolve) => setTimeout(resolve, 1));
      while (written + 4 * 4096 >= (Atomics.load(rounds, 0) + 1) * PER_ROUND);
    }
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await new Promise((resolve) => reader.once('exit', resolve));
    await checkpointer.stop();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return largest;
}

test('under a steady stream of commits and reads, the checkpointer keeps the WAL near its limit instead of letting it grow', async () => {
  // The control: without restarts the passive checkpoints seldom catch up, and the WAL holds nearly
  // everything written (measured: 26 MB for the 16 MB of rows; 16 MB once, with three busy loops beside it).
  const unbounded = await largestWal(Number.POSITIVE_INFINITY, 16);
  assert.ok(unbounded > 12 * MB, `the scenario should grow an unchecked WAL; it reached ${unbounded} bytes`);
  // Measured: 4.7-5.5 MB, alone and with three busy loops beside it.
  const bounded = await largestWal(2 * MB, 16);
  assert.ok(bounded < 8 * MB, `with a 2 MB limit the WAL reached ${bounded} bytes`);
});
