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

const { file, pragmas, sql, rowSql, conflictSql, width } = workerData;
const db = new Database(file);
// The settings of every connection (SQLITE_CONNECTION_PRAGMAS in platform/db/database.ts):
// among them, a commit returns only once the WAL is fsynced, and each batch's
// savepoint journal stays in memory.
for (const pragma of pragmas) db.pragma(pragma);
// A larger page cache than the main connection's: this one commits few, large transactions.
db.pragma('cache_size = -65536');

startWriter();

function startWriter() {
  // The database's checkpointer thread does the checkpoints; a commit here only appends to the WAL.
  db.pragma('wal_autocheckpoint = 0');
  const insertOne = db.prepare(`${sql} ${rowSql}${conflictSql}`);
  // Up to CHUNK events per statement: fewer calls into SQLite, one result each.
  const CHUNK = 100;
  const insertChunk = db.prepare(`${sql} ${new Array(CHUNK).fill(rowSql).join(', ')}${conflictSql}`);

  /**
   * One batch, in its own savepoint: `json` is a flat JSON array, `width`
   * values per event in column order, without the tenant id.
   */
  const insertBatch = db.transaction((tenantId, json) => {
    const rows = JSON.parse(json);
    const per = width + 1;
    let stored = 0;
    let i = 0;
    const chunkArgs = new Array(per * CHUNK);
    for (; i + width * CHUNK <= rows.length; i += width * CHUNK) {
      for (let r = 0; r < CHUNK; r++) {
        const at = r * per;
        chunkArgs[at] = tenantId;
        for (let j = 0; j < width; j++) chunkArgs[at + 1 + j] = rows[i + r * width + j];
      }
      stored += insertChunk.run(chunkArgs).changes;
    }
    const args = new Array(per);
    args[0] = tenantId;
    for (; i < rows.length; i += width) {
      for (let j = 0; j < width; j++) args[j + 1] = rows[i + j];
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
}
