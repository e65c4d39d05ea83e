import { ConsentedView } from '../decision/consented-view.ts';
import { decide } from '../decision/pipeline.ts';
import { defaultPlacement } from '../decision/placement.ts';
import type { CandidateSources, CatalogItem, CatalogView, DecidedItem, PlacementConfig } from '../decision/types.ts';
import type { SensitiveClass } from '../sensitive.ts';
import { nearestSensitiveClass } from '../taxonomy.ts';
import type { LocalTime } from './eligibility.ts';
import { ineligibility } from './eligibility.ts';
import { pacedAllowance, paceFactor, rotationFactor } from './pacing.ts';
import type { RelationTable, Relevance } from './relevance.ts';
import { relevance } from './relevance.ts';
import type { AdPlacement, Campaign, Venue } from './types.ts';

/**
 * The ad decision, on the decision pipeline of `src/core/decision`.
 *
 * Campaigns play the part of items: a {@link CatalogView} over the eligible
 * campaigns, and one candidate source, `venue`, that scores them by
 * relevance × pacing × rotation. The pipeline runs with an anonymous,
 * empty {@link ConsentedView} on an `advertising` placement, so its
 * sensitive-category policy, business rules, ranking and explanation apply
 * unchanged, and nothing personal can enter: there is no subject and no
 * record to read. See docs/adr/0007-contextual-ads.md.
 */
export interface AdSelectionInput {
  readonly decisionId: string;
  readonly tenantId: string;
  readonly placement: AdPlacement;
  readonly venue: Venue;
  readonly campaigns: readonly Campaign[];
  readonly learned: RelationTable;
  /** Sensitive class of an advertised category (built-in taxonomy and the tenant's tags), or null. */
  readonly classOf: (category: string) => SensitiveClass | null;
  /** Impressions served so far (as last known on this node), for pacing. */
  readonly served: (campaignId: string) => number;
  /** Impressions on this screen in the current cap window, as last known on this node. */
  readonly shownHere: (campaign: Campaign) => number;
  /** Precomputed relevance of a campaign to this venue (defaults to {@link relevance}). */
  readonly relevanceOf?: (campaign: Campaign) => Relevance | undefined;
  /** Precomputed sensitive class of a campaign (defaults to {@link campaignClass}). */
  readonly classOfCampaign?: (campaign: Campaign) => SensitiveClass | null;
  /** Campaigns shown recently on this screen, oldest first. */
  readonly recent: readonly string[];
  readonly now: number;
  readonly local: LocalTime;
  readonly locale: string;
  /** How many ranked campaigns to return (the service tries them in order). */
  readonly limit: number;
}

/** A campaign chosen for a placement, with what made it relevant. */
export interface RankedAdvert {
  readonly campaign: Campaign;
  readonly score: number;
  readonly relevance: Relevance;
  readonly decided: DecidedItem;
}

const NO_SCORES: readonly never[] = Object.freeze([]);
// Built once: the parts of the pipeline's inputs that are the same for every ad decision.
const none = () => NO_SCORES;
const noCategory = () => false;
const pathAsName = (path: string) => path;
const NO_COUNTERS = Object.freeze({ count: () => 0 });

/** Sensitive classes of a campaign's categories (any one keeps it out of every advertising decision). */
export function campaignClass(
  c: Pick<Campaign, 'categories'>,
  classOf: (category: string) => SensitiveClass | null,
): SensitiveClass | null {
  for (const cat of c.categories) {
    const cls = classOf(cat);
    if (cls !== null) return cls;
  }
  return null;
}

/** The sensitive class of a path in the default taxonomy, given the tenant's tags. */
export const classOfWith =
  (tags: ReadonlyMap<string, SensitiveClass>) =>
  (category: string): SensitiveClass | null =>
    nearestSensitiveClass(category, tags);

/**
 * The view every ad decision runs with: anonymous, no consent, no record. It
 * is the same for every decision (nothing in it depends on who is there,
 * because nobody is known), so it is built once.
 */
export const ANONYMOUS_VIEW: ConsentedView = ConsentedView.build({
  purpose: 'personalization',
  placementKind: 'advertising',
  subjectId: undefined,
  consents: new Map(),
  records: { interactions: [], declarations: {} },
  catalog: { item: () => undefined, classOfCategory: () => null, hasCategory: () => false, categoryName: (p) => p },
  gpc: false,
  knownMinor: false,
  controlGroup: false,
});

function adPlacementConfig(id: string, limit: number): PlacementConfig {
  const base = defaultPlacement(id, 'advertising');
  return {
    ...base,
    caps: [],
    maxPerCategory: limit,
    exploration: 0,
    controlShare: 0,
    retargeting: { ...base.retargeting, enabled: false },
    rules: { ...base.rules, minStock: 0 },
  };
}

/**
 * Ranks the campaigns that may run on a placement now, best first.
 *
 * Eligible means: the context matches the campaign's targeting, it is
 * relevant to the venue (a complement of its activity), it is within its paced
 * allowance, under its per-screen cap, and of no sensitive class. The score is
 * relevance × pace factor × rotation factor. The pipeline then applies its
 * guardrails and orders the result.
 *
 * @example
 * const ranked = rankAdverts({ decisionId, tenantId, placement, venue, campaigns, learned, classOf,
 *   served: () => 0, shownHere: () => 0, recent: [], now, local, locale: 'en', limit: 5 });
 * ranked[0]?.campaign.id; // the most relevant wedding campaign at a jeweller's
 */
export function rankAdverts(input: AdSelectionInput): RankedAdvert[] {
  const { venue, placement, now, local } = input;
  const eligible = new Map<string, { campaign: Campaign; item: CatalogItem; relevance: Relevance; score: number }>();
  for (const c of input.campaigns) {
    if (ineligibility(c, { venue, placement, now, local }) !== null) continue;
    const rel = input.relevanceOf ? input.relevanceOf(c) : relevance(venue, c.categories, input.learned);
    if (rel === undefined) continue;
    const served = input.served(c.id);
    if (served >= pacedAllowance(c, now)) continue;
    if (input.shownHere(c) >= c.perScreen.limit) continue;
    const score = rel.score * paceFactor(c, served, now) * rotationFactor(input.recent, c.id);
    eligible.set(c.id, {
      campaign: c,
      relevance: rel,
      score,
      item: {
        id: c.id,
        title: c.name,
        category: rel.to,
        sensitiveClass: input.classOfCampaign ? input.classOfCampaign(c) : campaignClass(c, input.classOf),
        available: true,
        stock: null,
      },
    });
  }
  if (eligible.size === 0) return [];

  const catalog: CatalogView = {
    item: (id) => eligible.get(id)?.item,
    classOfCategory: input.classOf,
    hasCategory: noCategory,
    categoryName: pathAsName,
  };
  // The pipeline needs only as many candidates as it may return.
  const scored = [...eligible.values()]
    .map((e) => ({ itemId: e.campaign.id, score: e.score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, input.limit);
  const sources: CandidateSources = {
    complements: none,
    similar: none,
    personal: none,
    popular: none,
    venue: () => scored,
  };
  const outcome = decide({
    decisionId: input.decisionId,
    request: {
      tenantId: input.tenantId,
      placement: placement.id,
      subjectId: undefined,
      purpose: 'personalization',
      context: { venue: venue.id, locale: input.locale },
      limit: input.limit,
      exclude: [],
      gpc: false,
      knownMinor: false,
      now,
    },
    placement: adPlacementConfig(placement.id, input.limit),
    view: ANONYMOUS_VIEW,
    catalog,
    sources,
    counters: NO_COUNTERS,
  });
  // Defence in depth: an advert is chosen from the context only.
  if (outcome.mode === 'personalized') throw new Error('an ad decision used personal data');
  const out: RankedAdvert[] = [];
  for (const d of outcome.items) {
    const e = eligible.get(d.itemId);
    if (e) out.push({ campaign: e.campaign, score: d.score, relevance: e.relevance, decided: d });
  }
  return out;
}
