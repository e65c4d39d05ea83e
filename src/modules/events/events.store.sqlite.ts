import type BetterSqlite3 from 'better-sqlite3';
import type { Purpose } from '../../core/purposes.ts';
import type { SqliteDb } from '../../platform/db/database.ts';
import type {
  DeclarationKind,
  DeclarationRecord,
  EventRecord,
  EventSource,
  EventStore,
  EventType,
  ListEventsQuery,
} from './events.store.ts';

export interface EventRow {
  event_id: string;
  subject_id: string;
  type: EventType;
  item_id: string | null;
  query: string | null;
  occurred_at: number | string;
  received_at: number | string;
  quantity: number | null;
  price: number | null;
  placement: string | null;
  page: string | null;
  source: EventSource;
  purpose: Purpose;
}

export const eventFromRow = (r: EventRow): EventRecord => ({
  eventId: r.event_id,
  subjectId: r.subject_id,
  type: r.type,
  itemId: r.item_id,
  query: r.query,
  occurredAt: Number(r.occurred_at),
  receivedAt: Number(r.received_at),
  quantity: r.quantity,
  price: r.price,
  placement: r.placement,
  page: r.page,
  source: r.source,
  purpose: r.purpose,
  provenance: 'observed',
});

export const EVENT_COLUMNS =
  'event_id, subject_id, type, item_id, query, occurred_at, received_at, quantity, price, placement, page, source, purpose';

interface DeclarationRow {
  kind: DeclarationKind;
  value: string;
  source: EventSource;
  purpose: Purpose;
  declared_at: number | string;
}

export class SqliteEventStore implements EventStore {
  readonly #db: BetterSqlite3.Database;
  readonly #existing: BetterSqlite3.Statement<[string, string], { id: string }>;
  readonly #insert: BetterSqlite3.Statement<unknown[]>;
  readonly #insertMany: (tenantId: string, events: readonly EventRecord[]) => number;

  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
    // One statement whatever the number of ids: they travel as one JSON array.
    this.#existing = this.#db.prepare(
      'SELECT id FROM items WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))',
    );
    this.#insert = this.#db.prepare(
      `INSERT INTO events (tenant_id, ${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, event_id) DO NOTHING`,
    );
    const insert = this.#insert;
    this.#insertMany = this.#db.transaction((tenantId: string, events: readonly EventRecord[]) => {
      let stored = 0;
      for (const e of events) {
        stored += insert.run(
          tenantId,
          e.eventId,
          e.subjectId,
          e.type,
          e.itemId,
          e.query,
          e.occurredAt,
          e.receivedAt,
          e.quantity,
          e.price,
          e.placement,
          e.page,
          e.source,
          e.purpose,
        ).changes;
      }
      return stored;
    });
  }

  async existingItems(tenantId: string, itemIds: readonly string[]): Promise<Set<string>> {
    if (itemIds.length === 0) return new Set();
    const found = new Set<string>();
    for (const row of this.#existing.iterate(tenantId, JSON.stringify(itemIds))) found.add(row.id);
    return found;
  }

  async insertEvents(tenantId: string, events: readonly EventRecord[]): Promise<number> {
    // The transaction commits (and, with synchronous=FULL, is fsynced) before this returns.
    return this.#insertMany(tenantId, events);
  }

  async listEvents(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<EventRecord[]> {
    const where = ['tenant_id = ?', 'subject_id = ?'];
    const params: unknown[] = [tenantId, subjectId];
    if (query.since !== undefined) {
      where.push('occurred_at >= ?');
      params.push(query.since);
    }
    if (query.types !== undefined && query.types.length > 0) {
      where.push(`type IN (${query.types.map(() => '?').join(', ')})`);
      params.push(...query.types);
    }
    params.push(query.limit);
    const rows = this.#db
      .prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY occurred_at, event_id LIMIT ?`,
      )
      .all(...params) as EventRow[];
    return rows.map(eventFromRow);
  }

  async replaceDeclarations(tenantId: string, subjectId: string, records: readonly DeclarationRecord[]): Promise<void> {
    const del = this.#db.prepare('DELETE FROM declarations WHERE tenant_id = ? AND subject_id = ?');
    const ins = this.#db.prepare(
      'INSERT INTO declarations (tenant_id, subject_id, kind, value, source, purpose, declared_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#db.transaction(() => {
      del.run(tenantId, subjectId);
      for (const r of records) {
        ins.run(tenantId, subjectId, r.kind, JSON.stringify(r.value), r.source, r.purpose, r.declaredAt);
      }
    })();
  }

  async listDeclarations(tenantId: string, subjectId: string): Promise<DeclarationRecord[]> {
    const rows = this.#db
      .prepare(
        'SELECT kind, value, source, purpose, declared_at FROM declarations WHERE tenant_id = ? AND subject_id = ? ORDER BY kind',
      )
      .all(tenantId, subjectId) as DeclarationRow[];
    return rows.map((r) => ({
      kind: r.kind,
      value: JSON.parse(r.value) as unknown,
      source: r.source,
      purpose: r.purpose,
      provenance: 'declared',
      declaredAt: Number(r.declared_at),
    }));
  }

  async deleteDeclarations(tenantId: string, subjectId: string): Promise<number> {
    return this.#db.prepare('DELETE FROM declarations WHERE tenant_id = ? AND subject_id = ?').run(tenantId, subjectId)
      .changes;
  }
}
