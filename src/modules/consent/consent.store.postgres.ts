import type { LedgerEntry, LedgerHead } from '../../core/consent/ledger.ts';
import { sealEntries } from '../../core/consent/ledger.ts';
import type { LedgerSubject } from '../../core/consent/pseudonym.ts';
import type { LatestChoice } from '../../core/consent/state.ts';
import type { PostgresDb } from '../../platform/db/database.ts';
import { pgTransaction } from '../../platform/db/database.ts';
import type { EntryRow, HeadRow, PolicyRow, StateRow } from './consent.store.sqlite.ts';
import {
  ENTRY_COLUMNS,
  entryFromRow,
  entryValues,
  headFromRow,
  LEDGER_SUBJECT_SQL,
  latestFromRow,
  newLedgerSubject,
  policyFromRow,
  SUBJECT_ENTRIES_SQL,
} from './consent.store.sqlite.ts';
import type { AppendPlan, ConsentStore, CurrentPolicy, PolicyRecord } from './consent.store.ts';

const ENTRY_WIDTH = ENTRY_COLUMNS.split(',').length;

export class PostgresConsentStore implements ConsentStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async insertPolicy(p: PolicyRecord): Promise<boolean> {
    const r = await this.#pool.query(
      'INSERT INTO consent_policies (tenant_id, version, notice_hash, notice_text, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [p.tenantId, p.version, p.noticeHash, p.noticeText, p.createdAt],
    );
    return r.rowCount === 1;
  }

  async findPolicy(tenantId: string, version: string): Promise<PolicyRecord | undefined> {
    const { rows } = await this.#pool.query<PolicyRow>(
      'SELECT * FROM consent_policies WHERE tenant_id = $1 AND version = $2',
      [tenantId, version],
    );
    return rows[0] && policyFromRow(rows[0]);
  }

  async listPolicies(tenantId: string): Promise<PolicyRecord[]> {
    const { rows } = await this.#pool.query<PolicyRow>(
      'SELECT * FROM consent_policies WHERE tenant_id = $1 ORDER BY created_at, version',
      [tenantId],
    );
    return rows.map(policyFromRow);
  }

  async setCurrentPolicy(tenantId: string, version: string, since: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO consent_current_policy (tenant_id, version, since) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version, since = excluded.since`,
      [tenantId, version, since],
    );
  }

  async findCurrentPolicy(tenantId: string): Promise<CurrentPolicy | undefined> {
    const { rows } = await this.#pool.query<{ version: string; since: string | number }>(
      'SELECT version, since FROM consent_current_policy WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0] && { version: rows[0].version, since: Number(rows[0].since) };
  }

  async append(tenantId: string, subjectId: string, plan: AppendPlan, now: number): Promise<LedgerEntry[]> {
    return pgTransaction(this.#pool, async (client) => {
      // Several stateless nodes may append at once: the head row, locked FOR
      // UPDATE, serialises the appends of one tenant (others are not blocked).
      await client.query(
        `INSERT INTO consent_ledger_heads (tenant_id, last_seq, last_hash, updated_at)
         VALUES ($1, 0, repeat('0', 64), $2) ON CONFLICT (tenant_id) DO NOTHING`,
        [tenantId, now],
      );
      const headRes = await client.query<HeadRow>(
        'SELECT tenant_id, last_seq, last_hash FROM consent_ledger_heads WHERE tenant_id = $1 FOR UPDATE',
        [tenantId],
      );
      const headRow = headRes.rows[0];
      const { rows: stateRows } = await client.query<StateRow>(
        'SELECT purpose, status, method, policy_version, seq, recorded_at FROM consent_states WHERE tenant_id = $1 AND subject_id = $2',
        [tenantId, subjectId],
      );
      const drafts = plan(stateRows.map(latestFromRow));
      if (drafts.length === 0) return [];
      const current = headRow && Number(headRow.last_seq) > 0 ? headFromRow(headRow) : undefined;
      const fresh = newLedgerSubject();
      await client.query(
        `INSERT INTO consent_subjects (tenant_id, subject_id, pseudonym, subject_ref, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, subject_id) WHERE pseudonym IS NOT NULL DO NOTHING`,
        [tenantId, subjectId, fresh.pseudonym, fresh.subjectRef, now],
      );
      const { rows: refRows } = await client.query<{ subject_ref: string }>(
        'SELECT subject_ref FROM consent_subjects WHERE tenant_id = $1 AND subject_id = $2 AND pseudonym IS NOT NULL',
        [tenantId, subjectId],
      );
      const ref = (refRows[0] as { subject_ref: string }).subject_ref;
      const { entries, head } = sealEntries(
        tenantId,
        current,
        drafts.map((d) => ({ ...d, subjectId: ref })),
      );
      const placeholders = entries
        .map((_, i) => `(${Array.from({ length: ENTRY_WIDTH }, (_, j) => `$${i * ENTRY_WIDTH + j + 1}`).join(', ')})`)
        .join(', ');
      await client.query(
        `INSERT INTO consent_ledger (${ENTRY_COLUMNS}) VALUES ${placeholders}`,
        entries.flatMap(entryValues),
      );
      for (const e of entries) {
        await client.query(
          `INSERT INTO consent_states (tenant_id, subject_id, purpose, status, method, policy_version, seq, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (tenant_id, subject_id, purpose) DO UPDATE SET status = excluded.status, method = excluded.method,
             policy_version = excluded.policy_version, seq = excluded.seq, recorded_at = excluded.recorded_at`,
          [e.tenantId, subjectId, e.purpose, e.status, e.method, e.policyVersion, e.seq, e.recordedAt],
        );
      }
      await client.query(
        'UPDATE consent_ledger_heads SET last_seq = $2, last_hash = $3, updated_at = $4 WHERE tenant_id = $1',
        [tenantId, head.lastSeq, head.lastHash, now],
      );
      return entries;
    });
  }

  async listLatest(tenantId: string, subjectId: string): Promise<LatestChoice[]> {
    const { rows } = await this.#pool.query<StateRow>(
      'SELECT purpose, status, method, policy_version, seq, recorded_at FROM consent_states WHERE tenant_id = $1 AND subject_id = $2',
      [tenantId, subjectId],
    );
    return rows.map(latestFromRow);
  }

  async listSubjectEntries(
    tenantId: string,
    subjectId: string,
    afterSeq: number,
    limit: number,
  ): Promise<LedgerEntry[]> {
    const { rows } = await this.#pool.query<EntryRow>(SUBJECT_ENTRIES_SQL, [tenantId, subjectId, afterSeq, limit]);
    return rows.map(entryFromRow);
  }

  async findLedgerSubject(tenantId: string, subjectId: string): Promise<LedgerSubject | undefined> {
    const { rows } = await this.#pool.query<{ pseudonym: string | null; subject_ref: string }>(LEDGER_SUBJECT_SQL, [
      tenantId,
      subjectId,
    ]);
    return rows[0] && { pseudonym: rows[0].pseudonym, subjectRef: rows[0].subject_ref };
  }

  async listEntries(tenantId: string, afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    const { rows } = await this.#pool.query<EntryRow>(
      'SELECT * FROM consent_ledger WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [tenantId, afterSeq, limit],
    );
    return rows.map(entryFromRow);
  }

  async findHead(tenantId: string): Promise<LedgerHead | undefined> {
    const { rows } = await this.#pool.query<HeadRow>(
      'SELECT tenant_id, last_seq, last_hash FROM consent_ledger_heads WHERE tenant_id = $1',
      [tenantId],
    );
    return rows[0] && headFromRow(rows[0]);
  }
}
