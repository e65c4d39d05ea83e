import { randomBytes } from 'node:crypto';
import type { ConsentMethod, ConsentStatus, LedgerEntry, LedgerHead } from '../../core/consent/ledger.ts';
import { sealEntries } from '../../core/consent/ledger.ts';
import type { LedgerSubject } from '../../core/consent/pseudonym.ts';
import { subjectRefOf } from '../../core/consent/pseudonym.ts';
import type { LatestChoice } from '../../core/consent/state.ts';
import type { Purpose } from '../../core/purposes.ts';
import { type SqliteDb, sqlLimit } from '../../platform/db/database.ts';
import type { AppendPlan, ConsentStore, CurrentPolicy, PolicyRecord } from './consent.store.ts';

export interface PolicyRow {
  tenant_id: string;
  version: string;
  notice_hash: string;
  notice_text: string;
  created_at: number | string;
}
export interface EntryRow {
  tenant_id: string;
  seq: number | string;
  subject_ref: string;
  purpose: string;
  status: string;
  method: string;
  policy_version: string | null;
  notice_hash: string | null;
  jurisdiction: string | null;
  source: string;
  tc_string: string | null;
  gpp_string: string | null;
  recorded_at: number | string;
  prev_hash: string;
  hash: string;
}
export interface StateRow {
  purpose: string;
  status: string;
  method: string;
  policy_version: string | null;
  seq: number | string;
  recorded_at: number | string;
}
export interface HeadRow {
  tenant_id: string;
  last_seq: number | string;
  last_hash: string;
}

export const policyFromRow = (r: PolicyRow): PolicyRecord => ({
  tenantId: r.tenant_id,
  version: r.version,
  noticeHash: r.notice_hash,
  noticeText: r.notice_text,
  createdAt: Number(r.created_at),
});

export const entryFromRow = (r: EntryRow): LedgerEntry => ({
  tenantId: r.tenant_id,
  seq: Number(r.seq),
  subjectId: r.subject_ref,
  purpose: r.purpose as Purpose,
  status: r.status as ConsentStatus,
  method: r.method as ConsentMethod,
  policyVersion: r.policy_version,
  noticeHash: r.notice_hash,
  jurisdiction: r.jurisdiction,
  source: r.source,
  tcString: r.tc_string,
  gppString: r.gpp_string,
  recordedAt: Number(r.recorded_at),
  prevHash: r.prev_hash,
  hash: r.hash,
});

export const latestFromRow = (r: StateRow): LatestChoice => ({
  purpose: r.purpose as Purpose,
  status: r.status as ConsentStatus,
  method: r.method as ConsentMethod,
  policyVersion: r.policy_version,
  seq: Number(r.seq),
  recordedAt: Number(r.recorded_at),
});

export const headFromRow = (r: HeadRow): LedgerHead => ({
  tenantId: r.tenant_id,
  lastSeq: Number(r.last_seq),
  lastHash: r.last_hash,
});

/** The columns of an entry, in the order of INSERT_ENTRY's placeholders. */
export const entryValues = (e: LedgerEntry) => [
  e.tenantId,
  e.seq,
  e.subjectId,
  e.purpose,
  e.status,
  e.method,
  e.policyVersion,
  e.noticeHash,
  e.jurisdiction,
  e.source,
  e.tcString,
  e.gppString,
  e.recordedAt,
  e.prevHash,
  e.hash,
];
export const ENTRY_COLUMNS =
  'tenant_id, seq, subject_ref, purpose, status, method, policy_version, notice_hash, jurisdiction, source, tc_string, gpp_string, recorded_at, prev_hash, hash';

/** A new random ledger pseudonym (144 bits) and its reference. */
export function newLedgerSubject(): { pseudonym: string; subjectRef: string } {
  const pseudonym = randomBytes(18).toString('base64url');
  return { pseudonym, subjectRef: subjectRefOf(pseudonym) };
}

/** Entries of one subject: joined through the pseudonym mapping. */
export const SUBJECT_ENTRIES_SQL = `SELECT l.* FROM consent_ledger l
  JOIN consent_subjects s ON s.tenant_id = l.tenant_id AND s.subject_ref = l.subject_ref
  WHERE l.tenant_id = $1 AND s.subject_id = $2 AND l.seq > $3 ORDER BY l.seq LIMIT $4`;

/** The reference a subject's new entries carry: the pseudonymous one, else the legacy raw id. */
export const LEDGER_SUBJECT_SQL = `SELECT pseudonym, subject_ref FROM consent_subjects
  WHERE tenant_id = $1 AND subject_id = $2 ORDER BY (pseudonym IS NULL), created_at LIMIT 1`;

export class SqliteConsentStore implements ConsentStore {
  readonly #db: SqliteDb['sqlite'];
  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
  }

  async insertPolicy(p: PolicyRecord): Promise<boolean> {
    const r = this.#db
      .prepare(
        'INSERT INTO consent_policies (tenant_id, version, notice_hash, notice_text, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(p.tenantId, p.version, p.noticeHash, p.noticeText, p.createdAt);
    return r.changes === 1;
  }

  async findPolicy(tenantId: string, version: string): Promise<PolicyRecord | undefined> {
    const row = this.#db
      .prepare('SELECT * FROM consent_policies WHERE tenant_id = ? AND version = ?')
      .get(tenantId, version) as PolicyRow | undefined;
    return row && policyFromRow(row);
  }

  async listPolicies(tenantId: string): Promise<PolicyRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM consent_policies WHERE tenant_id = ? ORDER BY created_at, version')
      .all(tenantId) as PolicyRow[];
    return rows.map(policyFromRow);
  }

  async setCurrentPolicy(tenantId: string, version: string, since: number): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO consent_current_policy (tenant_id, version, since) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version, since = excluded.since',
      )
      .run(tenantId, version, since);
  }

  async findCurrentPolicy(tenantId: string): Promise<CurrentPolicy | undefined> {
    const row = this.#db
      .prepare('SELECT version, since FROM consent_current_policy WHERE tenant_id = ?')
      .get(tenantId) as { version: string; since: number } | undefined;
    return row && { version: row.version, since: Number(row.since) };
  }

  async append(tenantId: string, subjectId: string, plan: AppendPlan, now: number): Promise<LedgerEntry[]> {
    const db = this.#db;
    // IMMEDIATE: take the write lock before reading the head, so that another
    // process appending to the same file cannot read the same head.
    return db
      .transaction(() => {
        const latest = this.#latest(tenantId, subjectId);
        const drafts = plan(latest);
        if (drafts.length === 0) return [];
        const headRow = db
          .prepare('SELECT tenant_id, last_seq, last_hash FROM consent_ledger_heads WHERE tenant_id = ?')
          .get(tenantId) as HeadRow | undefined;
        let subject = db
          .prepare(
            'SELECT subject_ref FROM consent_subjects WHERE tenant_id = ? AND subject_id = ? AND pseudonym IS NOT NULL',
          )
          .get(tenantId, subjectId) as { subject_ref: string } | undefined;
        if (!subject) {
          const fresh = newLedgerSubject();
          db.prepare(
            'INSERT INTO consent_subjects (tenant_id, subject_id, pseudonym, subject_ref, created_at) VALUES (?, ?, ?, ?, ?)',
          ).run(tenantId, subjectId, fresh.pseudonym, fresh.subjectRef, now);
          subject = { subject_ref: fresh.subjectRef };
        }
        const ref = subject.subject_ref;
        const { entries, head } = sealEntries(
          tenantId,
          headRow && headFromRow(headRow),
          drafts.map((d) => ({ ...d, subjectId: ref })),
        );
        const insert = db.prepare(
          `INSERT INTO consent_ledger (${ENTRY_COLUMNS}) VALUES (${ENTRY_COLUMNS.split(',')
            .map(() => '?')
            .join(', ')})`,
        );
        const upsertState = db.prepare(
          `INSERT INTO consent_states (tenant_id, subject_id, purpose, status, method, policy_version, seq, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, subject_id, purpose) DO UPDATE SET status = excluded.status, method = excluded.method,
             policy_version = excluded.policy_version, seq = excluded.seq, recorded_at = excluded.recorded_at`,
        );
        for (const e of entries) {
          insert.run(...entryValues(e));
          upsertState.run(e.tenantId, subjectId, e.purpose, e.status, e.method, e.policyVersion, e.seq, e.recordedAt);
        }
        db.prepare(
          `INSERT INTO consent_ledger_heads (tenant_id, last_seq, last_hash, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash, updated_at = excluded.updated_at`,
        ).run(tenantId, head.lastSeq, head.lastHash, now);
        return entries;
      })
      .immediate();
  }

  async listLatest(tenantId: string, subjectId: string): Promise<LatestChoice[]> {
    return this.#latest(tenantId, subjectId);
  }

  /** The subject's latest choice per purpose. Read on every decision: rows as arrays (an object row costs its column names again, per row). */
  #latest(tenantId: string, subjectId: string): LatestChoice[] {
    const rows = this.#db
      .prepare(
        'SELECT purpose, status, method, policy_version, seq, recorded_at FROM consent_states WHERE tenant_id = ? AND subject_id = ?',
      )
      .raw(true)
      .all(tenantId, subjectId) as [string, string, string, string | null, number, number][];
    return rows.map(([purpose, status, method, policy_version, seq, recorded_at]) =>
      latestFromRow({ purpose, status, method, policy_version, seq, recorded_at }),
    );
  }

  async listSubjectEntries(
    tenantId: string,
    subjectId: string,
    afterSeq: number,
    limit: number,
  ): Promise<LedgerEntry[]> {
    const rows = this.#db
      .prepare(SUBJECT_ENTRIES_SQL.replace('LIMIT $4', sqlLimit(limit)).replace(/\$\d/g, '?'))
      .all(tenantId, subjectId, afterSeq) as EntryRow[];
    return rows.map(entryFromRow);
  }

  async findLedgerSubject(tenantId: string, subjectId: string): Promise<LedgerSubject | undefined> {
    const row = this.#db.prepare(LEDGER_SUBJECT_SQL.replace(/\$\d/g, '?')).get(tenantId, subjectId) as
      | { pseudonym: string | null; subject_ref: string }
      | undefined;
    return row && { pseudonym: row.pseudonym, subjectRef: row.subject_ref };
  }

  async listEntries(tenantId: string, afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    const rows = this.#db
      .prepare(`SELECT * FROM consent_ledger WHERE tenant_id = ? AND seq > ? ORDER BY seq ${sqlLimit(limit)}`)
      .all(tenantId, afterSeq) as EntryRow[];
    return rows.map(entryFromRow);
  }

  async findHead(tenantId: string): Promise<LedgerHead | undefined> {
    const row = this.#db
      .prepare('SELECT tenant_id, last_seq, last_hash FROM consent_ledger_heads WHERE tenant_id = ?')
      .get(tenantId) as HeadRow | undefined;
    return row && headFromRow(row);
  }
}
