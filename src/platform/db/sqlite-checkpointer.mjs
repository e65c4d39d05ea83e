// The SQLite checkpointer: a worker thread with its own connection that copies
// committed WAL frames into the database file (and fsyncs it), so that no
// connection's commit, on the request path, ever does a checkpoint: every
// connection runs with wal_autocheckpoint = 0 (platform/db/database.ts).
// PASSIVE never blocks a writer; durability does not depend on it (commits
// fsync the WAL).
//
// Under a steady stream of commits a passive checkpoint never catches up with
// the last one, and SQLite starts the WAL again from its beginning only after
// a checkpoint did, so during a long ingest the WAL grows (about 1.5 KB per
// event); once writes pause, the next commit starts it again and
// journal_size_limit (set on every connection) trims the file. Forcing the
// restart under load was measured and rejected: a RESTART checkpoint here made
// the event writer drop its page cache each time, and a passive checkpoint on
// the writer's own connection made its commits wait for the database file's
// fsync; each cost 15-25 % of ingest throughput.
//
// Plain JavaScript: worker threads do not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next round will do it.
  }
}, 250);
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
