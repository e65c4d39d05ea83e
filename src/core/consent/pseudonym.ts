import { createHash } from 'node:crypto';

/**
 * Ledger pseudonyms. The consent ledger never records a subject id: each
 * subject of a tenant gets a random pseudonym (kept in a mapping table next to
 * the subject id), and ledger entries carry its SHA-256, the *subject
 * reference*. Erasure deletes the mapping row: the entries then point at the
 * hash of a random value that exists nowhere any more, so they identify nobody
 * while the chain, which covers the reference, stays verifiable. A subject who
 * kept their pseudonym (it is in their export) can still prove which entries
 * were theirs.
 *
 * @example
 * subjectRefOf('kq3J…'); // 64 hex digits
 */
export function subjectRefOf(pseudonym: string): string {
  return createHash('sha256').update(`pertinent.consent.subject:${pseudonym}`, 'utf8').digest('hex');
}

/** What the ledger knows a subject by: the pseudonym (null for entries written before pseudonyms) and its reference. */
export interface LedgerSubject {
  readonly pseudonym: string | null;
  readonly subjectRef: string;
}
