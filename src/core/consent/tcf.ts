import { TCString } from '@iabtechlabtcf/core';
import type { Purpose } from '../purposes.ts';
import type { ConsentStatus } from './ledger.ts';

/**
 * IAB TCF v2.2 / v2.3 consent strings, decoded without a Global Vendor List
 * (only the core segment's purpose consents and special-feature opt-ins are
 * read, never vendor consents) and mapped onto Pertinent's purposes. The mapping, and what is left
 * unmapped and why, is documented in docs/reference/tcf-mapping.md.
 */

/** A TCF purpose (1–11) or special feature (1–2) that a Pertinent purpose needs. */
export interface TcfRequirement {
  /** TCF purposes that must all have consent (legitimate interest never counts). */
  readonly purposes: readonly number[];
  /** TCF special features that must all be opted in. */
  readonly specialFeatures: readonly number[];
}

/**
 * Pertinent purpose → what the TC string must consent to for it to be granted.
 * A mapped purpose whose requirements are not all met is recorded as denied.
 */
export const TCF_MAPPING: Readonly<Partial<Record<Purpose, TcfRequirement>>> = {
  // 3 "Create profiles for personalised advertising" + 4 "Use profiles to select personalised advertising".
  retargeting: { purposes: [3, 4], specialFeatures: [] },
  // 5 "Create profiles to personalise content" + 6 "Use profiles to select personalised content".
  personalization: { purposes: [5, 6], specialFeatures: [] },
  // 7 "Measure advertising performance", 8 "Measure content performance", 9 "Understand audiences through statistics".
  measurement: { purposes: [7, 8, 9], specialFeatures: [] },
  // Special feature 1 "Use precise geolocation data".
  location_offers: { purposes: [], specialFeatures: [1] },
};

/** The smallest TCF policy version accepted: 4 is TCF v2.2 (v2.3 strings carry 5). */
export const MIN_TCF_POLICY_VERSION = 4;

/** What a valid TC string says, in our terms. */
export interface DecodedTcf {
  /** TCF policy version of the string (4 = v2.2, 5 = v2.3). */
  readonly policyVersion: number;
  readonly cmpId: number;
  readonly created: number;
  /** When the choices were last changed (epoch ms; CMPs round it to the day, TCF v2.2). */
  readonly lastUpdated: number;
  readonly purposeConsents: readonly number[];
  readonly specialFeatureOptins: readonly number[];
  /** The choice for each mapped Pertinent purpose. */
  readonly choices: readonly { readonly purpose: Purpose; readonly status: ConsentStatus }[];
}

/** Why a TC string was refused, in words a developer can act on. */
export class TcfDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TcfDecodeError';
  }
}

const TC_STRING_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Decodes a TC string and maps it to Pertinent purposes; throws
 * {@link TcfDecodeError} when it is malformed, not TCF v2, or older than v2.2.
 *
 * @example
 * decodeTcString(tc).choices; // [{ purpose: 'retargeting', status: 'granted' }, …]
 */
export function decodeTcString(tcString: string): DecodedTcf {
  if (!TC_STRING_RE.test(tcString)) {
    throw new TcfDecodeError('it is not base64url text in dot-separated segments');
  }
  let model: ReturnType<typeof TCString.decode>;
  try {
    model = TCString.decode(tcString);
  } catch (error) {
    throw new TcfDecodeError(`it cannot be decoded (${(error as Error).message.trim()})`);
  }
  const version = Number(model.version);
  if (version !== 2) throw new TcfDecodeError(`its version is ${version}; only TCF v2 strings are accepted`);
  const policyVersion = Number(model.policyVersion);
  if (!Number.isInteger(policyVersion) || policyVersion < MIN_TCF_POLICY_VERSION) {
    throw new TcfDecodeError(
      `its TCF policy version is ${policyVersion}; only TCF v2.2 (policy version 4) and later are accepted`,
    );
  }
  const cmpId = Number(model.cmpId);
  if (!Number.isInteger(cmpId) || cmpId < 1) throw new TcfDecodeError(`its CMP id ${cmpId} is not valid`);
  const purposeConsents: number[] = [];
  model.purposeConsents.forEach((on, id) => {
    if (on) purposeConsents.push(id);
  });
  const specialFeatureOptins: number[] = [];
  model.specialFeatureOptins.forEach((on, id) => {
    if (on) specialFeatureOptins.push(id);
  });
  const choices = Object.entries(TCF_MAPPING).map(([purpose, need]) => {
    const granted =
      (need as TcfRequirement).purposes.every((p) => purposeConsents.includes(p)) &&
      (need as TcfRequirement).specialFeatures.every((f) => specialFeatureOptins.includes(f));
    return { purpose: purpose as Purpose, status: (granted ? 'granted' : 'denied') as ConsentStatus };
  });
  const created = model.created instanceof Date ? model.created.getTime() : Number.NaN;
  const lastUpdated = model.lastUpdated instanceof Date ? model.lastUpdated.getTime() : created;
  return { policyVersion, cmpId, created, lastUpdated, purposeConsents, specialFeatureOptins, choices };
}
