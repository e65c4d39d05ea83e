import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { CounterIndex } from '../../core/decision/counters.ts';
import { PostgresDecisionStore } from '../../modules/decisions/decisions.store.postgres.ts';
import { SqliteDecisionStore } from '../../modules/decisions/decisions.store.sqlite.ts';
import type { DecisionStore } from '../../modules/decisions/decisions.store.ts';
import { PostgresRightsStore } from '../../modules/rights/rights.store.postgres.ts';
import { COUNTED_BEFORE, DECIDED_BEFORE, SqliteRightsStore } from '../../modules/rights/rights.store.sqlite.ts';
import type { RightsStore } from '../../modules/rights/rights.store.ts';
import type { SqliteDb } from './database.ts';
import { openPostgres } from './database.ts';
import { listMigrations, migrate } from './migrate.ts';
import { testDatabaseUrl } from './testing.ts';

/**
 * Rows as the stores wrote them before migration 0014: decisions, and their
 * counters in a table of their own (item impressions packed as one row of
 * scope 'items'). d2 and d3 are two decisions of s1 in the same millisecond.
 */
const BEFORE = `
  INSERT INTO tenants VALUES ('t1', 'Shop', 'secret', 1);
  INSERT INTO decisions (tenant_id, id, subject_id, placement, purpose, mode, record, created_at) VALUES
    ('t1', 'd1', 's1', 'home', 'personalization', 'personalized', '{}', 100),
    ('t1', 'd2', 's1', 'home', 'personalization', 'personalized', '{}', 200),
    ('t1', 'd3', 's1', 'home', 'personalization', 'personalized', '{}', 200),
    ('t1', 'd4', 's2', 'home', 'personalization', 'popular', '{}', 300),
    ('t1', 'd5', NULL, 'home', 'personalization', 'popular', '{}', 400);
  INSERT INTO decision_counters (tenant_id, subject_id, scope, key, at) VALUES
    ('t1', 's1', 'placement', 'home', 100),
    ('t1', 's1', 'items', '["a","b\\"q"]', 100),
    ('t1', 's1', 'placement', 'home', 200),
    ('t1', 's1', 'items', '["c"]', 200),
    ('t1', 's1', 'retarget', 'x,y', 200),
    ('t1', 's1', 'placement', 'home', 200),
    ('t1', 's1', 'items', '["d"]', 200);
`;

/** What must read back after the migration, by every store: each counted impression once. */
async function assertCarried(store: DecisionStore, rights: RightsStore): Promise<void> {
  const counters = CounterIndex.since(0);
  await store.readCounters('t1', 's1', counters);
  const read = counters
    .impressions()
    .map((c) => `${c.scope}:${c.key}@${c.at}`)
    .sort();
  assert.deepEqual(read, [
    'item:a@100',
    'item:b"q@100',
    'item:c@200',
    'item:d@200',
    'placement:home@100',
    'placement:home@200',
    'placement:home@200',
    'retarget:x,y@200',
  ]);
  const none = CounterIndex.since(0);
  await store.readCounters('t1', 's2', none);
  assert.deepEqual(none.impressions(), []);
  const holdings = await rights.subjectHoldings('t1', 's1');
  assert.equal(holdings.decisions.length, 3);
  assert.equal(holdings.counters.length, 8, 'the export lists every impression once');
}

const migrationsBefore14 = (dialect: 'sqlite' | 'postgres') => listMigrations(dialect).filter((m) => m.version < 14);

describe('migration 0014: counters move into their decisions', () => {
  test('sqlite: every impression is carried once, and reads and sweeps use the indexes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pertinent-0014-'));
    const sqlite = new BetterSqlite3(join(dir, 'pertinent.db'));
    sqlite.pragma('foreign_keys = ON');
    const db: SqliteDb = { kind: 'sqlite', sqlite, close: async () => void sqlite.close() };
    try {
      sqlite.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      for (const m of migrationsBefore14('sqlite')) {
        sqlite.exec(m.sql);
        sqlite.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
      }
      sqlite.exec(BEFORE);
      assert.deepEqual(await migrate(db), [14]);
      assert.equal(
        sqlite.prepare("SELECT counters FROM decisions WHERE id = 'd3'").pluck().get(),
        null,
        'the second decision of the same millisecond gets none (they went to the first)',
      );
      await assertCarried(new SqliteDecisionStore(db), new SqliteRightsStore(db));

      const plan = (sql: string) =>
        (
          sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => 0)) as {
            detail: string;
          }[]
        )
          .map((p) => p.detail)
          .join(' | ');
      assert.match(
        plan(
          'SELECT counters, created_at FROM decisions WHERE tenant_id = ? AND subject_id = ? AND created_at >= ? AND counters IS NOT NULL',
        ),
        /COVERING INDEX decisions_subject/,
      );
      // The sweep's terms (rights.store.sqlite.ts) are ranges of the age index, not scans.
      assert.match(plan(`SELECT count(*) FROM decisions WHERE ${COUNTED_BEFORE}`), /INDEX decisions_age/);
      assert.match(plan(`SELECT count(*) FROM decisions WHERE ${DECIDED_BEFORE}`), /INDEX decisions_age/);
      const sweep = await new SqliteRightsStore(db).sweep(
        { events: 0, counters: 150, audit: 50, rightsLog: 0, tombstones: 0 },
        false,
      );
      assert.equal(sweep.counters, 1, "d1's counters are past their limit");
      assert.equal(sweep.decisions, 0);
      const left = CounterIndex.since(0);
      await new SqliteDecisionStore(db).readCounters('t1', 's1', left);
      assert.equal(left.impressions().length, 5);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('postgres: every impression is carried once', {
    skip: testDatabaseUrl ? false : 'TEST_DATABASE_URL is not set',
  }, async () => {
    const url = testDatabaseUrl as string;
    const schema = `m14_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      await client.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      for (const m of migrationsBefore14('postgres')) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      await client.query(BEFORE);
      const db = await openPostgres(url, schema, 2); // applies 0014
      try {
        const { rows } = await client.query("SELECT counters FROM decisions WHERE id = 'd3'");
        assert.equal(rows[0]?.counters, null);
        await assertCarried(new PostgresDecisionStore(db), new PostgresRightsStore(db));
      } finally {
        await db.close();
      }
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
