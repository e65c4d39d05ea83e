import { createHash } from 'node:crypto';
import type { Purpose } from '../purposes.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * The consent ledger: per tenant, an append-only chain of consent entries.
 * Entry n carries `prevHash` (the hash of entry n-1, or {@link GENESIS_HASH} for
 * entry 1) and `hash = SHA-256(prevHash + canonicalJson(content))`, where the
 * content is every recorded field, including the tenant and the sequence number.
 * Altering, removing, reordering or inserting an entry breaks the chain at that
 * entry; a separate head (last seq and hash) catches removal of the last entries.
 */

/** What a person (or a signal) said about one purpose. */
export type ConsentStatus = 'granted' | 'denied' | 'withdrawn';

/**
 * How the choice was made: `accepted`, `refused`, `withdrawn` — by the person in
 * the tenant's own notice; `tcf` — by the person in an IAB TCF CMP; `gpc` — the
 * Global Privacy Control signal of the person's browser; `api` — recorded by
 * the tenant's systems without the person's interaction (e.g. an import).
 */
export type ConsentMethod = 'accepted' | 'refused' | 'withdrawn' | 'gpc' | 'api' | 'tcf';

export const CONSENT_STATUSES: readonly ConsentStatus[] = ['granted', 'denied', 'withdrawn'];
export const CONSENT_METHODS: readonly ConsentMethod[] = ['accepted', 'refused', 'withdrawn', 'gpc', 'api', 'tcf'];

/** The SHA-256 of nothing in particular: 64 zeros, the `prevHash` of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry as the service builds it, before the ledger gives it a place. */
export interface EntryDraft {
  /**
   * Who made the choice, as the ledger records it: the subject reference
   * (SHA-256 of the subject's random ledger pseudonym, see `pseudonym.ts`),
   * never the subject id itself. Entries written before pseudonyms existed hold
   * the raw subject id. The canonical JSON keeps the key `subjectId`, so older
   * chains verify unchanged.
   */
  readonly subjectId: string;
  readonly purpose: Purpose;
  readonly status: ConsentStatus;
  readonly method: ConsentMethod;
  /** The policy (notice) version the person was shown; null only for signals recorded before any policy existed. */
  readonly policyVersion: string | null;
  /** SHA-256 (hex) of that notice's text. */
  readonly noticeHash: string | null;
  /** Where the law of the choice comes from, e.g. `EU`, `FR`, `US-CA`. */
  readonly jurisdiction: string | null;
  /** Who recorded it: e.g. the banner, the key id, `gpc-header`. Never an IP address. */
  readonly source: string;
  readonly tcString: string | null;
  readonly gppString: string | null;
  /** Epoch milliseconds. */
  readonly recordedAt: number;
}

/** An entry in its place in the chain. */
export interface LedgerEntry extends EntryDraft {
  readonly tenantId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The last entry of a tenant's chain, kept apart from the entries. */
export interface LedgerHead {
  readonly tenantId: string;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/**
 * The hash of an entry: SHA-256 over the previous hash followed by the
 * canonical JSON of every field except the two hashes.
 *
 * @example
 * entryHash(GENESIS_HASH, { ...draft, tenantId: 'shop', seq: 1 }); // 64 hex digits
 */
export function entryHash(prevHash: string, entry: EntryDraft & { tenantId: string; seq: number }): string {
  const content = {
    tenantId: entry.tenantId,
    seq: entry.seq,
    subjectId: entry.subjectId,
    purpose: entry.purpose,
    status: entry.status,
    method: entry.method,
    policyVersion: entry.policyVersion,
    noticeHash: entry.noticeHash,
    jurisdiction: entry.jurisdiction,
    source: entry.source,
    tcString: entry.tcString,
    gppString: entry.gppString,
    recordedAt: entry.recordedAt,
  };
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}

/**
 * Gives drafts their places after `head` (or at the start of the chain),
 * returning the sealed entries and the new head.
 *
 * @example
 * const { entries, head } = sealEntries('shop', undefined, [draft]); // entries[0].seq === 1
 */
export function sealEntries(
  tenantId: string,
  head: { lastSeq: number; lastHash: string } | undefined,
  drafts: readonly EntryDraft[],
): { entries: LedgerEntry[]; head: LedgerHead } {
  let seq = head?.lastSeq ?? 0;
  let prevHash = head?.lastHash ?? GENESIS_HASH;
  const entries: LedgerEntry[] = [];
  for (const draft of drafts) {
    seq += 1;
    const hash = entryHash(prevHash, { ...draft, tenantId, seq });
    entries.push({ ...draft, tenantId, seq, prevHash, hash });
    prevHash = hash;
  }
  return { entries, head: { tenantId, lastSeq: seq, lastHash: prevHash } };
}

/** The outcome of walking a chain: all good, or the first entry that is wrong and why. */
export type ChainReport =
  | { readonly ok: true; readonly count: number; readonly headSeq: number; readonly headHash: string }
  | { readonly ok: false; readonly seq: number; readonly problem: string; readonly checked: number };

/**
 * Walks a tenant's chain entry by entry (feed them in ascending seq, in as many
 * pages as needed), then compares the end with the stored head. It stops at the
 * first problem, naming the seq of the altered or missing entry.
 *
 * @example
 * const v = new ChainVerifier('shop');
 * for (const e of entries) if (!v.add(e)) break;
 * v.finish(head); // { ok: true, count: 3, headSeq: 3, headHash: '…' }
 */
export class ChainVerifier {
  readonly #tenantId: string;
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #failure: ChainReport | undefined;

  constructor(tenantId: string) {
    this.#tenantId = tenantId;
  }

  #fail(seq: number, problem: string): false {
    this.#failure = { ok: false, seq, problem, checked: this.#expectedSeq - 1 };
    return false;
  }

  /** Checks the next entry; returns false once a problem is found (later entries are ignored). */
  add(entry: LedgerEntry): boolean {
    if (this.#failure) return false;
    const seq = this.#expectedSeq;
    if (entry.tenantId !== this.#tenantId) {
      return this.#fail(entry.seq, `entry ${entry.seq} belongs to tenant "${entry.tenantId}"`);
    }
    if (entry.seq < seq) return this.#fail(entry.seq, `entry ${entry.seq} appears twice or out of order`);
    if (entry.seq > seq) {
      const missing =
        entry.seq - seq === 1 ? `entry ${seq} is missing` : `entries ${seq} to ${entry.seq - 1} are missing`;
      return this.#fail(seq, `${missing} (the chain jumps from ${seq - 1} to ${entry.seq})`);
    }
    if (entry.prevHash !== this.#prevHash) {
      return this.#fail(
        seq,
        seq === 1
          ? `entry 1 does not start the chain (its previous hash is not the genesis hash)`
          : `entry ${seq} does not link to entry ${seq - 1} (its previous hash differs from entry ${seq - 1}'s hash)`,
      );
    }
    const recomputed = entryHash(entry.prevHash, entry);
    if (recomputed !== entry.hash) {
      return this.#fail(seq, `entry ${seq} was altered (its content no longer matches its hash)`);
    }
    this.#prevHash = entry.hash;
    this.#expectedSeq += 1;
    return true;
  }

  /** Compares the end of the chain with the stored head and gives the verdict. */
  finish(head: LedgerHead | undefined): ChainReport {
    if (this.#failure) return this.#failure;
    const count = this.#expectedSeq - 1;
    if (!head) {
      if (count === 0) return { ok: true, count: 0, headSeq: 0, headHash: GENESIS_HASH };
      return {
        ok: false,
        seq: count,
        problem: `the head is missing while the chain has ${count} entries`,
        checked: count,
      };
    }
    if (head.lastSeq > count) {
      const missing =
        head.lastSeq - count === 1
          ? `entry ${count + 1} is missing`
          : `entries ${count + 1} to ${head.lastSeq} are missing`;
      return {
        ok: false,
        seq: count + 1,
        problem: `${missing} (the head says the chain ends at ${head.lastSeq}, the last entry found is ${count})`,
        checked: count,
      };
    }
    if (head.lastSeq < count) {
      return {
        ok: false,
        seq: head.lastSeq + 1,
        problem: `entry ${head.lastSeq + 1} is beyond the head (the head says the chain ends at ${head.lastSeq}); entries were added outside the ledger`,
        checked: count,
      };
    }
    if (head.lastHash !== this.#prevHash) {
      return {
        ok: false,
        seq: count,
        problem: `entry ${count} does not match the head (the head's hash differs from the last entry's hash)`,
        checked: count,
      };
    }
    return { ok: true, count, headSeq: head.lastSeq, headHash: head.lastHash };
  }
}
