import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { CounterIndex } from '../../core/decision/counters.ts';
import { SqliteConsentStore } from '../../modules/consent/consent.store.sqlite.ts';
import { SqliteDecisionStore } from '../../modules/decisions/decisions.store.sqlite.ts';
import { SqliteRightsStore } from '../../modules/rights/rights.store.sqlite.ts';
import type { SqliteDb } from './database.ts';
import { listMigrations, migrate } from './migrate.ts';

test('migration 0013 keeps every consent state, restriction and counter (through 0014), and decisions read them as before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pertinent-0013-'));
  const sqlite = new BetterSqlite3(join(dir, 'pertinent.db'));
  sqlite.pragma('foreign_keys = ON');
  sqlite.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  for (const m of listMigrations('sqlite').filter((m) => m.version < 13)) {
    sqlite.exec(m.sql);
    sqlite.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
  }
  sqlite.exec(`
    INSERT INTO tenants VALUES ('t1', 'Shop', 'secret', 1);
    INSERT INTO consent_states VALUES ('t1', 's1', 'personalization', 'granted', 'explicit', '1', 1, 10),
                                      ('t1', 's1', 'retargeting', 'denied', 'explicit', '1', 2, 11),
                                      ('t1', 's2', 'personalization', 'granted', 'explicit', NULL, 3, 12);
    INSERT INTO subject_restrictions VALUES ('t1', 's1', 1, 0, 20);
    INSERT INTO decisions (tenant_id, id, subject_id, placement, purpose, mode, record, created_at) VALUES
      ('t1', 'd1', 's1', 'home', 'personalization', 'popular', '{}', 100),
      ('t1', 'd2', 's1', 'home', 'personalization', 'popular', '{}', 200),
      ('t1', 'd3', 's2', 'home', 'personalization', 'popular', '{}', 300);
    INSERT INTO decision_counters VALUES ('t1', 's1', 'placement', 'home', 100),
                                         ('t1', 's1', 'items', '["a","b"]', 200),
                                         ('t1', 's2', 'placement', 'home', 300);
  `);
  const db: SqliteDb = {
    kind: 'sqlite',
    sqlite,
    close: async () => {
      sqlite.close();
    },
  };
  try {
    assert.deepEqual(await migrate(db), [13, 14]);
    const wr = (table: string) => sqlite.prepare('SELECT wr FROM pragma_table_list WHERE name = ?').pluck().get(table);
    assert.equal(wr('consent_states'), 1, 'consent_states is one B-tree');
    assert.equal(wr('subject_restrictions'), 1, 'subject_restrictions is one B-tree');

    const consent = new SqliteConsentStore(db);
    const latest = await consent.listLatest('t1', 's1');
    assert.deepEqual(latest.map((l) => [l.purpose, l.status, l.seq]).sort(), [
      ['personalization', 'granted', 1],
      ['retargeting', 'denied', 2],
    ]);
    assert.equal((await consent.listLatest('t1', 's2')).length, 1);
    const restrictions = await new SqliteRightsStore(db).findRestrictions('t1', 's1');
    assert.equal(restrictions?.objectToProfiling, true);
    assert.equal(restrictions?.restrictProcessing, false);
    const counters = CounterIndex.since(150);
    await new SqliteDecisionStore(db).readCounters('t1', 's1', counters);
    assert.deepEqual(
      counters.impressions().map((c) => [c.scope, c.key, c.at]),
      [
        ['item', 'a', 200],
        ['item', 'b', 200],
      ],
    );
    // The tenant's rows still go with it.
    sqlite.prepare("DELETE FROM tenants WHERE id = 't1'").run();
    assert.equal(sqlite.prepare('SELECT count(*) FROM consent_states').pluck().get(), 0);
    assert.equal(sqlite.prepare('SELECT count(*) FROM subject_restrictions').pluck().get(), 0);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
