import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { inDaypart, ineligibility, isOpen, localTime } from './eligibility.ts';
import { explainAdvert, houseLine } from './explain.ts';
import { capWindowStart, paceBurst, pacedAllowance, rotationFactor } from './pacing.ts';
import { relationTable, relevance } from './relevance.ts';
import type { AdSelectionInput } from './select.ts';
import { classOfWith, rankAdverts } from './select.ts';
import type { AdPlacement, Campaign, Venue } from './types.ts';

const NOW = Date.UTC(2026, 10, 23, 10, 0); // Monday 11:00 in Paris
const DAY = 24 * 3600_000;

export const jeweller: Venue = {
  id: 'maison-or',
  name: 'Maison Or',
  kind: 'jeweller',
  categories: ['jewellery/rings', 'jewellery/necklaces'],
  clientele: ['couples'],
  region: 'FR-75',
  timeZone: 'Europe/Paris',
  openingHours: {},
  waitingMoments: ['queue'],
  locale: 'fr',
  houseContent: [{ headline: 'Nos bagues de fiançailles' }],
  updatedAt: 0,
};
const screen: AdPlacement = { id: 'screen-1', kind: 'screen', venueId: 'maison-or', name: 'Counter', updatedAt: 0 };

export function campaign(id: string, categories: string[], extra: Partial<Campaign> = {}): Campaign {
  return {
    id,
    name: id,
    advertiser: `${id} SARL`,
    status: 'active',
    categories,
    creatives: [{ id: `${id}-c1`, headline: id, durationSeconds: 10 }],
    targeting: { venueKinds: [], regions: [], dayparts: [], waitingMoments: [], placementKinds: [] },
    flightStart: NOW - DAY,
    flightEnd: NOW + DAY,
    budgetImpressions: 100_000,
    perScreen: { limit: 10, windowMinutes: 60 },
    updatedAt: 0,
    ...extra,
  };
}

const input = (campaigns: Campaign[], extra: Partial<AdSelectionInput> = {}): AdSelectionInput => ({
  decisionId: 'd1',
  tenantId: 't',
  placement: screen,
  venue: jeweller,
  campaigns,
  learned: new Map(),
  classOf: classOfWith(new Map([['health', 'health']])),
  served: () => 0,
  shownHere: () => 0,
  recent: [],
  now: NOW,
  local: localTime(NOW, jeweller.timeZone),
  locale: 'en',
  limit: 10,
  ...extra,
});

describe('relevance: complements of the venue activity', () => {
  test("a jeweller's screen ranks wedding campaigns before anything else, and never an unrelated one", () => {
    const campaigns = [
      campaign('cat-food', ['pets/cat-food']),
      campaign('evening-dress', ['fashion/evening-wear']),
      campaign('photographer', ['wedding/photography']),
      campaign('chateau', ['wedding/venues']),
      campaign('bridal', ['wedding/bridal-wear/dresses']),
      campaign('other-jeweller', ['jewellery/rings']),
    ];
    const ranked = rankAdverts(input(campaigns)).map((r) => r.campaign.id);
    assert.deepEqual(ranked.slice(0, 3).sort(), ['bridal', 'chateau', 'photographer']);
    assert.ok(ranked.indexOf('evening-dress') > 2);
    assert.ok(!ranked.includes('cat-food'), 'an unrelated advert is never shown');
    assert.ok(!ranked.includes('other-jeweller'), 'more of the same is a substitute, not a complement');
  });

  test("the tenant's learned category table makes a campaign relevant; without a relation it stays out", () => {
    const learned = relationTable([{ from: 'jewellery', to: 'watches/servicing', weight: 0.7 }]);
    const c = campaign('watch-repair', ['watches/servicing/batteries']);
    assert.equal(rankAdverts(input([c])).length, 0);
    const r = rankAdverts(input([c], { learned }));
    assert.equal(r[0]?.campaign.id, 'watch-repair');
    assert.equal(r[0]?.relevance.source, 'learned');
    assert.equal(relevance({ kind: 'unknown', categories: [] }, ['wedding/photography'], new Map()), undefined);
  });

  test('a campaign of a sensitive class never runs, even when related', () => {
    const learned = relationTable([{ from: 'jewellery', to: 'health/vitamins', weight: 1 }]);
    const r = rankAdverts(input([campaign('vitamins', ['health/vitamins'])], { learned }));
    assert.deepEqual(r, []);
  });
});

describe('eligibility by context', () => {
  test('venue kind, region, daypart, waiting moment, placement kind, flight and status', () => {
    const ctx = { venue: jeweller, placement: screen, now: NOW, local: localTime(NOW, 'Europe/Paris') };
    const t = (targeting: Partial<Campaign['targeting']>) =>
      ineligibility(
        campaign('x', ['wedding/photography'], { targeting: { ...campaign('x', []).targeting, ...targeting } }),
        ctx,
      );
    assert.equal(t({}), null);
    assert.equal(t({ venueKinds: ['florist'] }), 'venue_kind');
    assert.equal(t({ venueKinds: ['jeweller'] }), null);
    assert.equal(t({ regions: ['FR'] }), null);
    assert.equal(t({ regions: ['IT'] }), 'region');
    assert.equal(t({ regions: ['FR-13'] }), 'region');
    assert.equal(t({ dayparts: [{ days: [1], from: '10:00', to: '12:00' }] }), null);
    assert.equal(t({ dayparts: [{ days: [1], from: '14:00', to: '18:00' }] }), 'daypart');
    assert.equal(t({ waitingMoments: ['fitting_room'] }), 'waiting_moment');
    assert.equal(t({ placementKinds: ['web'] }), 'placement_kind');
    assert.equal(ineligibility(campaign('x', [], { status: 'paused' }), ctx), 'paused');
    assert.equal(ineligibility(campaign('x', [], { flightStart: NOW + 1 }), ctx), 'outside_flight');
  });

  test('local time, dayparts across midnight, opening hours', () => {
    assert.deepEqual(localTime(NOW, 'Europe/Paris'), { weekday: 1, minutes: 11 * 60 });
    const late = { days: [5 as const], from: '22:00', to: '02:00' };
    assert.ok(inDaypart({ weekday: 5, minutes: 23 * 60 }, late));
    assert.ok(inDaypart({ weekday: 6, minutes: 60 }, late));
    assert.ok(!inDaypart({ weekday: 6, minutes: 23 * 60 }, late));
    assert.ok(isOpen({}, { weekday: 0, minutes: 0 }));
    assert.ok(isOpen({ 1: [['09:00', '19:00']] }, { weekday: 1, minutes: 600 }));
    assert.ok(!isOpen({ 1: [['09:00', '19:00']] }, { weekday: 2, minutes: 600 }));
  });
});

describe('pacing, caps and rotation', () => {
  test('the paced allowance grows evenly, never exceeds the budget and never runs ahead by more than the burst', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 90 * DAY }),
        fc.double({ min: -0.2, max: 1.2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (budget, length, at, later) => {
          const c = { budgetImpressions: budget, flightStart: 1_000, flightEnd: 1_000 + length };
          const now = 1_000 + Math.floor(at * length);
          const a = pacedAllowance(c, now);
          assert.ok(a >= 0 && a <= budget);
          const even = now <= c.flightStart ? 0 : Math.min(budget, (budget * (now - c.flightStart)) / length);
          assert.ok(a <= even + paceBurst(budget));
          assert.ok(a >= Math.floor(even) || now < c.flightStart);
          assert.ok(pacedAllowance(c, now + Math.floor(later * length)) >= a);
        },
      ),
    );
  });

  test('a campaign at its per-screen cap or ahead of its pace is left out', () => {
    const c = campaign('photographer', ['wedding/photography']);
    assert.equal(rankAdverts(input([c], { shownHere: () => 10 })).length, 0);
    assert.equal(rankAdverts(input([c], { served: () => 100_000 })).length, 0);
    assert.equal(rankAdverts(input([c], { shownHere: () => 9 })).length, 1);
    assert.equal(capWindowStart(Date.UTC(2026, 0, 1, 10, 59), 60), Date.UTC(2026, 0, 1, 10, 0));
  });

  test('rotation: a screen does not loop the same advert while others are eligible', () => {
    const campaigns = [
      campaign('photographer', ['wedding/photography']),
      campaign('bridal', ['wedding/bridal-wear']),
      campaign('chateau', ['wedding/venues']),
    ];
    const recent: string[] = [];
    for (let i = 0; i < 9; i++) {
      const first = rankAdverts(input(campaigns, { recent: [...recent] }))[0]?.campaign.id as string;
      assert.notEqual(first, recent.at(-1));
      recent.push(first);
    }
    assert.equal(new Set(recent).size, 3);
    assert.equal(rotationFactor(['a'], 'a'), 0.05);
  });
});

describe('explanations (DSA Art. 26(1)(d))', () => {
  const a = { venueId: 'maison-or', venueName: 'Maison Or', venueKind: 'jeweller', advertiser: 'Studio Lumière' };
  test('in English, French and Italian, naming the place and the advertiser', () => {
    assert.equal(explainAdvert(a, 'en').text, "Shown because you are in a jeweller's");
    assert.equal(explainAdvert(a, 'fr').text, 'Affiché parce que vous êtes dans une bijouterie');
    assert.equal(explainAdvert(a, 'it').text, 'Mostrato perché ti trovi in una gioielleria');
    assert.equal(explainAdvert(a, 'fr').advertiser, 'Annonceur : Studio Lumière');
    assert.equal(explainAdvert(a, 'en').noPersonalData, 'This was not chosen from your personal data.');
    assert.equal(explainAdvert({ ...a, venueKind: 'atelier' }, 'en').text, 'Shown because you are in Maison Or');
    assert.equal(houseLine('Maison Or', 'it'), 'Da Maison Or');
  });
});

describe('category relations learned by the recommendation models', () => {
  test('a learned table relates a venue to campaigns its kind alone would not', async () => {
    const { categoryRelations } = await import('../recommend/category-relations.ts');
    const subjects: string[][][] = [];
    for (let i = 0; i < 12; i++) subjects.push([['jewellery/rings', 'wedding/photography']]);
    for (let i = 0; i < 12; i++) subjects.push([['groceries/milk']]);
    const learned = relationTable(categoryRelations(subjects, { minSubjects: 10 }));
    const shop = { ...jeweller, kind: 'atelier' };
    const r = rankAdverts(input([campaign('photographer', ['wedding/photography'])], { venue: shop, learned }));
    assert.equal(r[0]?.relevance.source, 'learned');
  });
});
