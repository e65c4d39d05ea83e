// The SQLite event writer: a worker thread with its own connection that
// inserts event batches and commits them, so that the main thread keeps
// parsing and validating requests while a commit waits for fsync.
//
// Group commit: batches that arrive while a commit is in progress are written
// together in the next transaction, each batch inside its own savepoint (a
// batch is stored whole or not at all), with one fsync for the group. A batch
// is reported stored only after that transaction committed.
//
// Plain JavaScript: worker threads do not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, sql, rowSql, conflictSql } = workerData;
const WIDTH = 14;
const db = new Database(file);
db.pragma('journal_mode = WAL');
// As in platform/db/database.ts: a commit returns only once the WAL is fsynced.
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -65536');
const insertOne = db.prepare(`${sql} ${rowSql}${conflictSql}`);
// Up to CHUNK events per statement: fewer calls into SQLite, one result each.
const CHUNK = 100;
const insertChunk = db.prepare(`${sql} ${new Array(CHUNK).fill(rowSql).join(', ')}${conflictSql}`);

/** Puts one event's values at `args[at..at+13]`, in the column order of the statement. */
function bind(args, at, tenantId, e) {
  args[at] = tenantId;
  args[at + 1] = e.eventId;
  args[at + 2] = e.subjectId;
  args[at + 3] = e.type;
  args[at + 4] = e.itemId;
  args[at + 5] = e.query;
  args[at + 6] = e.occurredAt;
  args[at + 7] = e.receivedAt;
  args[at + 8] = e.quantity;
  args[at + 9] = e.price;
  args[at + 10] = e.placement;
  args[at + 11] = e.page;
  args[at + 12] = e.source;
  args[at + 13] = e.purpose;
}

/** One batch (a JSON array of event records), in its own savepoint. */
const insertBatch = db.transaction((tenantId, json) => {
  const events = JSON.parse(json);
  let stored = 0;
  const chunkArgs = new Array(WIDTH * CHUNK);
  let i = 0;
  for (; i + CHUNK <= events.length; i += CHUNK) {
    for (let r = 0; r < CHUNK; r++) bind(chunkArgs, r * WIDTH, tenantId, events[i + r]);
    stored += insertChunk.run(chunkArgs).changes;
  }
  const args = new Array(WIDTH);
  for (; i < events.length; i++) {
    bind(args, 0, tenantId, events[i]);
    stored += insertOne.run(args).changes;
  }
  return stored;
});

let queue = [];
let scheduled = false;

function flush() {
  scheduled = false;
  const group = queue;
  queue = [];
  let results = [];
  try {
    db.transaction(() => {
      for (const batch of group) {
        try {
          results.push({ id: batch.id, stored: insertBatch(batch.tenantId, batch.rows) });
        } catch (error) {
          results.push({ id: batch.id, error: String(error?.message ?? error) });
        }
      }
    })();
  } catch (error) {
    results = group.map((batch) => ({ id: batch.id, error: `commit failed: ${String(error?.message ?? error)}` }));
  }
  parentPort.postMessage(results);
}

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    // Batches already received are committed (and answered) before closing.
    if (queue.length > 0) flush();
    db.close();
    parentPort.close();
    return;
  }
  queue.push(message);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
