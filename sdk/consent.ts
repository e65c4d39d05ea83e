import type { ConsentChoice, ConsentStatus, Consents } from './client.ts';

/**
 * Purposes that the Global Privacy Control signal refuses (CCPA "do not sell or share"; no cross-context reminders).
 *
 * @example
 * GPC_PURPOSES.includes('retargeting'); // true
 */
export const GPC_PURPOSES: readonly string[] = ['retargeting', 'sale_sharing'];

/**
 * Whether the browser sends the Global Privacy Control signal.
 *
 * @example
 * if (gpcEnabled()) hideRetargetingChoice();
 */
export function gpcEnabled(): boolean {
  return (
    typeof navigator !== 'undefined' && (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true
  );
}

/**
 * What the SDK knows of the subject's consents, and who to tell when it
 * changes. A purpose is usable only when its status is `granted` (and, with
 * GPC, never for the purposes GPC refuses).
 *
 * @example
 * const state = new ConsentState();
 * state.set({ subjectId: 's', currentPolicyVersion: 'v1', purposes: [{ purpose: 'measurement', status: 'granted' }] });
 * state.granted('measurement'); // true
 */
export class ConsentState {
  #statuses = new Map<string, ConsentStatus>();
  #listeners: (() => void)[] = [];
  /** False until the server's answer arrived: until then nothing is granted. */
  loaded = false;
  /** The policy version choices are recorded under. */
  policyVersion: string | null = null;
  readonly gpc: boolean;

  constructor(gpc = gpcEnabled()) {
    this.gpc = gpc;
  }

  /** Replaces what is known with the server's answer and tells the listeners. */
  set(consents: Consents): void {
    this.#statuses = new Map(consents.purposes.map((p) => [p.purpose, p.status]));
    this.policyVersion = consents.currentPolicyVersion;
    this.loaded = true;
    for (const l of this.#listeners) l();
  }

  /** The status of `purpose`; `unset` when nothing is known yet. */
  status(purpose: string): ConsentStatus {
    if (this.gpc && GPC_PURPOSES.includes(purpose)) return 'denied';
    return this.#statuses.get(purpose) ?? 'unset';
  }

  /** Whether data may be collected and used for `purpose` now. */
  granted(purpose: string): boolean {
    return this.loaded && this.status(purpose) === 'granted';
  }

  /** Whether the person has not decided yet (or must decide again under a new policy). */
  undecided(purpose: string): boolean {
    const s = this.status(purpose);
    return s === 'unset' || s === 'needs_renewal';
  }

  /**
   * The choice to record when the person says yes or no to `purpose`: a "no"
   * to a purpose they had granted is a withdrawal (which also deletes what was
   * collected only for it), otherwise a refusal.
   */
  choice(purpose: string, allow: boolean): ConsentChoice {
    return { purpose, status: allow ? 'granted' : this.granted(purpose) ? 'withdrawn' : 'denied' };
  }

  /** Calls `listener` after every change; returns a function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }
}
