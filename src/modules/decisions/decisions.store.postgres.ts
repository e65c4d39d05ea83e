import type { CounterIndex } from '../../core/decision/counters.ts';
import type { AuditRecord, PlacementConfig } from '../../core/decision/types.ts';
import type { PostgresDb } from '../../platform/db/database.ts';
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

/** How PostgreSQL writes the counters query ({@link counterQuery}). */
const POSTGRES_COUNTERS: CounterQueryDialect = {
  param: (k) => `$${k + 1}`,
  position: (needle) => `strpos(counters, ${needle})`,
};

export class PostgresDecisionStore implements DecisionStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async upsertPlacement(tenantId: string, config: PlacementConfig, at: number): Promise<boolean> {
    const { rows } = await this.#pool.query<{ inserted: boolean }>(
      `INSERT INTO decision_placements (tenant_id, id, config, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
       RETURNING (xmax = 0) AS inserted`,
      [tenantId, config.id, JSON.stringify(config), at],
    );
    return rows[0]?.inserted === true;
  }

  async findPlacement(tenantId: string, id: string): Promise<PlacementConfig | undefined> {
    const { rows } = await this.#pool.query<{ config: string }>(
      'SELECT config FROM decision_placements WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return rows[0] && (JSON.parse(rows[0].config) as PlacementConfig);
  }

  async listPlacements(tenantId: string): Promise<PlacementConfig[]> {
    const { rows } = await this.#pool.query<{ config: string }>(
      'SELECT config FROM decision_placements WHERE tenant_id = $1 ORDER BY id',
      [tenantId],
    );
    return rows.map((r) => JSON.parse(r.config) as PlacementConfig);
  }

  async deletePlacement(tenantId: string, id: string): Promise<boolean> {
    const r = await this.#pool.query('DELETE FROM decision_placements WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return r.rowCount === 1;
  }

  async insertDecisions(decisions: readonly DecisionWrite[]): Promise<void> {
    if (decisions.length === 0) return;
    const records = decisions.map((d) => d.record);
    await this.#pool.query(
      `INSERT INTO decisions (tenant_id, id, subject_id, placement, purpose, mode, record, created_at, counters)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])`,
      [
        records.map((r) => r.tenantId),
        records.map((r) => r.decisionId),
        records.map((r) => r.subjectId),
        records.map((r) => r.placement),
        records.map((r) => r.purpose),
        records.map((r) => r.mode),
        records.map((r) => encodeAuditRecord(r)),
        records.map((r) => r.at),
        decisions.map((d) => encodeCounters(d.counters)),
      ],
    );
  }

  async close(): Promise<void> {}

  async findDecision(tenantId: string, id: string): Promise<AuditRecord | undefined> {
    const { rows } = await this.#pool.query<{ record: string }>(
      'SELECT record FROM decisions WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return rows[0] && decodeAuditRecord(rows[0].record);
  }

  async listSubjectDecisions(
    tenantId: string,
    subjectId: string,
    options: { since: number; before?: DecisionCursor | undefined; limit: number },
  ): Promise<AuditRecord[]> {
    const { rows } = await this.#pool.query<{ record: string }>(
      `SELECT record FROM decisions
        WHERE tenant_id = $1 AND subject_id = $2 AND created_at >= $3
          AND ($4::bigint IS NULL OR (created_at, id) < ($4::bigint, $5::text))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [tenantId, subjectId, options.since, options.before?.at ?? null, options.before?.id ?? '', options.limit],
    );
    return rows.map((r) => decodeAuditRecord(r.record));
  }

  async readCounters(tenantId: string, subjectId: string, counters: CounterIndex): Promise<void> {
    if (counters.windows.length === 0) return;
    const { text, values } = counterQuery(tenantId, subjectId, counters.windows, POSTGRES_COUNTERS);
    const { rows } = await this.#pool.query<{ counters: string; created_at: string }>(text, values);
    for (const r of rows) decodeCountersInto(r.counters, Number(r.created_at), counters);
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<number> {
    const r = await this.#pool.query('DELETE FROM decisions WHERE tenant_id = $1 AND subject_id = $2', [
      tenantId,
      subjectId,
    ]);
    return r.rowCount ?? 0;
  }

  async scanTrainingEvents(
    tenantId: string,
    after: TrainingCursor | undefined,
    limit: number,
  ): Promise<TrainingEvent[]> {
    const { rows } = await this.#pool.query<{
      event_id: string;
      subject_id: string;
      item_id: string;
      type: TrainingEvent['type'];
      occurred_at: number;
    }>(
      `SELECT e.event_id, e.subject_id, e.item_id, e.type, e.occurred_at
         FROM events e
         JOIN consent_states cs ON cs.tenant_id = e.tenant_id AND cs.subject_id = e.subject_id
                               AND cs.purpose = e.purpose AND cs.status = 'granted'
         LEFT JOIN consent_current_policy cp ON cp.tenant_id = e.tenant_id
        WHERE e.tenant_id = $1 AND (e.subject_id, e.event_id) > ($2, $3) AND e.type IN ('view', 'cart', 'purchase')
          AND e.item_id IS NOT NULL AND cs.policy_version IS NOT DISTINCT FROM cp.version
          -- A subject who objected to profiling or restricted processing trains no model.
          AND NOT EXISTS (SELECT 1 FROM subject_restrictions sr
                           WHERE sr.tenant_id = e.tenant_id AND sr.subject_id = e.subject_id
                             AND (sr.object_to_profiling = TRUE OR sr.restrict_processing = TRUE))
        ORDER BY e.subject_id, e.event_id LIMIT $4`,
      [tenantId, after?.subjectId ?? '', after?.eventId ?? '', limit],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      subjectId: r.subject_id,
      itemId: r.item_id,
      type: r.type,
      occurredAt: Number(r.occurred_at),
    }));
  }
}
