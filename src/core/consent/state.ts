import type { Purpose } from '../purposes.ts';
import { PURPOSES } from '../purposes.ts';
import type { ConsentMethod, ConsentStatus } from './ledger.ts';

/**
 * The effective consent of a subject for a purpose, as decisions read it:
 * - `granted`, `denied`, `withdrawn` — the latest choice, made under the current policy;
 * - `needs_renewal` — the latest choice was made under another policy version
 *   than the current one: it counts neither as granted nor as refused until the
 *   person chooses again;
 * - `unset` — no choice has ever been recorded.
 * Only `granted` allows use of personal data for the purpose.
 */
export type EffectiveStatus = ConsentStatus | 'needs_renewal' | 'unset';

/** The latest recorded choice for one purpose (the current-state row). */
export interface LatestChoice {
  readonly purpose: Purpose;
  readonly status: ConsentStatus;
  readonly method: ConsentMethod;
  readonly policyVersion: string | null;
  /** The ledger entry that proves it. */
  readonly seq: number;
  readonly recordedAt: number;
}

export interface EffectiveConsent {
  readonly purpose: Purpose;
  readonly status: EffectiveStatus;
  /** The latest choice behind the status (absent when `unset`). */
  readonly latest: LatestChoice | undefined;
}

/**
 * Resolves the effective status of one purpose from its latest choice and the
 * tenant's current policy version.
 *
 * @example
 * effectiveStatus({ status: 'granted', policyVersion: '1', ... }, '2'); // 'needs_renewal'
 */
export function effectiveStatus(latest: LatestChoice | undefined, currentPolicy: string | null): EffectiveStatus {
  if (!latest) return 'unset';
  if (latest.policyVersion !== currentPolicy) return 'needs_renewal';
  return latest.status;
}

/**
 * The effective consent for every purpose, in the order of `PURPOSES`.
 *
 * @example
 * resolveConsents([], null).every((c) => c.status === 'unset'); // true
 */
export function resolveConsents(latest: readonly LatestChoice[], currentPolicy: string | null): EffectiveConsent[] {
  const byPurpose = new Map(latest.map((l) => [l.purpose, l]));
  return PURPOSES.map((purpose) => {
    const choice = byPurpose.get(purpose);
    return { purpose, status: effectiveStatus(choice, currentPolicy), latest: choice };
  });
}

/** True when the choice was made by the person (not a signal, not the tenant's systems). */
export const isPersonChoice = (method: ConsentMethod): boolean =>
  method === 'accepted' || method === 'refused' || method === 'withdrawn' || method === 'tcf';

/** The method that records a person's own choice of `status` in the tenant's notice. */
export const methodForStatus = (status: ConsentStatus): ConsentMethod =>
  status === 'granted' ? 'accepted' : status === 'denied' ? 'refused' : 'withdrawn';
