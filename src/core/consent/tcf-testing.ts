import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';

/**
 * Encodes real TC strings for tests with the IAB library's own encoder. The
 * encoder needs a Global Vendor List; a minimal one (purposes 1–11, special
 * features 1–2, no vendors) is built here, so tests never touch the network.
 *
 * @example
 * encodeTestTcString({ purposes: [3, 4], specialFeatures: [1] });
 */
export function encodeTestTcString(
  options: {
    purposes?: number[];
    specialFeatures?: number[];
    tcfPolicyVersion?: number;
    cmpId?: number;
    /** When the choices were made (created and last updated); default now. */
    at?: Date;
  } = {},
): string {
  const purposes: Record<string, unknown> = {};
  for (let id = 1; id <= 11; id++) purposes[id] = { id, name: `Purpose ${id}`, description: '', illustrations: [] };
  const gvl = new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 1,
    tcfPolicyVersion: options.tcfPolicyVersion ?? 5,
    lastUpdated: '2026-01-01T00:00:00Z',
    purposes,
    specialPurposes: {},
    features: {},
    specialFeatures: {
      1: { id: 1, name: 'Use precise geolocation data', description: '' },
      2: { id: 2, name: 'Actively scan device characteristics for identification', description: '' },
    },
    stacks: {},
    dataCategories: {},
    vendors: {},
  } as unknown as ConstructorParameters<typeof GVL>[0]);
  const model = new TCModel(gvl);
  model.cmpId = options.cmpId ?? 300;
  model.cmpVersion = 1;
  model.publisherCountryCode = 'FR';
  model.isServiceSpecific = true;
  if (options.at) {
    model.created = options.at;
    model.lastUpdated = options.at;
  }
  if (options.purposes?.length) model.purposeConsents.set(options.purposes);
  if (options.specialFeatures?.length) model.specialFeatureOptins.set(options.specialFeatures);
  return TCString.encode(model);
}
