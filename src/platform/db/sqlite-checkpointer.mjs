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
// Plain JavaScript: worker threads do not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const frameBytes = Number(db.pragma('page_size', { simple: true })) + 24;
const timer = setInterval(() => {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
    if (passive.log * frameBytes < workerData.restartBytes) return;
    // Writers wait for a RESTART; if readers keep it waiting, give up for this round.
    db.pragma('busy_timeout = 200');
    try {
      db.pragma('wal_checkpoint(RESTART)');
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
