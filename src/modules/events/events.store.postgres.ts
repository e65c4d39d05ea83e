import type pg from 'pg';
import type { PostgresDb } from '../../platform/db/database.ts';
import { pgTransaction } from '../../platform/db/database.ts';
import type { EventRow, InteractionRow } from './events.store.sqlite.ts';
import { EVENT_COLUMNS, eventFromRow, INTERACTION_COLUMNS, interactionFromRow } from './events.store.sqlite.ts';
import type { DeclarationRecord, EventRecord, EventStore, InteractionRecord, ListEventsQuery } from './events.store.ts';

// The whole batch is one statement: the records travel as one JSON document
// (serialized natively, parsed by PostgreSQL in C) and json_to_recordset()
// turns it back into rows. One round trip, one implicit transaction, durable
// once it returns (synchronous_commit is on by default).
const INSERT_EVENTS = `INSERT INTO events (tenant_id, ${EVENT_COLUMNS})
  SELECT $1, r."eventId", r."subjectId", r."type", r."itemId", r."query", r."occurredAt", r."receivedAt",
         r."quantity", r."price", r."placement", r."page", r."source", r."purpose"
  FROM json_to_recordset($2::json) AS r("eventId" text, "subjectId" text, "type" text, "itemId" text, "query" text,
    "occurredAt" bigint, "receivedAt" bigint, "quantity" integer, "price" double precision, "placement" text,
    "page" text, "source" text, "purpose" text)
  ON CONFLICT (tenant_id, subject_id, event_id) DO NOTHING`;

export class PostgresEventStore implements EventStore {
  readonly #pool: PostgresDb['pool'];
  constructor(db: PostgresDb) {
    this.#pool = db.pool;
  }

  async existingItems(tenantId: string, itemIds: readonly string[]): Promise<Set<string>> {
    if (itemIds.length === 0) return new Set();
    const { rows } = await this.#pool.query<{ id: string }>({
      name: 'pertinent_events_existing_items',
      text: 'SELECT id FROM items WHERE tenant_id = $1 AND id = ANY($2::text[])',
      values: [tenantId, itemIds],
    });
    return new Set(rows.map((r) => r.id));
  }

  async insertEvents(tenantId: string, events: readonly EventRecord[]): Promise<number> {
    if (events.length === 0) return 0;
    const r = await this.#pool.query({
      name: 'pertinent_events_insert',
      text: INSERT_EVENTS,
      values: [tenantId, JSON.stringify(events)],
    });
    return r.rowCount ?? 0;
  }

  async listEvents(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<EventRecord[]> {
    return (await this.#select<EventRow>(EVENT_COLUMNS, tenantId, subjectId, query)).map(eventFromRow);
  }

  async listInteractions(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<InteractionRecord[]> {
    // Newest first from the query (the limit keeps the latest), oldest first here.
    return (await this.#select<InteractionRow>(INTERACTION_COLUMNS, tenantId, subjectId, query, true))
      .reverse()
      .map(interactionFromRow);
  }

  async #select<Row extends pg.QueryResultRow>(
    columns: string,
    tenantId: string,
    subjectId: string,
    query: ListEventsQuery,
    latest = false,
  ): Promise<Row[]> {
    const where = ['tenant_id = $1', 'subject_id = $2'];
    const params: unknown[] = [tenantId, subjectId];
    if (query.since !== undefined) {
      params.push(query.since);
      where.push(`occurred_at >= $${params.length}`);
    }
    if (query.types !== undefined && query.types.length > 0) {
      params.push(query.types);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    params.push(query.limit);
    const { rows } = await this.#pool.query<Row>(
      `SELECT ${columns} FROM events WHERE ${where.join(' AND ')} ORDER BY ${latest ? 'occurred_at DESC, event_id DESC' : 'occurred_at, event_id'} LIMIT $${params.length}`,
      params,
    );
    return rows;
  }

  async replaceDeclarations(tenantId: string, subjectId: string, records: readonly DeclarationRecord[]): Promise<void> {
    await pgTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM declarations WHERE tenant_id = $1 AND subject_id = $2', [tenantId, subjectId]);
      for (const r of records) {
        await client.query(
          'INSERT INTO declarations (tenant_id, subject_id, kind, value, source, purpose, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [tenantId, subjectId, r.kind, JSON.stringify(r.value), r.source, r.purpose, r.declaredAt],
        );
      }
    });
  }

  async listDeclarations(tenantId: string, subjectId: string): Promise<DeclarationRecord[]> {
    const { rows } = await this.#pool.query(
      'SELECT kind, value, source, purpose, declared_at FROM declarations WHERE tenant_id = $1 AND subject_id = $2 ORDER BY kind',
      [tenantId, subjectId],
    );
    return rows.map((r) => ({
      kind: r.kind,
      value: r.value as unknown,
      source: r.source,
      purpose: r.purpose,
      provenance: 'declared' as const,
      declaredAt: Number(r.declared_at),
    }));
  }

  async deleteDeclarations(tenantId: string, subjectId: string): Promise<number> {
    const r = await this.#pool.query('DELETE FROM declarations WHERE tenant_id = $1 AND subject_id = $2', [
      tenantId,
      subjectId,
    ]);
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {}
}
