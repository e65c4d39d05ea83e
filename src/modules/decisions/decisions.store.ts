import type { CounterIndex } from '../../core/decision/counters.ts';
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

/** Where decoded impressions go: those of the scopes it `wants` at a time are `add`ed. */
export interface CounterSink {
  wants(scope: string, at: number): boolean;
  add(scope: CounterRow['scope'], key: string, at: number): void;
}

/**
 * The impressions of a stored `counters` value, counted at `at`, appended to
 * `out` (returned).
 */
export function decodeCounters(text: string, at: number, out: CounterRow[] = []): CounterRow[] {
  decodeCountersInto(text, at, { wants: () => true, add: (scope, key, when) => out.push({ scope, key, at: when }) });
  return out;
}

/** Scope and key of each impression a stored value holds, in pairs (reused: no array per decoded row). */
const decoded: string[] = [];

/**
 * Adds to `sink` the impressions of a stored `counters` value (counted at
 * `at`) in the scopes it wants; the keys of other scopes are not even made
 * into strings. The text is read as {@link encodeCounters} writes it, without
 * JSON.parse, which interns every string (perf: a third of reading a
 * subject's counters) and builds an array per group; anything else (escapes,
 * spaces, other text) goes through JSON.parse.
 */
export function decodeCountersInto(text: string, at: number, sink: CounterSink): void {
  decoded.length = 0;
  if (!scanCompact(text, at, sink)) {
    decoded.length = 0;
    for (const group of JSON.parse(text) as string[][]) {
      const scope = group[0];
      if (scope === undefined || !sink.wants(scope, at)) continue;
      for (let i = 1; i < group.length; i++) decoded.push(scope, group[i] as string);
    }
  }
  for (let i = 0; i < decoded.length; i += 2) sink.add(decoded[i] as CounterRow['scope'], decoded[i + 1] as string, at);
  decoded.length = 0;
}

/**
 * Reads `[["scope","key",…],…]` written by JSON.stringify into `decoded`:
 * without a backslash no string holds a quote, so every quote delimits one
 * and the characters between strings must be exactly `,` or `],[`. False
 * (with `decoded` partly filled) when the text is in any other form.
 */
function scanCompact(text: string, at: number, sink: CounterSink): boolean {
  const n = text.length;
  if (text.includes('\\') || !text.startsWith('[["') || !text.endsWith('"]]')) return false;
  let start = 3; // the first character of a group's scope
  for (;;) {
    let q = text.indexOf('"', start);
    if (q < 0) return false;
    const scope = text.slice(start, q);
    const keep = sink.wants(scope, at);
    for (;;) {
      const next = text.charCodeAt(q + 1);
      if (next === 44 /* , */) {
        if (text.charCodeAt(q + 2) !== 34 /* " */) return false;
        const key = q + 3;
        q = text.indexOf('"', key);
        if (q < 0) return false;
        if (keep) decoded.push(scope, text.slice(key, q));
      } else if (next === 93 /* ] */) {
        if (q + 3 === n) return text.charCodeAt(q + 2) === 93;
        if (text.charCodeAt(q + 2) !== 44 || text.charCodeAt(q + 3) !== 91 || text.charCodeAt(q + 4) !== 34)
          return false;
        start = q + 5;
        break;
      } else return false;
    }
  }
}

/** How a dialect writes the counters query: its k-th query parameter (0-based) and a substring search. */
export interface CounterQueryDialect {
  param(k: number): string;
  /** Where `needle` is found in the column `counters` (0: nowhere), e.g. `instr(counters, ?)`. */
  position(needle: string): string;
}

/**
 * The query of a subject's impressions in `windows`, read from the subject
 * index alone (it holds the counters, migration 0014): the decisions not
 * older than the earliest window that, for some window, hold its scope's
 * group (`["item"` can only begin a group: a key holding a quote is escaped)
 * and are not older than its start. The text depends only on how many
 * windows there are.
 *
 * @example
 * counterQuery('t1', 's1', windows, { param: () => '?', position: (n) => `instr(counters, ${n})` });
 */
export function counterQuery(
  tenantId: string,
  subjectId: string,
  windows: readonly { scope: string; since: number }[],
  dialect: CounterQueryDialect,
): { text: string; values: (string | number)[] } {
  const { param, position } = dialect;
  const values: (string | number)[] = [tenantId, subjectId, Number.POSITIVE_INFINITY];
  const each: string[] = [];
  for (const w of windows) {
    if (w.since < (values[2] as number)) values[2] = w.since;
    each.push(`(${position(param(values.length))} > 0 AND created_at >= ${param(values.length + 1)})`);
    values.push(`["${w.scope}"`, w.since);
  }
  return {
    text: `SELECT counters, created_at FROM decisions WHERE tenant_id = ${param(0)} AND subject_id = ${param(1)}
             AND counters IS NOT NULL AND created_at >= ${param(2)} AND (${each.join(' OR ')})`,
    values,
  };
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
  /**
   * Adds to `counters` the subject's impressions in its windows (none are
   * read when it has no windows).
   */
  readCounters(tenantId: string, subjectId: string, counters: CounterIndex): Promise<void>;
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
