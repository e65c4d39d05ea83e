/** Persistence of events and declarations. Stores only persist; rules live in the service. */
import type { Purpose } from '../../core/purposes.ts';

export const EVENT_TYPES = ['view', 'cart', 'purchase', 'search', 'click', 'dismiss', 'impression'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_SOURCES = ['web', 'app', 'pos', 'email', 'import'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** One observed event, as stored. Times are epoch milliseconds. */
export interface EventRecord {
  /** The client's id for the event, unique per tenant. */
  readonly eventId: string;
  readonly subjectId: string;
  readonly type: EventType;
  readonly itemId: string | null;
  readonly query: string | null;
  readonly occurredAt: number;
  readonly receivedAt: number;
  readonly quantity: number | null;
  readonly price: number | null;
  readonly placement: string | null;
  readonly page: string | null;
  readonly source: EventSource;
  readonly purpose: Purpose;
  readonly provenance: 'observed';
}

/** What a decision reads of an event (ADR 0005): what happened to which item, when, and for which purpose. */
export type InteractionRecord = Pick<EventRecord, 'eventId' | 'type' | 'itemId' | 'occurredAt' | 'purpose'>;

export interface ListEventsQuery {
  readonly types?: readonly EventType[];
  /** Only events that occurred at or after this time (epoch ms). */
  readonly since?: number;
  readonly limit: number;
}

export const DECLARATION_KINDS = [
  'interests',
  'not_interested',
  'channels',
  'quiet_hours',
  'locale',
  // Contact data: the value is an AES-256-GCM envelope (src/platform/field-cipher.ts), never clear text.
  'email',
  'phone',
] as const;
export type DeclarationKind = (typeof DECLARATION_KINDS)[number];

/** One kind of declaration of one subject, with where it came from and what it is for. */
export interface DeclarationRecord {
  readonly kind: DeclarationKind;
  /** JSON-serializable value; its shape is the service's business. */
  readonly value: unknown;
  readonly source: EventSource;
  readonly purpose: Purpose;
  readonly provenance: 'declared';
  readonly declaredAt: number;
}

export interface EventStore {
  /** Which of `itemIds` are in the tenant's catalog (one query). */
  existingItems(tenantId: string, itemIds: readonly string[]): Promise<Set<string>>;
  /**
   * Inserts the events in one transaction, skipping those whose event id the
   * tenant already has; resolves once committed, with the number stored.
   */
  insertEvents(tenantId: string, events: readonly EventRecord[]): Promise<number>;
  /** The subject's events in time order (then event id). */
  listEvents(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<EventRecord[]>;
  /**
   * What a decision reads of the subject's events: the latest that match (at
   * most `limit`, the newest kept when there are more), in time order, with
   * only the fields of an {@link InteractionRecord} (fewer columns cost less).
   */
  listInteractions(tenantId: string, subjectId: string, query: ListEventsQuery): Promise<InteractionRecord[]>;
  /** Replaces every declaration of the subject with `records`, in one transaction. */
  replaceDeclarations(tenantId: string, subjectId: string, records: readonly DeclarationRecord[]): Promise<void>;
  listDeclarations(tenantId: string, subjectId: string): Promise<DeclarationRecord[]>;
  /** Deletes the subject's declarations; resolves with how many there were. */
  deleteDeclarations(tenantId: string, subjectId: string): Promise<number>;
  /** Releases what the store holds besides the shared database (e.g. a writer thread). */
  close(): Promise<void>;
}
