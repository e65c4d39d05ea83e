// The SQLite checkpointer: a worker thread with its own connection that copies
// committed WAL frames into the database file (and fsyncs it), so that no
// connection's commit, on the request path, ever does a checkpoint: every
// connection runs with wal_autocheckpoint = 0 (platform/db/database.ts).
// PASSIVE never blocks a writer; durability does not depend on it (commits
// fsync the WAL).
//
// Under a steady stream of commits a passive checkpoint never catches up with
// the last one, and SQLite starts the WAL again from its beginning only after
// a checkpoint did. So once the WAL holds more than `restartBytes`, a RESTART
// checkpoint follows the passive one: it copies the few frames committed
// meanwhile, holding writers back that long, and waits for readers to leave
// the WAL, so that the next commit starts the WAL again from its beginning
// (and journal_size_limit trims the file). Without it the WAL grew as long as
// the load lasted — measured under decisions: ~20 MB/s, 200 MB after 15 s —
// every commit extended the file (the kernel zeroed each new page: 2 % of the
// server's CPU) and every page read searched more of the WAL's index.
// A RESTART on every round was measured and rejected: each one makes every
// connection drop its page cache, which cost the event writer 15-25 % of its
// ingest throughput; once per `restartBytes` of WAL it costs nothing measurable.
//
//
// A RESTART holds the write lock from start to end, so every server process's
// decisions wait for it (measured at 2,000 decisions/s on the Sports data:
// a RESTART about every second, each holding writers back 20-40 ms, which was
// most of the decisions' p99 of 45 ms). Two things made it hold the lock that
// long, and neither is needed:
// - SQLite's busy handler, which sleeps 1, 2, 5, 10 … ms between tries while
//   it waits for readers, the write lock held. Here the RESTART runs with no
//   busy timeout and is tried again from this thread, the lock released in
//   between;
// - syncing what the commits wrote since the last sync (they commit with
//   synchronous = NORMAL, see ADR 0006): the WAL is synced and checkpointed
//   once more just before, without the lock, so that the RESTART has only the
//   last few commits left to sync and copy.
//
// Plain JavaScript: worker threads do not inherit the TypeScript loader.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const frameBytes = Number(db.pragma('page_size', { simple: true })) + 24;
const pause = new Int32Array(new SharedArrayBuffer(4));
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

const timer = setInterval(() => {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
    if (passive.log * frameBytes < workerData.restartBytes) return;
    // What the RESTART would sync and copy with the write lock held, done first without it.
    syncWal();
    db.pragma('wal_checkpoint(PASSIVE)');
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
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
