import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Purpose } from '../../core/purposes.ts';
import { SQLITE_CONNECTION_PRAGMAS, type SqliteDb, sqlLimit } from '../../platform/db/database.ts';
import type {
  DeclarationKind,
  DeclarationRecord,
  EventRecord,
  EventSource,
  EventStore,
  EventType,
  InteractionRecord,
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

export const interactionFromRow = (r: InteractionRow): InteractionRecord => ({
  eventId: r.event_id,
  type: r.type,
  itemId: r.item_id,
  occurredAt: Number(r.occurred_at),
  purpose: r.purpose,
});

export type InteractionRow = Pick<EventRow, 'event_id' | 'type' | 'item_id' | 'occurred_at' | 'purpose'>;

export const INTERACTION_COLUMNS = 'event_id, type, item_id, occurred_at, purpose';

export const EVENT_COLUMNS =
  'event_id, subject_id, type, item_id, query, occurred_at, received_at, quantity, price, placement, page, source, purpose';

interface DeclarationRow {
  kind: DeclarationKind;
  value: string;
  source: EventSource;
  purpose: Purpose;
  declared_at: number | string;
}

const INSERT_INTO = `INSERT INTO events (tenant_id, ${EVENT_COLUMNS}) VALUES`;
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const ON_CONFLICT = ' ON CONFLICT (tenant_id, subject_id, event_id) DO NOTHING';
const WRITER_URL = new URL('./events.sqlite-writer.mjs', import.meta.url);
/** Values per event sent to the writer (the columns after tenant_id). */
const WIDTH = 13;
const INSERT_EVENT = `${INSERT_INTO} ${ROW}${ON_CONFLICT}`;

interface WriterResult {
  id: number;
  stored?: number;
  error?: string;
}

/**
 * Events are written by a worker thread with its own connection
 * (events.sqlite-writer.mjs): the main thread goes on parsing and validating
 * while a commit waits for fsync, and batches that arrive meanwhile share the
 * next commit. Checkpoints are done by the database's checkpointer thread
 * (platform/db/database.ts), so that commits never wait for one. An in-memory database has no second connection, so its events
 * are written on the main thread.
 */
export class SqliteEventStore implements EventStore {
  readonly #db: BetterSqlite3.Database;
  readonly #existing: BetterSqlite3.Statement<[string, string], { id: string }>;
  readonly #insert: BetterSqlite3.Statement<unknown[]>;
  readonly #insertMany: (tenantId: string, events: readonly EventRecord[]) => number;
  #writer: Worker | undefined;
  readonly #pending = new Map<number, { resolve: (stored: number) => void; reject: (error: Error) => void }>();
  #nextId = 0;

  constructor(db: SqliteDb) {
    this.#db = db.sqlite;
    // One statement whatever the number of ids: they travel as one JSON array.
    this.#existing = this.#db.prepare(
      'SELECT id FROM items WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))',
    );
    this.#insert = this.#db.prepare(INSERT_EVENT);
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
    if (events.length === 0) return 0;
    // Either way, this resolves only once the transaction committed (and,
    // with synchronous=FULL, was fsynced).
    if (this.#db.memory) return this.#insertMany(tenantId, events);
    const writer = this.#startWriter();
    // One string crosses to the writer thread: the values of every event, flat
    // and in column order, as a JSON array. Serializing a flat array of
    // primitives is several times cheaper than objects (no keys), and copying
    // a string than cloning thousands of values.
    const flat = new Array<unknown>(events.length * WIDTH);
    let k = 0;
    for (const e of events) {
      flat[k++] = e.eventId;
      flat[k++] = e.subjectId;
      flat[k++] = e.type;
      flat[k++] = e.itemId;
      flat[k++] = e.query;
      flat[k++] = e.occurredAt;
      flat[k++] = e.receivedAt;
      flat[k++] = e.quantity;
      flat[k++] = e.price;
      flat[k++] = e.placement;
      flat[k++] = e.page;
      flat[k++] = e.source;
      flat[k++] = e.purpose;
    }
    const rows = JSON.stringify(flat);
    const id = ++this.#nextId;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) writer.ref();
      writer.postMessage({ id, tenantId, rows });
    });
  }

  #startWriter(): Worker {
    if (this.#writer) return this.#writer;
    const writer = new Worker(WRITER_URL, {
      workerData: {
        file: this.#db.name,
        pragmas: SQLITE_CONNECTION_PRAGMAS,
        sql: INSERT_INTO,
        rowSql: ROW,
        conflictSql: ON_CONFLICT,
        width: WIDTH,
      },
    });
    writer.unref();
    writer.on('message', (results: WriterResult[]) => {
      for (const r of results) {
        const waiting = this.#pending.get(r.id);
        if (!waiting) continue;
        this.#pending.delete(r.id);
        if (r.error === undefined) waiting.resolve(r.stored ?? 0);
        else waiting.reject(new Error(`storing events failed: ${r.error}`));
      }
      if (this.#pending.size === 0) writer.unref();
    });
    const fail = (error: Error) => {
      if (this.#writer === writer) this.#writer = undefined;
      for (const waiting of this.#pending.values()) waiting.reject(error);
      this.#pending.clear();
    };
    writer.on('error', fail);
    writer.on('exit', (code) => fail(new Error(`the event writer stopped (exit code ${code})`)));
    this.#writer = writer;
    return writer;
  }

  async close(): Promise<void> {
    const worker = this.#writer;
    this.#writer = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ type: 'close' });
    await exited;
  }

  async listEvents(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<EventRecord[]> {
    return (this.#select(EVENT_COLUMNS, tenantId, subjectId, query) as EventRow[]).map(eventFromRow);
  }

  async listInteractions(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<InteractionRecord[]> {
    // Read on every decision: rows as arrays (an object row costs its column names again, per row).
    const rows = this.#select(INTERACTION_COLUMNS, tenantId, subjectId, query, { raw: true, latest: true }) as [
      string,
      InteractionRecord['type'],
      string | null,
      number,
      Purpose,
    ][];
    // Newest first from the query (the limit keeps the latest), oldest first here.
    return rows
      .reverse()
      .map(([event_id, type, item_id, occurred_at, purpose]) =>
        interactionFromRow({ event_id, type, item_id, occurred_at, purpose }),
      );
  }

  #select(
    columns: string,
    tenantId: string,
    subjectId: string,
    query: ListEventsQuery,
    options: { raw?: boolean; latest?: boolean } = {},
  ): unknown[] {
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
    return this.#db
      .prepare(
        `SELECT ${columns} FROM events WHERE ${where.join(' AND ')} ORDER BY ${options.latest ? 'occurred_at DESC, event_id DESC' : 'occurred_at, event_id'} ${sqlLimit(query.limit)}`,
      )
      .raw(options.raw ?? false)
      .all(...params);
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
