import { randomBytes } from 'node:crypto';
import type { Purpose } from '../../core/purposes.ts';
import type { PostgresDb } from '../../platform/db/database.ts';
import { pgTransaction } from '../../platform/db/database.ts';
import type { EventRow } from '../events/events.store.sqlite.ts';
import { EVENT_COLUMNS, eventFromRow } from '../events/events.store.sqlite.ts';
import type { ModelRemovalRow, RequestRow, SubjectDecisionRow } from './rights.store.sqlite.ts';
import {
  decisionHoldings,
  ERASE_STATEMENTS,
  emptyCounts,
  INSERT_REQUEST,
  modelRemovalFromRow,
  requestFromRow,
  requestValues,
  SUBJECT_DECISIONS,
} from './rights.store.sqlite.ts';

import type {
  EncryptedField,
  ErasureCounts,
  ModelRemoval,
  Restrictions,
  RightsRequestRecord,
  RightsStore,
  SubjectHoldings,
  SweepCounts,
  SweepCutoffs,
} from './rights.store.ts';

const INSERT_MODEL_REMOVAL = 'INSERT INTO model_removals (tenant_id, subject_hmac, created_at) VALUES ($1, $2, $3)';

export class PostgresRightsStore implements RightsStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async logRequest(record: RightsRequestRecord): Promise<void> {
    await this.#pool.query(INSERT_REQUEST, requestValues(record));
  }

  async listRequests(tenantId: string, since: number | undefined, limit: number): Promise<RightsRequestRecord[]> {
    const { rows } = await this.#pool.query<RequestRow>(
      'SELECT * FROM rights_requests WHERE tenant_id = $1 AND received_at >= $2 ORDER BY received_at DESC, id LIMIT $3',
      [tenantId, since ?? 0, limit],
    );
    return rows.map(requestFromRow);
  }

  async listSubjectRequests(tenantId: string, subjectId: string): Promise<RightsRequestRecord[]> {
    const { rows } = await this.#pool.query<RequestRow>(
      'SELECT * FROM rights_requests WHERE tenant_id = $1 AND subject_id = $2 ORDER BY received_at, id',
      [tenantId, subjectId],
    );
    return rows.map(requestFromRow);
  }

  async findRestrictions(tenantId: string, subjectId: string): Promise<Restrictions | undefined> {
    const { rows } = await this.#pool.query<{
      object_to_profiling: boolean;
      restrict_processing: boolean;
      updated_at: number;
    }>(
      'SELECT object_to_profiling, restrict_processing, updated_at FROM subject_restrictions WHERE tenant_id = $1 AND subject_id = $2',
      [tenantId, subjectId],
    );
    const row = rows[0];
    return (
      row && {
        objectToProfiling: row.object_to_profiling,
        restrictProcessing: row.restrict_processing,
        updatedAt: Number(row.updated_at),
      }
    );
  }

  async putRestrictions(tenantId: string, subjectId: string, r: Restrictions, log: RightsRequestRecord): Promise<void> {
    await pgTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO subject_restrictions (tenant_id, subject_id, object_to_profiling, restrict_processing, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, subject_id) DO UPDATE SET object_to_profiling = excluded.object_to_profiling,
           restrict_processing = excluded.restrict_processing, updated_at = excluded.updated_at`,
        [tenantId, subjectId, r.objectToProfiling, r.restrictProcessing, r.updatedAt ?? 0],
      );
      await client.query(INSERT_REQUEST, requestValues(log));
    });
  }

  async subjectHoldings(tenantId: string, subjectId: string): Promise<SubjectHoldings> {
    const [events, decisions] = await Promise.all([
      this.#pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE tenant_id = $1 AND subject_id = $2 ORDER BY occurred_at, event_id`,
        [tenantId, subjectId],
      ),
      this.#pool.query<SubjectDecisionRow>(SUBJECT_DECISIONS, [tenantId, subjectId]),
    ]);
    return { events: events.rows.map(eventFromRow), ...decisionHoldings(decisions.rows) };
  }

  async erasureSecret(tenantId: string, now: number): Promise<string> {
    await this.#pool.query(
      'INSERT INTO erasure_keys (tenant_id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [tenantId, randomBytes(32).toString('hex'), now],
    );
    const { rows } = await this.#pool.query<{ secret: string }>(
      'SELECT secret FROM erasure_keys WHERE tenant_id = $1',
      [tenantId],
    );
    return (rows[0] as { secret: string }).secret;
  }

  async eraseSubject(
    tenantId: string,
    subjectId: string,
    tombstone: { subjectHmac: string; erasedAt: number },
    log: RightsRequestRecord,
  ): Promise<ErasureCounts> {
    return pgTransaction(this.#pool, async (client) => {
      const counts = emptyCounts();
      for (const [key, sql] of ERASE_STATEMENTS) {
        counts[key] += (await client.query(sql, [tenantId, subjectId])).rowCount ?? 0;
      }
      await client.query(
        `INSERT INTO erasure_tombstones (tenant_id, subject_hmac, erased_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, subject_hmac) DO UPDATE SET erased_at = excluded.erased_at`,
        [tenantId, tombstone.subjectHmac, tombstone.erasedAt],
      );
      await client.query(INSERT_MODEL_REMOVAL, [tenantId, tombstone.subjectHmac, tombstone.erasedAt]);
      await client.query(INSERT_REQUEST, requestValues({ ...log, counts: { ...counts } }));
      return counts;
    });
  }

  async findTombstones(tenantId: string, hmacs: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.#pool.query<{ subject_hmac: string; erased_at: number }>(
      'SELECT subject_hmac, erased_at FROM erasure_tombstones WHERE tenant_id = $1 AND subject_hmac = ANY($2::text[])',
      [tenantId, hmacs],
    );
    return new Map(rows.map((r) => [r.subject_hmac, Number(r.erased_at)]));
  }

  async appendModelRemoval(tenantId: string, subjectHmac: string, at: number): Promise<void> {
    await this.#pool.query(INSERT_MODEL_REMOVAL, [tenantId, subjectHmac, at]);
  }

  async listModelRemovals(since: number): Promise<ModelRemoval[]> {
    const { rows } = await this.#pool.query<ModelRemovalRow>(
      'SELECT seq, tenant_id, subject_hmac, created_at FROM model_removals WHERE created_at >= $1 ORDER BY seq',
      [since],
    );
    return rows.map(modelRemovalFromRow);
  }

  async deleteModelRemovals(before: number): Promise<number> {
    return (await this.#pool.query('DELETE FROM model_removals WHERE created_at < $1', [before])).rowCount ?? 0;
  }

  async deletePurposeData(
    tenantId: string,
    subjectId: string,
    purposes: readonly Purpose[],
  ): Promise<{ events: number; declarations: number }> {
    return pgTransaction(this.#pool, async (client) => {
      const events = await client.query(
        'DELETE FROM events WHERE tenant_id = $1 AND subject_id = $2 AND purpose = ANY($3::text[])',
        [tenantId, subjectId, purposes],
      );
      const declarations = await client.query(
        'DELETE FROM declarations WHERE tenant_id = $1 AND subject_id = $2 AND purpose = ANY($3::text[])',
        [tenantId, subjectId, purposes],
      );
      return { events: events.rowCount ?? 0, declarations: declarations.rowCount ?? 0 };
    });
  }

  async sweep(c: SweepCutoffs, dryRun: boolean): Promise<SweepCounts> {
    const { rows: tenantRows } = await this.#pool.query<{ tenant_id: string }>(
      'SELECT DISTINCT tenant_id FROM events WHERE occurred_at < $1',
      [c.events],
    );
    const tenants = tenantRows.map((r) => r.tenant_id);
    // Each: the rows past their cutoff ($1), and how they go. Counters live in
    // their decisions' rows (migration 0014) and are cleared before them.
    const plan: [keyof Omit<SweepCounts, 'tenants'>, string, string, 'delete' | 'clear counters', number][] = [
      ['events', 'events', 'occurred_at < $1', 'delete', c.events],
      ['counters', 'decisions', 'created_at < $1 AND counters IS NOT NULL', 'clear counters', c.counters],
      ['decisions', 'decisions', 'created_at < $1', 'delete', c.audit],
      ['rightsRequests', 'rights_requests', 'received_at < $1', 'delete', c.rightsLog],
      ['tombstones', 'erasure_tombstones', 'erased_at < $1', 'delete', c.tombstones],
    ];
    return pgTransaction(this.#pool, async (client) => {
      const out: Record<string, number> = {};
      for (const [key, table, where, how, cutoff] of plan) {
        const sql = dryRun
          ? `SELECT count(*)::bigint AS n FROM ${table} WHERE ${where}`
          : how === 'delete'
            ? `DELETE FROM ${table} WHERE ${where}`
            : `UPDATE ${table} SET counters = NULL WHERE ${where}`;
        const result = await client.query<{ n: number }>(sql, [cutoff]);
        out[key] = dryRun ? Number(result.rows[0]?.n ?? 0) : (result.rowCount ?? 0);
      }
      return {
        events: out.events ?? 0,
        counters: out.counters ?? 0,
        decisions: out.decisions ?? 0,
        rightsRequests: out.rightsRequests ?? 0,
        tombstones: out.tombstones ?? 0,
        tenants,
      };
    });
  }

  async listEncryptedFields(
    after: readonly [string, string, string] | undefined,
    limit: number,
  ): Promise<EncryptedField[]> {
    const [t, s, k] = after ?? ['', '', ''];
    const { rows } = await this.#pool.query<{ tenant_id: string; subject_id: string; kind: string; value: string }>(
      `SELECT tenant_id, subject_id, kind, value #>> '{}' AS value FROM declarations
        WHERE kind IN ('email', 'phone') AND (tenant_id, subject_id, kind) > ($1, $2, $3)
        ORDER BY tenant_id, subject_id, kind LIMIT $4`,
      [t, s, k, limit],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, subjectId: r.subject_id, kind: r.kind, value: r.value }));
  }

  async replaceEncryptedField(field: EncryptedField, expected: string): Promise<boolean> {
    const r = await this.#pool.query(
      `UPDATE declarations SET value = to_jsonb($1::text)
        WHERE tenant_id = $2 AND subject_id = $3 AND kind = $4 AND value = to_jsonb($5::text)`,
      [field.value, field.tenantId, field.subjectId, field.kind, expected],
    );
    return r.rowCount === 1;
  }
}
