import type { AuditRecord, CounterIncrement, PlacementConfig, Reason } from '../../core/decision/types.ts';

/** Persistence of placements, decision audit records and frequency counters. Rules live in the service. */

/** One counted impression. */
export interface CounterRow extends CounterIncrement {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly at: number;
}

/** An interaction the models may learn from: its subject consented to the purpose it was collected for. */
export interface TrainingEvent {
  readonly eventId: string;
  readonly subjectId: string;
  readonly itemId: string;
  readonly type: 'view' | 'cart' | 'purchase';
  readonly occurredAt: number;
}

/** Where a page of a subject's decisions resumes: after (older than) this decision. */
export interface DecisionCursor {
  readonly at: number;
  readonly id: string;
}

/** Where a scan of training events resumes: after this subject's event. */
export interface TrainingCursor {
  readonly subjectId: string;
  readonly eventId: string;
}

/**
 * Item impressions of one decision are stored as one row (scope `items`, key a
 * JSON array of item ids) rather than one row per item: a slate of ten items
 * costs one index entry, not ten. Stores pack with {@link packCounters} and
 * unpack with {@link unpackCounter}.
 */
export function packCounters(counters: readonly CounterRow[]): CounterRow[] {
  const out: CounterRow[] = [];
  const items = new Map<string, { row: CounterRow; keys: string[] }>();
  for (const c of counters) {
    if (c.scope !== 'item') {
      out.push(c);
      continue;
    }
    const group = `${c.tenantId}\u0000${c.subjectId}\u0000${c.at}`;
    const found = items.get(group);
    if (found) found.keys.push(c.key);
    else items.set(group, { row: c, keys: [c.key] });
  }
  for (const { row, keys } of items.values())
    out.push({
      tenantId: row.tenantId,
      subjectId: row.subjectId,
      at: row.at,
      scope: 'items' as CounterRow['scope'],
      key: JSON.stringify(keys),
    });
  return out;
}

/** The impressions one stored counter row stands for, appended to `out` (returned). */
export function unpackCounter(row: CounterRow, out: CounterRow[] = []): CounterRow[] {
  if ((row.scope as string) !== 'items') {
    out.push(row);
    return out;
  }
  for (const key of itemKeys(row.key))
    out.push({ tenantId: row.tenantId, subjectId: row.subjectId, at: row.at, scope: 'item', key });
  return out;
}

/**
 * The item ids of a packed row's key, a JSON array of strings. Without a
 * backslash no id holds an escaped quote, so the ids are what lies between
 * `","`; read so, they are not interned as JSON.parse does with each one
 * (perf: a third of reading a subject's counters).
 */
function itemKeys(key: string): string[] {
  if (key.includes('\\') || !key.startsWith('["') || !key.endsWith('"]')) return JSON.parse(key) as string[];
  return key.slice(2, -2).split('","');
}

/**
 * The stored form of an audit record (format 2): the items of a slate mostly
 * share a few reasons, so each distinct reason is written once and an item
 * lists its item id and the indexes of its reasons. A personalized slate of
 * ten items takes about 700 bytes instead of 2,100, and a decision writes
 * fewer database pages (docs/adr/0006-decision-pipeline.md).
 */
interface StoredAuditRecord extends Omit<AuditRecord, 'items'> {
  readonly format: 2;
  readonly reasons: readonly Reason[];
  readonly items: readonly (readonly [string, ...number[]])[];
}

/** The text an audit record is stored as (see {@link StoredAuditRecord}). */
export function encodeAuditRecord(record: AuditRecord): string {
  const index = new Map<Reason, number>();
  const byText = new Map<string, number>();
  const reasons: Reason[] = [];
  const indexOf = (reason: Reason): number => {
    let i = index.get(reason);
    if (i === undefined) {
      // Equal reasons that are different objects are stored once too.
      const text = JSON.stringify(reason);
      i = byText.get(text);
      if (i === undefined) {
        i = reasons.push(reason) - 1;
        byText.set(text, i);
      }
      index.set(reason, i);
    }
    return i;
  };
  const items = record.items.map((item): [string, ...number[]] => [item.itemId, ...item.reasons.map(indexOf)]);
  const stored: StoredAuditRecord = Object.assign({}, record, { format: 2 as const, reasons, items });
  return JSON.stringify(stored);
}

/** An audit record from its stored text, in format 2 or as written before it (the whole record). */
export function decodeAuditRecord(text: string): AuditRecord {
  const parsed = JSON.parse(text) as AuditRecord | StoredAuditRecord;
  if (!('format' in parsed)) return parsed;
  const { format: _, reasons, items, ...rest } = parsed;
  return Object.assign(rest, {
    items: items.map(([itemId, ...refs]) => ({ itemId, reasons: refs.map((i) => reasons[i] as Reason) })),
  });
}

export interface DecisionStore {
  /** Inserts or replaces a placement; returns true when it is new. */
  upsertPlacement(tenantId: string, config: PlacementConfig, at: number): Promise<boolean>;
  findPlacement(tenantId: string, id: string): Promise<PlacementConfig | undefined>;
  listPlacements(tenantId: string): Promise<PlacementConfig[]>;
  /** Returns false when there was none. */
  deletePlacement(tenantId: string, id: string): Promise<boolean>;

  /** Stores audit records and counters in one transaction. */
  insertDecisions(records: readonly AuditRecord[], counters: readonly CounterRow[]): Promise<void>;
  findDecision(tenantId: string, id: string): Promise<AuditRecord | undefined>;
  /**
   * The subject's audit records made at or after `since`, newest first (by
   * time, then id), starting after `before` when given, at most `limit`.
   */
  listSubjectDecisions(
    tenantId: string,
    subjectId: string,
    options: { since: number; before?: DecisionCursor | undefined; limit: number },
  ): Promise<AuditRecord[]>;
  /** The subject's counted impressions at or after `since`. */
  listCounters(tenantId: string, subjectId: string, since: number): Promise<CounterRow[]>;
  /** Erases the subject's audit records and counters; returns how many rows went. */
  deleteSubject(tenantId: string, subjectId: string): Promise<number>;

  /**
   * Interactions (view, cart, purchase) whose subject's current consent for the
   * event's purpose is granted under the current policy, in (subject, event id)
   * order after `after`. Read-only use of the events and consent tables, so the
   * models never learn from data without consent.
   */
  scanTrainingEvents(tenantId: string, after: TrainingCursor | undefined, limit: number): Promise<TrainingEvent[]>;
  /** Releases what the store holds of its own (not the shared database). */
  close(): Promise<void>;
}
