import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { EntryDraft } from '../../core/consent/ledger.ts';
import { sealEntries } from '../../core/consent/ledger.ts';
import { subjectRefOf } from '../../core/consent/pseudonym.ts';
import type { Db } from '../../platform/db/database.ts';
import { listMigrations, migrate } from '../../platform/db/migrate.ts';
import { testDatabaseUrl } from '../../platform/db/testing.ts';
import { PostgresRightsStore } from '../rights/rights.store.postgres.ts';
import { SqliteRightsStore } from '../rights/rights.store.sqlite.ts';
import { ConsentService } from './consent.service.ts';
import { PostgresConsentStore } from './consent.store.postgres.ts';
import { SqliteConsentStore } from './consent.store.sqlite.ts';

/** A database migrated up to (not including) 0008, as deployments before ledger pseudonyms had it. */
async function beforePseudonyms(kind: Db['kind']): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  const old = listMigrations(kind).filter((m) => m.version < 8);
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'pertinent-legacy-'));
    const sqlite = new BetterSqlite3(join(dir, 'pertinent.db'));
    sqlite.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of old) {
      sqlite.exec(m.sql);
      sqlite.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    const db: Db = {
      kind: 'sqlite',
      sqlite,
      close: async () => {
        sqlite.close();
      },
    };
    return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = testDatabaseUrl as string;
  const schema = `t_${process.pid}_legacy_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  await pool.query(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
  );
  for (const m of old) {
    await pool.query(m.sql);
    await pool.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
  }
  const db: Db = { kind: 'postgres', pool, schema, close: () => pool.end() };
  return {
    db,
    cleanup: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

async function run(db: Db, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (db.kind === 'sqlite') {
    const stmt = db.sqlite.prepare(sql.replace(/\$\d+/g, '?'));
    if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
    stmt.run(...params);
    return [];
  }
  return (await db.pool.query(sql, params)).rows;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !testDatabaseUrl ? 'TEST_DATABASE_URL is not set' : false;
  describe(`ledger pseudonyms over a ledger written before them [${kind}]`, { skip }, () => {
    test('old entries keep verifying and stay readable; new entries carry a pseudonym; erasure removes both mappings', async () => {
      const { db, cleanup } = await beforePseudonyms(kind);
      try {
        await run(
          db,
          "INSERT INTO tenants (id, name, subject_token_secret, created_at) VALUES ('shop', 'shop', 'x', 0)",
        );
        const draft = (status: 'granted' | 'withdrawn', at: number): EntryDraft => ({
          subjectId: 'alice',
          purpose: 'personalization',
          status,
          method: status === 'granted' ? 'accepted' : 'withdrawn',
          policyVersion: 'v0',
          noticeHash: null,
          jurisdiction: null,
          source: 'legacy',
          tcString: null,
          gppString: null,
          recordedAt: at,
        });
        const { entries, head } = sealEntries('shop', undefined, [draft('granted', 1), draft('withdrawn', 2)]);
        for (const e of entries) {
          await run(
            db,
            `INSERT INTO consent_ledger (tenant_id, seq, subject_id, purpose, status, method, policy_version, notice_hash,
               jurisdiction, source, tc_string, gpp_string, recorded_at, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [
              e.tenantId,
              e.seq,
              e.subjectId,
              e.purpose,
              e.status,
              e.method,
              e.policyVersion,
              e.noticeHash,
              null,
              e.source,
              null,
              null,
              e.recordedAt,
              e.prevHash,
              e.hash,
            ],
          );
        }
        await run(db, 'INSERT INTO consent_ledger_heads VALUES ($1, $2, $3, 0)', ['shop', head.lastSeq, head.lastHash]);
        await run(
          db,
          `INSERT INTO consent_states (tenant_id, subject_id, purpose, status, method, policy_version, seq, recorded_at)
           VALUES ('shop', 'alice', 'personalization', 'withdrawn', 'withdrawn', 'v0', 2, 2)`,
        );

        assert.deepEqual((await migrate(db)).filter((v) => v >= 8).slice(0, 2), [8, 9]);
        const consent = new ConsentService(
          db.kind === 'sqlite' ? new SqliteConsentStore(db) : new PostgresConsentStore(db),
        );
        assert.deepEqual(await consent.verifyLedger('shop'), {
          ok: true,
          count: 2,
          headSeq: 2,
          headHash: head.lastHash,
        });
        const old = await consent.history('shop', 'alice');
        assert.deepEqual(
          old.map((e) => [e.seq, e.subjectId, e.subjectRef]),
          [
            [1, 'alice', 'alice'],
            [2, 'alice', 'alice'],
          ],
        );

        await consent.registerPolicy('shop', { version: 'v1', noticeText: 'notice' });
        await consent.record('shop', {
          subjectId: 'alice',
          policyVersion: 'v1',
          source: 'test',
          choices: [{ purpose: 'measurement', status: 'granted' }],
        });
        const ledgerSubject = await consent.ledgerSubject('shop', 'alice');
        assert.ok(ledgerSubject?.pseudonym);
        assert.equal(ledgerSubject.subjectRef, subjectRefOf(ledgerSubject.pseudonym));
        const all = await consent.history('shop', 'alice');
        assert.deepEqual(
          all.map((e) => e.subjectRef),
          ['alice', 'alice', ledgerSubject.subjectRef],
        );
        assert.equal((await consent.verifyLedger('shop')).ok, true);

        const rights = db.kind === 'sqlite' ? new SqliteRightsStore(db) : new PostgresRightsStore(db);
        const counts = await rights.eraseSubject(
          'shop',
          'alice',
          { subjectHmac: 'h', erasedAt: 3 },
          {
            tenantId: 'shop',
            id: 'r1',
            kind: 'erasure',
            actorScope: 'cli',
            receivedAt: 3,
            outcome: 'completed',
            subjectId: null,
            counts: null,
          },
        );
        assert.equal(counts.ledgerPseudonyms, 2, 'the legacy and the pseudonymous mapping');
        assert.deepEqual(await consent.history('shop', 'alice'), []);
        assert.equal((await consent.verifyLedger('shop')).ok, true);
        // Stated in ADR 0010: entries written before pseudonyms keep the raw id; later ones do not.
        const refs = (await run(db, 'SELECT subject_ref FROM consent_ledger ORDER BY seq')).map((r) => r.subject_ref);
        assert.deepEqual(refs, ['alice', 'alice', ledgerSubject.subjectRef]);
      } finally {
        await db.close();
        await cleanup();
      }
    });
  });
}
