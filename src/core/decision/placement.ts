import type { PlacementConfig, PlacementKind } from './types.ts';

const DAY = 24 * 3600 * 1000;

/**
 * The configuration a placement gets when the shop set nothing: caps that
 * keep a person from being followed, retargeting that fades in a week and
 * stops after two, suppression of what was just bought and its substitutes,
 * "not interested" honoured for 90 days after a dismissal, two items per
 * category, no exploration and no control group. Messages get a weekly
 * channel cap and honour quiet hours.
 *
 * @example
 * defaultPlacement('home', 'onsite').maxPerCategory; // 2
 */
export function defaultPlacement(id: string, kind: PlacementKind = 'onsite'): PlacementConfig {
  const isMessage = kind === 'email' || kind === 'sms' || kind === 'push';
  return {
    id,
    kind,
    caps: isMessage
      ? [{ scope: 'channel', limit: kind === 'email' ? 3 : 2, windowMs: 7 * DAY }]
      : [{ scope: 'item', limit: 20, windowMs: DAY }],
    rules: { includeCategories: [], excludeCategories: [], excludeItems: [], boosts: [], pinned: [], minStock: 1 },
    maxPerCategory: 2,
    exploration: 0,
    controlShare: 0,
    retargeting: { enabled: kind !== 'advertising', halfLifeDays: 3, maxAgeDays: 14, maxImpressions: 3 },
    suppression: { purchasedDays: 60, substitutes: true, dismissedDays: 90 },
    honourQuietHours: true,
  };
}
