import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Db } from './database.ts';
import { openPostgres, openSqlite } from './database.ts';

/** The PostgreSQL URL for tests; when unset, PostgreSQL suites are skipped (CI sets it). */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

/** A fresh, migrated SQLite database in a temporary directory. */
export async function freshSqlite(): Promise<{ db: Db; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'pertinent-test-'));
  const db = await openSqlite(join(dir, 'pertinent.db'));
  return {
    db,
    dir,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, migrated PostgreSQL schema of its own, dropped by `cleanup`. */
export async function freshPostgres(url: string): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const db = await openPostgres(url, schema, 4);
  return {
    db,
    cleanup: async () => {
      await db.close();
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** Another connection (pool) to the same database, as a second server node has. */
export async function openAnotherHandle(db: Db): Promise<Db> {
  if (db.kind === 'sqlite') return openSqlite(db.sqlite.name);
  return openPostgres(testDatabaseUrl as string, db.schema, 4);
}

/**
 * Runs the same suite against every store: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL is set (otherwise the suite is reported as skipped, saying
 * why). `suite` receives a getter for the database of the current store.
 */
export function describeEachStore(name: string, suite: (getDb: () => Db, kind: Db['kind']) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const skip = kind === 'postgres' && !testDatabaseUrl ? 'TEST_DATABASE_URL is not set' : false;
    describe(`${name} [${kind}]`, { skip }, () => {
      let db: Db | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      before(async () => {
        const fresh = kind === 'sqlite' ? await freshSqlite() : await freshPostgres(testDatabaseUrl as string);
        db = fresh.db;
        cleanup = fresh.cleanup;
      });
      after(async () => {
        await cleanup?.();
      });
      suite(() => {
        if (!db) throw new Error('database not opened yet');
        return db;
      }, kind);
    });
  }
}
