import type { Purpose } from '../purposes.ts';
import type { LatestChoice } from './state.ts';
import { isPersonChoice } from './state.ts';

/**
 * Global Privacy Control. A request with `Sec-GPC: 1` is the person's objection
 * to the sale or sharing of their data: Pertinent records it as `denied`
 * (method `gpc`) for the purposes below. The person's own explicit choice, made
 * under the current policy, wins over the signal.
 */
export const GPC_PURPOSES: readonly Purpose[] = ['retargeting', 'sale_sharing'];

/** The date our GPC support last changed, served in /.well-known/gpc.json. */
export const GPC_LAST_UPDATE = '2026-11-23';

/** True when a `Sec-GPC` header value means the signal is on (exactly "1", per the specification). */
export function gpcSignalOn(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() === '1';
}

/**
 * The purposes for which a GPC signal must be recorded now, given the latest
 * choices: not where the person chose explicitly under the current policy
 * (their choice wins), and not where the state already reflects GPC (no
 * duplicate entries).
 *
 * @example
 * purposesForGpc([], '1'); // ['retargeting', 'sale_sharing']
 */
export function purposesForGpc(latest: readonly LatestChoice[], currentPolicy: string | null): Purpose[] {
  return GPC_PURPOSES.filter((purpose) => {
    const choice = latest.find((l) => l.purpose === purpose);
    if (!choice || choice.policyVersion !== currentPolicy) return true;
    if (isPersonChoice(choice.method)) return false;
    return !(choice.method === 'gpc' && choice.status === 'denied');
  });
}
