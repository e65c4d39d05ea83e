// The SQLite checkpointer: a worker thread with its own connection that copies
// committed WAL frames into the database file (and fsyncs it), so that no
// connection's commit, on the request path, ever does a checkpoint: every
// connection runs with wal_autocheckpoint = 0 (platform/db/database.ts).
// PASSIVE never blocks a writer; durability does not depend on it (commits
// fsync the WAL).
//
// Under a steady stream of commits a passive checkpoint never catches up with
// the last one, and SQLite starts the WAL again from its beginning only after
// a checkpoint did. Left alone, the WAL grew as long as the load lasted —
// measured under decisions: ~20 MB/s, 200 MB after 15 s — every commit
// extended the file (the kernel zeroed each new page: 2 % of the server's
// CPU) and every page read searched more of the WAL's index. So once the WAL
// holds more than `restartBytes`, this thread sees that it starts again
// (journal_size_limit then trims the file). Doing so on every round was
// measured and rejected: each restart makes every connection drop its page
// cache, which cost the event writer 15-25 % of its ingest throughput.
//
// A RESTART holds the write lock from start to end, so every server process's
// decisions wait for it: measured at 2,000 decisions/s on the Sports data, a
// RESTART about every second, each holding writers back 20-40 ms, was most of
// the decisions' p99 (36 ms). So the WAL is started again without one where
// it can be: SQLite lets a writer do it as it begins, if a checkpoint has
// copied every frame and no reader still uses them. Past `restartBytes`,
// passive rounds a millisecond apart copy what the last one left (less each
// time) until a writer finds the WAL caught up and starts it again; measured,
// within 1-26 rounds every time, and the p99 at 2,000/s fell to 20 ms. Only
// when that does not happen does a RESTART follow, and it no longer holds the
// lock longer than it must:
// - it runs with no busy timeout and is tried again from this thread, the
//   lock released between tries (SQLite's busy handler sleeps 1, 2, 5, 10 …
//   ms while it waits for readers, the lock held);
// - the catch-up rounds have copied nearly every frame, and the WAL the
//   commits left in the OS's cache (synchronous = NORMAL, see ADR 0006) is
//   synced first, without the lock.
//
// Plain JavaScript: worker threads do not inherit the TypeScript loader.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const frameBytes = Number(db.pragma('page_size', { simple: true })) + 24;
const pause = new Int32Array(new SharedArrayBuffer(4));
/** How many passive rounds, how far apart, wait for a writer to start the WAL again. */
const CATCH_UP_ROUNDS = 40;
const CATCH_UP_PAUSE_MS = 1;
/** How often, and how far apart, a RESTART is tried in one round before the round gives up. */
const RESTART_TRIES = 100;
const RESTART_PAUSE_MS = 0.5;

/**
 * Syncs the WAL file to disk (what commits with synchronous = NORMAL left in
 * the OS's cache). SQLite locks the database and -shm files, never the WAL,
 * so a descriptor of this thread's own, opened and closed here, touches no
 * connection's locks.
 */
function syncWal() {
  let fd;
  try {
    fd = openSync(`${workerData.file}-wal`, 'r');
    fdatasyncSync(fd);
  } catch {
    // No WAL file (no connection open): nothing to sync.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** One RESTART without waiting in SQLite's busy handler: true once it started the WAL again. */
function restart() {
  try {
    const [result] = db.pragma('wal_checkpoint(RESTART)');
    return result.busy === 0;
  } catch {
    return false;
  }
}

/** Rounds done so far, counted in `workerData.rounds` when given (an Int32Array's buffer): a test paces its writes by them. */
const rounds = workerData.rounds === undefined ? undefined : new Int32Array(workerData.rounds);

function round() {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
    if (passive.log * frameBytes < workerData.restartBytes) return;
    // A writer starts the WAL again by itself when, as it begins, a checkpoint
    // has copied every frame and no reader uses them: a few passive rounds a
    // millisecond apart catch up with the commits (each has less to copy),
    // and usually one of them is followed by such a writer.
    for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
      const [caught] = db.pragma('wal_checkpoint(PASSIVE)');
      if (caught.log * frameBytes < workerData.restartBytes) return;
      Atomics.wait(pause, 0, 0, CATCH_UP_PAUSE_MS);
    }
    // Otherwise (no writer came, or readers stayed): a RESTART. The last round
    // copied nearly everything; what the commits wrote since is synced first,
    // without the lock, so that the RESTART has little left to do holding it.
    syncWal();
    db.pragma('busy_timeout = 0');
    try {
      // If readers keep it from restarting the WAL, give up for this round.
      for (let tries = 0; tries < RESTART_TRIES && !restart(); tries++) Atomics.wait(pause, 0, 0, RESTART_PAUSE_MS);
    } finally {
      db.pragma('busy_timeout = 5000');
    }
  } catch {
    // Busy or closing: the next round will do it.
  }
}

const timer = setInterval(() => {
  round();
  if (rounds) Atomics.add(rounds, 0, 1);
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
