import { randomBytes } from 'node:crypto';
import type { Purpose } from '../../core/purposes.ts';
import { type SqliteDb, sqlLimit } from '../../platform/db/database.ts';
import { type CounterRow, decodeAuditRecord, decodeCounters } from '../decisions/decisions.store.ts';
import type { EventRow } from '../events/events.store.sqlite.ts';
import { EVENT_COLUMNS, eventFromRow } from '../events/events.store.sqlite.ts';
import type {
  EncryptedField,
  ErasureCounts,
  ModelRemoval,
  Restrictions,
  RightsRequestRecord,
  RightsStore,
  StoredDecision,
  SubjectHoldings,
  SweepCounts,
  SweepCutoffs,
} from './rights.store.ts';

export interface RequestRow {
  tenant_id: string;
  id: string;
  kind: RightsRequestRecord['kind'];
  actor_scope: RightsRequestRecord['actorScope'];
  received_at: number | string;
  outcome: string;
  subject_id: string | null;
  counts: string | Record<string, number> | null;
}

export const requestFromRow = (r: RequestRow): RightsRequestRecord => ({
  tenantId: r.tenant_id,
  id: r.id,
  kind: r.kind,
  actorScope: r.actor_scope,
  receivedAt: Number(r.received_at),
  outcome: r.outcome,
  subjectId: r.subject_id,
  counts: r.counts === null ? null : typeof r.counts === 'string' ? JSON.parse(r.counts) : r.counts,
});

export const requestValues = (r: RightsRequestRecord) => [
  r.tenantId,
  r.id,
  r.kind,
  r.actorScope,
  r.receivedAt,
  r.outcome,
  r.subjectId,
  r.counts === null ? null : JSON.stringify(r.counts),
];

export const INSERT_REQUEST =
  'INSERT INTO rights_requests (tenant_id, id, kind, actor_scope, received_at, outcome, subject_id, counts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';

/** Every statement of an erasure, in order, with the count it feeds; $1 tenant, $2 subject. */
export const ERASE_STATEMENTS: [keyof ErasureCounts, string][] = [
  ['events', 'DELETE FROM events WHERE tenant_id = $1 AND subject_id = $2'],
  ['declarations', 'DELETE FROM declarations WHERE tenant_id = $1 AND subject_id = $2'],
  ['consentStates', 'DELETE FROM consent_states WHERE tenant_id = $1 AND subject_id = $2'],
  ['ledgerPseudonyms', 'DELETE FROM consent_subjects WHERE tenant_id = $1 AND subject_id = $2'],
  ['restrictions', 'DELETE FROM subject_restrictions WHERE tenant_id = $1 AND subject_id = $2'],
  // Counters live in their decisions' rows (migration 0014): counted, then gone with them.
  [
    'counters',
    'UPDATE decisions SET counters = NULL WHERE tenant_id = $1 AND subject_id = $2 AND counters IS NOT NULL',
  ],
  ['decisions', 'DELETE FROM decisions WHERE tenant_id = $1 AND subject_id = $2'],
  ['rightsRequestsAnonymised', 'UPDATE rights_requests SET subject_id = NULL WHERE tenant_id = $1 AND subject_id = $2'],
];

export const emptyCounts = (): ErasureCounts => ({
  events: 0,
  declarations: 0,
  consentStates: 0,
  ledgerPseudonyms: 0,
  restrictions: 0,
  decisions: 0,
  counters: 0,
  rightsRequestsAnonymised: 0,
});

const q = (sql: string) => sql.replace(/\$\d+/g, '?');

/** The subject's decisions as both stores read them for an export ($1 tenant, $2 subject). */
export const SUBJECT_DECISIONS =
  'SELECT id, placement, purpose, mode, created_at, record, counters FROM decisions WHERE tenant_id = $1 AND subject_id = $2 ORDER BY created_at, id';

export interface SubjectDecisionRow {
  id: string;
  placement: string;
  purpose: string;
  mode: string;
  created_at: number | string;
  record: string;
  counters: string | null;
}

/** The decisions and the frequency counters of an export, from {@link SUBJECT_DECISIONS}'s rows. */
export function decisionHoldings(rows: readonly SubjectDecisionRow[]): Pick<SubjectHoldings, 'decisions' | 'counters'> {
  const decisions: StoredDecision[] = [];
  const counters: CounterRow[] = [];
  for (const r of rows) {
    const createdAt = Number(r.created_at);
    decisions.push({
      id: r.id,
      placement: r.placement,
      purpose: r.purpose,
      mode: r.mode,
      createdAt,
      record: decodeAuditRecord(r.record),
    });
    if (r.counters !== null) decodeCounters(r.counters, createdAt, counters);
  }
  return { decisions, counters };
}

/**
 * Decisions by age, through their age index on (counters IS NULL, created_at)
 * (migration 0014): the counters to clear are one range of it, and all
 * decisions two. The terms name the indexed expression as it is written there.
 */
export const COUNTED_BEFORE = '(counters IS NULL) = 0 AND created_at < ?';
export const DECIDED_BEFORE = '(counters IS NULL) IN (0, 1) AND created_at < ?';

const INSERT_MODEL_REMOVAL = 'INSERT INTO model_removals (tenant_id, subject_hmac, created_at) VALUES (?, ?, ?)';

export interface ModelRemovalRow {
  seq: number | string;
  tenant_id: string;
  subject_hmac: string;
  created_at: number | string;
}

export const modelRemovalFromRow = (r: ModelRemovalRow): ModelRemoval => ({
  seq: Number(r.seq),
  tenantId: r.tenant_id,
  subjectHmac: r.subject_hmac,
  createdAt: Number(r.created_at),
});

export class SqliteRightsStore implements RightsStore {
  readonly #db: SqliteDb['sqlite'];
  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
  }

  async logRequest(record: RightsRequestRecord): Promise<void> {
    this.#db.prepare(q(INSERT_REQUEST)).run(...requestValues(record));
  }

  async listRequests(tenantId: string, since: number | undefined, limit: number): Promise<RightsRequestRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM rights_requests WHERE tenant_id = ? AND received_at >= ? ORDER BY received_at DESC, id ${sqlLimit(limit)}`,
      )
      .all(tenantId, since ?? 0) as RequestRow[];
    return rows.map(requestFromRow);
  }

  async listSubjectRequests(tenantId: string, subjectId: string): Promise<RightsRequestRecord[]> {
    const rows = this.#db
      .prepare('SELECT * FROM rights_requests WHERE tenant_id = ? AND subject_id = ? ORDER BY received_at, id')
      .all(tenantId, subjectId) as RequestRow[];
    return rows.map(requestFromRow);
  }

  async findRestrictions(tenantId: string, subjectId: string): Promise<Restrictions | undefined> {
    const row = this.#db
      .prepare(
        'SELECT object_to_profiling, restrict_processing, updated_at FROM subject_restrictions WHERE tenant_id = ? AND subject_id = ?',
      )
      .get(tenantId, subjectId) as
      | { object_to_profiling: number; restrict_processing: number; updated_at: number }
      | undefined;
    return (
      row && {
        objectToProfiling: row.object_to_profiling === 1,
        restrictProcessing: row.restrict_processing === 1,
        updatedAt: Number(row.updated_at),
      }
    );
  }

  async putRestrictions(tenantId: string, subjectId: string, r: Restrictions, log: RightsRequestRecord): Promise<void> {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO subject_restrictions (tenant_id, subject_id, object_to_profiling, restrict_processing, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, subject_id) DO UPDATE SET object_to_profiling = excluded.object_to_profiling,
             restrict_processing = excluded.restrict_processing, updated_at = excluded.updated_at`,
        )
        .run(tenantId, subjectId, r.objectToProfiling ? 1 : 0, r.restrictProcessing ? 1 : 0, r.updatedAt ?? 0);
      this.#db.prepare(q(INSERT_REQUEST)).run(...requestValues(log));
    })();
  }

  async subjectHoldings(tenantId: string, subjectId: string): Promise<SubjectHoldings> {
    const events = (
      this.#db
        .prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE tenant_id = ? AND subject_id = ? ORDER BY occurred_at, event_id`,
        )
        .all(tenantId, subjectId) as EventRow[]
    ).map(eventFromRow);
    const rows = this.#db.prepare(q(SUBJECT_DECISIONS)).all(tenantId, subjectId) as SubjectDecisionRow[];
    return { events, ...decisionHoldings(rows) };
  }

  async erasureSecret(tenantId: string, now: number): Promise<string> {
    this.#db
      .prepare('INSERT INTO erasure_keys (tenant_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(tenantId, randomBytes(32).toString('hex'), now);
    return (this.#db.prepare('SELECT secret FROM erasure_keys WHERE tenant_id = ?').get(tenantId) as { secret: string })
      .secret;
  }

  async eraseSubject(
    tenantId: string,
    subjectId: string,
    tombstone: { subjectHmac: string; erasedAt: number },
    log: RightsRequestRecord,
  ): Promise<ErasureCounts> {
    return this.#db
      .transaction(() => {
        const counts = emptyCounts();
        for (const [key, sql] of ERASE_STATEMENTS) {
          counts[key] += this.#db.prepare(q(sql)).run(tenantId, subjectId).changes;
        }
        this.#db
          .prepare(
            `INSERT INTO erasure_tombstones (tenant_id, subject_hmac, erased_at) VALUES (?, ?, ?)
             ON CONFLICT (tenant_id, subject_hmac) DO UPDATE SET erased_at = excluded.erased_at`,
          )
          .run(tenantId, tombstone.subjectHmac, tombstone.erasedAt);
        this.#db.prepare(INSERT_MODEL_REMOVAL).run(tenantId, tombstone.subjectHmac, tombstone.erasedAt);
        this.#db.prepare(q(INSERT_REQUEST)).run(...requestValues({ ...log, counts: { ...counts } }));
        return counts;
      })
      .immediate();
  }

  async findTombstones(tenantId: string, hmacs: readonly string[]): Promise<Map<string, number>> {
    const rows = this.#db
      .prepare(
        'SELECT subject_hmac, erased_at FROM erasure_tombstones WHERE tenant_id = ? AND subject_hmac IN (SELECT value FROM json_each(?))',
      )
      .all(tenantId, JSON.stringify(hmacs)) as { subject_hmac: string; erased_at: number }[];
    return new Map(rows.map((r) => [r.subject_hmac, Number(r.erased_at)]));
  }

  async appendModelRemoval(tenantId: string, subjectHmac: string, at: number): Promise<void> {
    this.#db.prepare(INSERT_MODEL_REMOVAL).run(tenantId, subjectHmac, at);
  }

  async listModelRemovals(since: number): Promise<ModelRemoval[]> {
    const rows = this.#db
      .prepare('SELECT seq, tenant_id, subject_hmac, created_at FROM model_removals WHERE created_at >= ? ORDER BY seq')
      .all(since) as ModelRemovalRow[];
    return rows.map(modelRemovalFromRow);
  }

  async deleteModelRemovals(before: number): Promise<number> {
    return this.#db.prepare('DELETE FROM model_removals WHERE created_at < ?').run(before).changes;
  }

  async deletePurposeData(
    tenantId: string,
    subjectId: string,
    purposes: readonly Purpose[],
  ): Promise<{ events: number; declarations: number }> {
    const list = JSON.stringify(purposes);
    return this.#db.transaction(() => ({
      events: this.#db
        .prepare(
          'DELETE FROM events WHERE tenant_id = ? AND subject_id = ? AND purpose IN (SELECT value FROM json_each(?))',
        )
        .run(tenantId, subjectId, list).changes,
      declarations: this.#db
        .prepare(
          'DELETE FROM declarations WHERE tenant_id = ? AND subject_id = ? AND purpose IN (SELECT value FROM json_each(?))',
        )
        .run(tenantId, subjectId, list).changes,
    }))();
  }

  async sweep(c: SweepCutoffs, dryRun: boolean): Promise<SweepCounts> {
    const db = this.#db;
    const count = (sql: string, at: number) => (db.prepare(sql).get(at) as { n: number }).n;
    const tenants = (
      db.prepare('SELECT DISTINCT tenant_id FROM events WHERE occurred_at < ?').all(c.events) as { tenant_id: string }[]
    ).map((r) => r.tenant_id);
    if (dryRun) {
      return {
        events: count('SELECT count(*) AS n FROM events WHERE occurred_at < ?', c.events),
        counters: count(`SELECT count(*) AS n FROM decisions WHERE ${COUNTED_BEFORE}`, c.counters),
        decisions: count(`SELECT count(*) AS n FROM decisions WHERE ${DECIDED_BEFORE}`, c.audit),
        rightsRequests: count('SELECT count(*) AS n FROM rights_requests WHERE received_at < ?', c.rightsLog),
        tombstones: count('SELECT count(*) AS n FROM erasure_tombstones WHERE erased_at < ?', c.tombstones),
        tenants,
      };
    }
    return db.transaction(() => ({
      events: db.prepare('DELETE FROM events WHERE occurred_at < ?').run(c.events).changes,
      counters: db.prepare(`UPDATE decisions SET counters = NULL WHERE ${COUNTED_BEFORE}`).run(c.counters).changes,
      decisions: db.prepare(`DELETE FROM decisions WHERE ${DECIDED_BEFORE}`).run(c.audit).changes,
      rightsRequests: db.prepare('DELETE FROM rights_requests WHERE received_at < ?').run(c.rightsLog).changes,
      tombstones: db.prepare('DELETE FROM erasure_tombstones WHERE erased_at < ?').run(c.tombstones).changes,
      tenants,
    }))();
  }

  async listEncryptedFields(
    after: readonly [string, string, string] | undefined,
    limit: number,
  ): Promise<EncryptedField[]> {
    const [t, s, k] = after ?? ['', '', ''];
    const rows = this.#db
      .prepare(
        `SELECT tenant_id, subject_id, kind, value FROM declarations
          WHERE kind IN ('email', 'phone') AND (tenant_id, subject_id, kind) > (?, ?, ?)
          ORDER BY tenant_id, subject_id, kind ${sqlLimit(limit)}`,
      )
      .all(t, s, k) as { tenant_id: string; subject_id: string; kind: string; value: string }[];
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      subjectId: r.subject_id,
      kind: r.kind,
      value: JSON.parse(r.value) as string,
    }));
  }

  async replaceEncryptedField(field: EncryptedField, expected: string): Promise<boolean> {
    return (
      this.#db
        .prepare('UPDATE declarations SET value = ? WHERE tenant_id = ? AND subject_id = ? AND kind = ? AND value = ?')
        .run(JSON.stringify(field.value), field.tenantId, field.subjectId, field.kind, JSON.stringify(expected))
        .changes === 1
    );
  }
}
