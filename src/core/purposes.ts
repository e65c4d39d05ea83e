import type { SensitiveClass } from './sensitive.ts';
import { SENSITIVE_CLASSES } from './sensitive.ts';

/**
 * Purposes: what data is collected and used for. Consent is given, refused or
 * withdrawn per subject and purpose; a decision for purpose P may read only
 * data whose subject consented to P. Each sensitive class has its own explicit
 * purpose, `sensitive:<class>`.
 *
 * @example
 * isPurpose('personalization'); // true
 * sensitivePurpose('health');   // 'sensitive:health'
 */
export const BASE_PURPOSES = [
  /** Counting and measuring (audience, performance of placements). */
  'measurement',
  /** Recommendations and content chosen from the subject's own history and declarations. */
  'personalization',
  /** Marketing messages: email, SMS, push. */
  'marketing_messages',
  /** Showing a subject items they looked at elsewhere in the shop or on other sites. */
  'retargeting',
  /** Offers triggered by the subject's location. */
  'location_offers',
  /** Selling or sharing personal data with third parties (CCPA/CPRA "sale or sharing"). */
  'sale_sharing',
] as const;

export type BasePurpose = (typeof BASE_PURPOSES)[number];
export type SensitivePurpose = `sensitive:${SensitiveClass}`;
export type Purpose = BasePurpose | SensitivePurpose;

export const sensitivePurpose = (c: SensitiveClass): SensitivePurpose => `sensitive:${c}`;

export const PURPOSES: readonly Purpose[] = [...BASE_PURPOSES, ...SENSITIVE_CLASSES.map(sensitivePurpose)];

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}
