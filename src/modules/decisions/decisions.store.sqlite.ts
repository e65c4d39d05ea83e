import type { CounterIndex } from '../../core/decision/counters.ts';
import type { AuditRecord, PlacementConfig } from '../../core/decision/types.ts';
import { type SqliteDb, sqlLimit, writeWhenUnlocked } from '../../platform/db/database.ts';
import type {
  CounterQueryDialect,
  DecisionCursor,
  DecisionStore,
  DecisionWrite,
  TrainingCursor,
  TrainingEvent,
} from './decisions.store.ts';
import {
  counterQuery,
  decodeAuditRecord,
  decodeCountersInto,
  encodeAuditRecord,
  encodeCounters,
} from './decisions.store.ts';

/** How SQLite writes the counters query ({@link counterQuery}). */
const SQLITE_COUNTERS: CounterQueryDialect = { param: () => '?', position: (needle) => `instr(counters, ${needle})` };

/**
 * Audit records and counters are committed with `synchronous = NORMAL`: in WAL
 * mode such a commit survives a crash of the process but not a power loss, and
 * costs no fsync — a decision must not wait for the disk
 * (docs/adr/0006-decision-pipeline.md). They are written on the shared
 * connection, switched to NORMAL for that one transaction: a commit by another
 * connection would make this one drop its whole page cache, and every read of
 * the next decisions would go back to the file (about twice as slow).
 * A later FULL commit fsyncs the WAL up to its own frames, these included.
 */
export class SqliteDecisionStore implements DecisionStore {
  readonly #db: SqliteDb['sqlite'];
  readonly #insertDecision;
  readonly #writeBatch;
  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
    this.#insertDecision = this.#db.prepare(
      'INSERT INTO decisions (tenant_id, id, subject_id, placement, purpose, mode, record, created_at, counters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#writeBatch = (decisions: readonly DecisionWrite[]) => {
      for (const { record: r, counters } of decisions) {
        this.#insertDecision.run(
          r.tenantId,
          r.decisionId,
          r.subjectId,
          r.placement,
          r.purpose,
          r.mode,
          encodeAuditRecord(r),
          r.at,
          encodeCounters(counters),
        );
      }
    };
  }

  async upsertPlacement(tenantId: string, config: PlacementConfig, at: number): Promise<boolean> {
    const existed = this.#db
      .prepare('SELECT 1 FROM decision_placements WHERE tenant_id = ? AND id = ?')
      .get(tenantId, config.id);
    this.#db
      .prepare(
        'INSERT INTO decision_placements (tenant_id, id, config, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
      )
      .run(tenantId, config.id, JSON.stringify(config), at);
    return existed === undefined;
  }

  async findPlacement(tenantId: string, id: string): Promise<PlacementConfig | undefined> {
    const row = this.#db
      .prepare('SELECT config FROM decision_placements WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id) as { config: string } | undefined;
    return row && (JSON.parse(row.config) as PlacementConfig);
  }

  async listPlacements(tenantId: string): Promise<PlacementConfig[]> {
    const rows = this.#db
      .prepare('SELECT config FROM decision_placements WHERE tenant_id = ? ORDER BY id')
      .all(tenantId) as { config: string }[];
    return rows.map((r) => JSON.parse(r.config) as PlacementConfig);
  }

  async deletePlacement(tenantId: string, id: string): Promise<boolean> {
    return (
      this.#db.prepare('DELETE FROM decision_placements WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes === 1
    );
  }

  async insertDecisions(decisions: readonly DecisionWrite[]): Promise<void> {
    await writeWhenUnlocked(this.#db, () => this.#writeBatch(decisions), { waitForDisk: false });
  }

  /** Nothing of its own to release (the shared connection is closed by the database). */
  async close(): Promise<void> {}

  async findDecision(tenantId: string, id: string): Promise<AuditRecord | undefined> {
    const row = this.#db.prepare('SELECT record FROM decisions WHERE tenant_id = ? AND id = ?').get(tenantId, id) as
      | { record: string }
      | undefined;
    return row && decodeAuditRecord(row.record);
  }

  async listSubjectDecisions(
    tenantId: string,
    subjectId: string,
    options: { since: number; before?: DecisionCursor | undefined; limit: number },
  ): Promise<AuditRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT record FROM decisions
          WHERE tenant_id = ? AND subject_id = ? AND created_at >= ?
            AND (? IS NULL OR (created_at, id) < (?, ?))
          ORDER BY created_at DESC, id DESC ${sqlLimit(options.limit)}`,
      )
      .all(
        tenantId,
        subjectId,
        options.since,
        options.before?.at ?? null,
        options.before?.at ?? null,
        options.before?.id ?? '',
      ) as { record: string }[];
    return rows.map((r) => decodeAuditRecord(r.record));
  }

  async readCounters(tenantId: string, subjectId: string, counters: CounterIndex): Promise<void> {
    if (counters.windows.length === 0) return;
    const { text, values } = counterQuery(tenantId, subjectId, counters.windows, SQLITE_COUNTERS);
    // The statement comes from the connection's cache (one per number of windows). Rows as arrays:
    // better-sqlite3 builds an object row property by property, naming each column again.
    const rows = this.#db
      .prepare(text)
      .raw(true)
      .all(...values) as [string, number][];
    for (const [stored, at] of rows) decodeCountersInto(stored, Number(at), counters);
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<number> {
    return this.#db.prepare('DELETE FROM decisions WHERE tenant_id = ? AND subject_id = ?').run(tenantId, subjectId)
      .changes;
  }

  async scanTrainingEvents(
    tenantId: string,
    after: TrainingCursor | undefined,
    limit: number,
  ): Promise<TrainingEvent[]> {
    const rows = this.#db
      .prepare(
        `SELECT e.event_id, e.subject_id, e.item_id, e.type, e.occurred_at
           FROM events e
           JOIN consent_states cs ON cs.tenant_id = e.tenant_id AND cs.subject_id = e.subject_id
                                 AND cs.purpose = e.purpose AND cs.status = 'granted'
           LEFT JOIN consent_current_policy cp ON cp.tenant_id = e.tenant_id
          WHERE e.tenant_id = ? AND (e.subject_id, e.event_id) > (?, ?) AND e.type IN ('view', 'cart', 'purchase')
            AND e.item_id IS NOT NULL AND cs.policy_version IS cp.version
            -- A subject who objected to profiling or restricted processing trains no model.
            AND NOT EXISTS (SELECT 1 FROM subject_restrictions sr
                             WHERE sr.tenant_id = e.tenant_id AND sr.subject_id = e.subject_id
                               AND (sr.object_to_profiling = 1 OR sr.restrict_processing = 1))
          ORDER BY e.subject_id, e.event_id ${sqlLimit(limit)}`,
      )
      .all(tenantId, after?.subjectId ?? '', after?.eventId ?? '') as {
      event_id: string;
      subject_id: string;
      item_id: string;
      type: TrainingEvent['type'];
      occurred_at: number;
    }[];
    return rows.map((r) => ({
      eventId: r.event_id,
      subjectId: r.subject_id,
      itemId: r.item_id,
      type: r.type,
      occurredAt: Number(r.occurred_at),
    }));
  }
}
