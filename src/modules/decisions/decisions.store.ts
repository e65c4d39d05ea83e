import type { AuditRecord, CounterIncrement, PlacementConfig, Reason } from '../../core/decision/types.ts';

/** Persistence of placements, decision audit records and frequency counters. Rules live in the service. */

/** One counted impression: what was counted (scope and key) and when. */
export interface CounterRow extends CounterIncrement {
  readonly at: number;
}

/** A decision to store: its audit record and the impressions it counts for caps (none without a subject). */
export interface DecisionWrite {
  readonly record: AuditRecord;
  readonly counters: readonly CounterIncrement[];
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
 * The impressions a decision counts are stored in the decision's own row
 * (column `counters`), as groups of a scope followed by its keys:
 * `[["placement","home"],["item","sku-1","sku-2"]]`, or NULL when it counted
 * none. A decision thus writes one row and its indexes, not a second table
 * with its own (docs/adr/0006-decision-pipeline.md, "Fewer pages per
 * decision (stop 15)").
 *
 * @example
 * encodeCounters([{ scope: 'placement', key: 'home' }, { scope: 'item', key: 'a' }]); // '[["placement","home"],["item","a"]]'
 */
export function encodeCounters(counters: readonly CounterIncrement[]): string | null {
  if (counters.length === 0) return null;
  const groups: string[][] = [];
  const byScope = new Map<string, string[]>();
  for (const c of counters) {
    let group = byScope.get(c.scope);
    if (!group) {
      group = [c.scope];
      byScope.set(c.scope, group);
      groups.push(group);
    }
    group.push(c.key);
  }
  return JSON.stringify(groups);
}

/**
 * The impressions of a stored `counters` value, counted at `at`, appended to
 * `out` (returned).
 */
export function decodeCounters(text: string, at: number, out: CounterRow[] = []): CounterRow[] {
  for (const group of counterGroups(text)) {
    const scope = group[0] as CounterRow['scope'];
    for (let i = 1; i < group.length; i++) out.push({ scope, key: group[i] as string, at });
  }
  return out;
}

/**
 * The groups of a stored `counters` value. As {@link encodeCounters} writes
 * it (JSON.stringify: no space, and without a backslash no escaped quote),
 * the groups are what lies between `"],["` and the strings what lies between
 * `","`; read so, they are not interned as JSON.parse does with each string
 * (perf: a third of reading a subject's counters). The split is used only
 * when every quote of the text is one around a string it found; anything
 * else (escapes, spaces, other text) goes through JSON.parse.
 */
function counterGroups(text: string): string[][] {
  if (!text.includes('\\') && text.startsWith('[["') && text.endsWith('"]]')) {
    const groups = text
      .slice(3, -3)
      .split('"],["')
      .map((g) => g.split('","'));
    let strings = 0;
    for (const g of groups) strings += g.length;
    let quotes = 0;
    for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) quotes++;
    if (quotes === 2 * strings) return groups;
  }
  return JSON.parse(text) as string[][];
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

  /** Stores decisions (audit records and the impressions they count) in one transaction. */
  insertDecisions(decisions: readonly DecisionWrite[]): Promise<void>;
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
  /** Erases the subject's audit records, and the counters they hold; returns how many records went. */
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
