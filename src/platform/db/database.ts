import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Config } from '../config.ts';
import { migrate } from './migrate.ts';

/** The embedded store: one SQLite file in WAL mode, every commit fsynced. */
export interface SqliteDb {
  readonly kind: 'sqlite';
  readonly sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** The production store: a pool of connections to PostgreSQL, in one schema. */
export interface PostgresDb {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  readonly schema: string;
  close(): Promise<void>;
}

export type Db = SqliteDb | PostgresDb;

// BIGINT columns (counts, sequence numbers) come back as JS numbers; every
// value we store fits in 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Opens (creating if needed) the SQLite database file and applies migrations. */
export async function openSqlite(file: string): Promise<SqliteDb> {
  const sqlite = cachePreparedStatements(new BetterSqlite3(file));
  for (const pragma of SQLITE_CONNECTION_PRAGMAS) sqlite.pragma(pragma);
  sqlite.pragma('foreign_keys = ON');
  tuneSqliteConnection(sqlite);
  const checkpointer = sqlite.memory ? undefined : startCheckpointer(sqlite.name);
  const db: SqliteDb = {
    kind: 'sqlite',
    sqlite,
    close: async () => {
      await checkpointer?.stop();
      if (sqlite.open) sqlite.close();
    },
  };
  await migrate(db);
  return db;
}

const CHECKPOINTER_URL = new URL('./sqlite-checkpointer.mjs', import.meta.url);

/**
 * Starts the thread that checkpoints the database file for every connection
 * (sqlite-checkpointer.mjs), which makes the WAL start again from its
 * beginning once it holds more than `restartBytes`; a round every `intervalMs`. Should it stop, the WAL
 * only grows until the last connection closes, which checkpoints it.
 */
export function startCheckpointer(
  file: string,
  options: {
    restartBytes?: number;
    intervalMs?: number;
    /** Counts the rounds done in its first element (Atomics): lets a caller pace itself by the thread's rounds. */
    rounds?: Int32Array;
  } = {},
): { stop(): Promise<void> } {
  const { restartBytes = WAL_SIZE_LIMIT, intervalMs = 250 } = options;
  const worker = new Worker(CHECKPOINTER_URL, {
    workerData: { file, restartBytes, intervalMs, rounds: options.rounds?.buffer },
  });
  worker.unref();
  worker.on('error', () => {});
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  return {
    stop: async () => {
      if (exited) return;
      worker.ref();
      worker.postMessage({ type: 'close' });
      await exit;
    },
  };
}

/** How long a statement waits for another connection's lock before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * What the WAL file is trimmed to when it starts again from its beginning, and
 * the size past which the checkpointer makes it start again (see sqlite-checkpointer.mjs).
 */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * What every connection to the database file sets, the worker threads' too
 * (the event writer receives them in its workerData):
 * - WAL, and FULL: a commit returns only after the WAL is fsynced, so an
 *   acknowledged write survives a crash of the process or of the machine;
 * - statement and savepoint journals in memory (this build's default puts
 *   them in a temporary file: measured, writing it took a quarter of the
 *   event writer's CPU);
 * - the WAL file trimmed to WAL_SIZE_LIMIT when it starts again.
 */
export const SQLITE_CONNECTION_PRAGMAS: readonly string[] = [
  'journal_mode = WAL',
  'synchronous = FULL',
  `busy_timeout = ${BUSY_TIMEOUT_MS}`,
  'temp_store = MEMORY',
  `journal_size_limit = ${WAL_SIZE_LIMIT}`,
];

/**
 * Settings of the main connection besides {@link SQLITE_CONNECTION_PRAGMAS}:
 * - a 16 MiB page cache. Measured (perf) with decisions on the Sports data:
 *   the end of each write transaction (pager_end_transaction →
 *   pcache1Truncate) took 4.9 % of a decision's CPU with a 64 MiB cache and
 *   1.5 % with 16 MiB, growing with the cache, while reads missing the
 *   smaller cache cost 0.3 % (the OS keeps the file's pages);
 * - no automatic checkpoints — the checkpointer thread started with the
 *   database does them, off the request path.
 * (No memory map: measured, a read after another connection's commit then
 * costs several times more, the map being redone.)
 */
function tuneSqliteConnection(sqlite: BetterSqlite3.Database): void {
  sqlite.pragma('cache_size = -16384');
  if (!sqlite.memory) sqlite.pragma('wal_autocheckpoint = 0');
}

/**
 * Runs `write`, which commits its own transaction, with `synchronous = NORMAL`
 * on the connection, then restores its setting: in WAL mode such a commit
 * survives a crash of the process but not a power cut, and waits for no
 * fsync (docs/adr/0006-decision-pipeline.md says which writes may). better-sqlite3
 * is synchronous, so nothing else runs on the connection meanwhile.
 *
 * The PRAGMA statements come from the connection's statement cache: the
 * driver's `pragma()` prepares a new statement on every call (measured: 4.7 µs
 * for the pair of switches, against 2.1 µs prepared once, reading the setting included).
 */
export function withoutWaitingForDisk<T>(sqlite: BetterSqlite3.Database, write: () => T): T {
  const restore = Number(sqlite.prepare('PRAGMA synchronous').pluck().get());
  sqlite.prepare('PRAGMA synchronous = NORMAL').run();
  try {
    return write();
  } finally {
    sqlite.prepare(`PRAGMA synchronous = ${restore}`).run();
  }
}

/**
 * Runs `reads` in one read transaction (one snapshot), for reads that run
 * their statements before they first await, as the SQLite stores do: the
 * promises they return are settled by then. Each statement outside a
 * transaction is a transaction of its own, which locks and unlocks the WAL
 * index (system calls) and, when another process committed since, empties
 * the page cache; a decision reads its subject in five or six statements
 * (perf at 2,000 decisions/s: beginning and ending them took about 5 % of
 * its CPU). In one snapshot they also agree with each other (consents and
 * restrictions read as of one moment). Inside one, nothing may write: a
 * write would need the lock that {@link writeWhenUnlocked} takes without
 * waiting. Statements of `reads` that run after an await run on their own,
 * as before.
 *
 * @example
 * const [consents, restrictions] = readTogether(sqlite, () => [consent.listLatest(t, s), rights.findRestrictions(t, s)]);
 */
export function readTogether<T>(sqlite: BetterSqlite3.Database, reads: () => T): T {
  if (sqlite.inTransaction) return reads();
  sqlite.prepare('BEGIN').run();
  try {
    return reads();
  } finally {
    // The transaction only read: ending it cannot fail for lack of a lock.
    if (sqlite.inTransaction) sqlite.prepare('COMMIT').run();
  }
}

/** What {@link tryWrite} returns when another connection holds the write lock (nothing was done). */
const LOCKED = Symbol('locked');

/** One attempt: `write` in an IMMEDIATE transaction, committed, if the write lock is free now; LOCKED otherwise. */
function tryWrite<T>(sqlite: BetterSqlite3.Database, write: () => T): T | typeof LOCKED {
  sqlite.prepare('PRAGMA busy_timeout = 0').run();
  // A taken lock is expected here, and better-sqlite3 reports it with an
  // error: one made without a stack costs little, where capturing and
  // formatting the stack (through source maps under tsx) took 7.5 µs per
  // decision at 2,000 decisions/s (perf). Any other failure gets its stack
  // back before it is thrown.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    sqlite.prepare('BEGIN IMMEDIATE').run();
  } catch (error) {
    Error.stackTraceLimit = stackTraceLimit;
    if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return LOCKED;
    if (error instanceof Error) Error.captureStackTrace(error, tryWrite);
    throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    sqlite.prepare(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`).run();
  }
  try {
    const result = write();
    sqlite.prepare('COMMIT').run();
    return result;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.prepare('ROLLBACK').run();
    throw error;
  }
}

/**
 * Runs `write` in a transaction and commits it (with `synchronous = NORMAL`
 * when `waitForDisk` is false, see {@link withoutWaitingForDisk}), taking the
 * write lock without stopping the event loop. better-sqlite3 is synchronous:
 * a connection that finds another one writing sleeps in SQLite's busy handler
 * (1, 2, 5, 10, 15, 20, 25 … 100 ms between tries), and its whole process
 * with it, however short the other's transaction. Measured with two server
 * processes at 1,000 decisions/s: audit inserts waited up to 330 ms, the
 * other process's group commits taking the lock again between its tries,
 * and every request of the sleeping process waited as long. Here a taken
 * lock makes the attempt return at once, and it is tried again a
 * millisecond later while the process serves other requests. Fails with
 * SQLITE_BUSY after `timeoutMs`, having written nothing.
 */
export async function writeWhenUnlocked<T>(
  sqlite: BetterSqlite3.Database,
  write: () => T,
  options: { waitForDisk?: boolean; timeoutMs?: number } = {},
): Promise<T> {
  const attempt = () => tryWrite(sqlite, write);
  const deadline = performance.now() + (options.timeoutMs ?? BUSY_TIMEOUT_MS);
  for (;;) {
    const result = options.waitForDisk === false ? withoutWaitingForDisk(sqlite, attempt) : attempt();
    if (result !== LOCKED) return result;
    if (performance.now() >= deadline)
      throw Object.assign(new Error('database is locked: another connection held the write lock too long'), {
        code: 'SQLITE_BUSY',
      });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Most statements a connection keeps prepared; past it the cache starts again (SQL built per call stays bounded). */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * `LIMIT n` written into the SQL text: no SQLite statement binds its limit.
 * SQLite (3.4x) plans with the value of a bound `LIMIT ?`, so it marks the
 * statement to be compiled again whenever that parameter is bound: every run
 * parsed and planned the statement anew (measured with perf: 3 % of a server
 * process's CPU under decisions, the subject's events read 20 µs slower).
 * With the number in the text each limit is one statement, compiled once and
 * kept in the statement cache ({@link cachePreparedStatements}).
 */
export function sqlLimit(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`A LIMIT must be a non-negative integer, not ${n}`);
  return `LIMIT ${n}`;
}

/**
 * Stores call `prepare(sql)` where they run a query; compiling SQL costs tens
 * of microseconds, more than most of our queries take to run. The connection
 * therefore keeps each statement it prepared, by its text, and hands the same
 * one back. A statement's mode (`pluck()`) goes with its call site's SQL text,
 * and better-sqlite3 is synchronous, so no two callers use one at once.
 */
export function cachePreparedStatements(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, BetterSqlite3.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
  return sqlite;
}

/** Connects to PostgreSQL, using `schema` (created if missing), and applies migrations. */
export async function openPostgres(url: string, schema = 'public', max = 10): Promise<PostgresDb> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => {});
  const db: PostgresDb = {
    kind: 'postgres',
    pool,
    schema,
    close: async () => {
      await pool.end();
    },
  };
  await migrate(db);
  return db;
}

/** Opens the store the configuration names. */
export async function openDatabase(config: Config): Promise<Db> {
  if (config.store === 'postgres') {
    if (!config.databaseUrl) throw new Error('DATABASE_URL is required for the PostgreSQL store.');
    return openPostgres(config.databaseUrl, config.pgSchema);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openSqlite(join(config.dataDir, 'pertinent.db'));
}

/** Runs `fn` in one PostgreSQL transaction on one client. */
export async function pgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
