import type { EntryDraft, LedgerEntry, LedgerHead } from '../../core/consent/ledger.ts';
import type { LedgerSubject } from '../../core/consent/pseudonym.ts';
import type { LatestChoice } from '../../core/consent/state.ts';

/** Persistence of policy versions, the consent ledger and current states. Rules live in the service. */

/** A policy (notice) version of a tenant: what people were shown. */
export interface PolicyRecord {
  readonly tenantId: string;
  readonly version: string;
  /** SHA-256 (hex) of the notice text. */
  readonly noticeHash: string;
  readonly noticeText: string;
  readonly createdAt: number;
}

/** The current policy version of a tenant, and since when. */
export interface CurrentPolicy {
  readonly version: string;
  readonly since: number;
}

/**
 * Decides, inside the append's transaction and with the tenant's ledger locked,
 * which entries to append given the subject's latest choices. Must be
 * synchronous and free of I/O; returning no drafts appends nothing.
 */
export type AppendPlan = (latest: readonly LatestChoice[]) => readonly EntryDraft[];

export interface ConsentStore {
  /** Inserts a policy version; returns false when the tenant already has that version. */
  insertPolicy(policy: PolicyRecord): Promise<boolean>;
  findPolicy(tenantId: string, version: string): Promise<PolicyRecord | undefined>;
  listPolicies(tenantId: string): Promise<PolicyRecord[]>;
  /** Makes an existing version the current one. */
  setCurrentPolicy(tenantId: string, version: string, since: number): Promise<void>;
  findCurrentPolicy(tenantId: string): Promise<CurrentPolicy | undefined>;

  /**
   * Appends the entries `plan` returns for one subject, in one transaction that
   * serialises appends per tenant: chains them after the head, moves the head
   * and updates the current states. The entries record the subject's reference
   * (the draft's `subjectId` is replaced by it; a random pseudonym is created in
   * the same transaction for a subject the ledger does not know yet); the
   * current states stay keyed by the subject id. Returns the appended entries.
   */
  append(tenantId: string, subjectId: string, plan: AppendPlan, now: number): Promise<LedgerEntry[]>;
  /** The pseudonym and reference the ledger knows the subject by, if any. */
  findLedgerSubject(tenantId: string, subjectId: string): Promise<LedgerSubject | undefined>;
  /** The latest choice per purpose of a subject (the current-state rows). */
  listLatest(tenantId: string, subjectId: string): Promise<LatestChoice[]>;
  /** A subject's entries (found through its reference) in ledger order, after `afterSeq`, at most `limit`. */
  listSubjectEntries(tenantId: string, subjectId: string, afterSeq: number, limit: number): Promise<LedgerEntry[]>;
  /** The tenant's entries in ledger order, after `afterSeq`, at most `limit`. */
  listEntries(tenantId: string, afterSeq: number, limit: number): Promise<LedgerEntry[]>;
  findHead(tenantId: string): Promise<LedgerHead | undefined>;
}
