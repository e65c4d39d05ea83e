// The SQLite checkpointer: a worker thread with its own connection that copies
// committed WAL frames into the database file (and fsyncs it), so that no
// connection's commit, on the request path, ever does a checkpoint: every
// connection runs with wal_autocheckpoint = 0 (platform/db/database.ts).
// PASSIVE never blocks a writer; durability does not depend on it (commits
// fsync the WAL).
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
