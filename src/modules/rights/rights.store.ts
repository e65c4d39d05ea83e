import type { Purpose } from '../../core/purposes.ts';
import type { EventRecord } from '../events/events.store.ts';

/**
 * Persistence for data rights, retention and contact-data encryption. Erasure,
 * purpose withdrawal and the retention sweep reach the tables of every module
 * in one transaction each (events, declarations, consent states and
 * pseudonyms, decisions and counters), so a request either happens everywhere
 * or nowhere; the end-to-end tests scan every table of the database to catch
 * a module whose table this store forgot. Rules live in the service.
 */

export const RIGHTS_KINDS = ['access', 'rectification', 'erasure', 'restriction', 'objection'] as const;
export type RightsKind = (typeof RIGHTS_KINDS)[number];
export type ActorScope = 'publishable' | 'server' | 'admin' | 'cli';

/** One entry of the data protection officer's log. */
export interface RightsRequestRecord {
  readonly tenantId: string;
  /** Random (UUID); says nothing about the subject. */
  readonly id: string;
  readonly kind: RightsKind;
  readonly actorScope: ActorScope;
  readonly receivedAt: number;
  /** `completed`, or `failed: <error code>`. */
  readonly outcome: string;
  /** Null for erasures, and for every request of a subject erased since. */
  readonly subjectId: string | null;
  /** Numbers only (what was exported, erased...). */
  readonly counts: Readonly<Record<string, number>> | null;
}

export interface Restrictions {
  readonly objectToProfiling: boolean;
  readonly restrictProcessing: boolean;
  readonly updatedAt: number | null;
}

export interface StoredDecision {
  readonly id: string;
  readonly placement: string;
  readonly purpose: string;
  readonly mode: string;
  readonly createdAt: number;
  readonly record: unknown;
}

export interface StoredCounter {
  readonly scope: string;
  readonly key: string;
  readonly at: number;
}

/** What the tables hold about a subject, besides declarations and consent (read through their services). */
export interface SubjectHoldings {
  readonly events: EventRecord[];
  readonly decisions: StoredDecision[];
  readonly counters: StoredCounter[];
}

/** Rows deleted (or anonymised) by an erasure, per kind. */
export interface ErasureCounts {
  events: number;
  declarations: number;
  consentStates: number;
  ledgerPseudonyms: number;
  restrictions: number;
  decisions: number;
  counters: number;
  rightsRequestsAnonymised: number;
}

/** Epoch-ms cutoffs: rows older than these are deleted by a sweep. */
export interface SweepCutoffs {
  readonly events: number;
  readonly counters: number;
  readonly audit: number;
  readonly rightsLog: number;
  /** Tombstones older than this can go: no event from before them is accepted any more. */
  readonly tombstones: number;
}

export interface SweepCounts {
  readonly events: number;
  readonly counters: number;
  readonly decisions: number;
  readonly rightsRequests: number;
  readonly tombstones: number;
  /** Tenants that lost events (their in-memory models are rebuilt). */
  readonly tenants: readonly string[];
}

/** A subject whose contribution left the models, named by the tombstone's keyed hash (never the id). */
export interface ModelRemoval {
  readonly seq: number;
  readonly tenantId: string;
  readonly subjectHmac: string;
  readonly createdAt: number;
}

/** One encrypted contact field, as the rotation reads it. */
export interface EncryptedField {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly kind: string;
  readonly value: string;
}

export interface RightsStore {
  logRequest(record: RightsRequestRecord): Promise<void>;
  /** Newest first. */
  listRequests(tenantId: string, since: number | undefined, limit: number): Promise<RightsRequestRecord[]>;
  listSubjectRequests(tenantId: string, subjectId: string): Promise<RightsRequestRecord[]>;

  findRestrictions(tenantId: string, subjectId: string): Promise<Restrictions | undefined>;
  putRestrictions(
    tenantId: string,
    subjectId: string,
    restrictions: Restrictions,
    log: RightsRequestRecord,
  ): Promise<void>;

  subjectHoldings(tenantId: string, subjectId: string): Promise<SubjectHoldings>;

  /** The tenant's erasure key (created on first use), for tombstone HMACs. */
  erasureSecret(tenantId: string, now: number): Promise<string>;
  /**
   * Erases the subject from every table in one transaction, anonymises their
   * earlier rights requests, writes the tombstone, a model removal under the
   * tombstone's hash, and the erasure's own log entry.
   */
  eraseSubject(
    tenantId: string,
    subjectId: string,
    tombstone: { subjectHmac: string; erasedAt: number },
    log: RightsRequestRecord,
  ): Promise<ErasureCounts>;
  /** Erasure times of the tombstones among `hmacs`. */
  findTombstones(tenantId: string, hmacs: readonly string[]): Promise<Map<string, number>>;

  /** Appends to the feed of subjects every node must remove from its models. */
  appendModelRemoval(tenantId: string, subjectHmac: string, at: number): Promise<void>;
  /** The feed's entries, across tenants, created at or after `since`, in `seq` order. */
  listModelRemovals(since: number): Promise<ModelRemoval[]>;
  /** Deletes the feed's entries created before `before`; returns how many. */
  deleteModelRemovals(before: number): Promise<number>;

  /** Deletes the subject's events and declarations collected for one of `purposes`. */
  deletePurposeData(
    tenantId: string,
    subjectId: string,
    purposes: readonly Purpose[],
  ): Promise<{ events: number; declarations: number }>;

  /** Deletes, across tenants, what is older than the cutoffs (`dryRun`: only counts). */
  sweep(cutoffs: SweepCutoffs, dryRun: boolean): Promise<SweepCounts>;

  /** Encrypted contact fields in (tenant, subject, kind) order after `after`, at most `limit`. */
  listEncryptedFields(after: readonly [string, string, string] | undefined, limit: number): Promise<EncryptedField[]>;
  /** Replaces a field's value if it is still `expected`; returns whether it was replaced. */
  replaceEncryptedField(field: EncryptedField, expected: string): Promise<boolean>;
}

export const CONTACT_KIND_LIST = ['email', 'phone'] as const;
