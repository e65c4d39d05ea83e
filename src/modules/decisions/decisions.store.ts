import type { AuditRecord, CounterIncrement, PlacementConfig } from '../../core/decision/types.ts';

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

/** Where a scan of training events resumes: after this subject's event. */
export interface TrainingCursor {
  readonly subjectId: string;
  readonly eventId: string;
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
