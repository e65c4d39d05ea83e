import type { KeyObject } from 'node:crypto';
import { createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LocalTime } from '../../core/ads/eligibility.ts';
import { ineligibility, isOpen, isTimeZone, localTime, minutesOf } from '../../core/ads/eligibility.ts';
import type { AdExplanation } from '../../core/ads/explain.ts';
import { explainAdvert, houseLine } from '../../core/ads/explain.ts';
import { capWindowStart, pacedAllowance } from '../../core/ads/pacing.ts';
import type { RelationTable, Relevance } from '../../core/ads/relevance.ts';
import {
  categoriesNamed,
  mergeRelations,
  pageRelevance,
  relationTable,
  relevance,
  words,
} from '../../core/ads/relevance.ts';
import { campaignClass, classOfWith, rankAdverts } from '../../core/ads/select.ts';
import type {
  AdPlacement,
  AdPlacementKind,
  Campaign,
  CategoryRelation,
  Creative,
  Daypart,
  HouseContent,
  OpeningHours,
  Venue,
  WaitingMoment,
} from '../../core/ads/types.ts';
import { SENSITIVE_VENUE_KINDS } from '../../core/ads/venue-kinds.ts';
import { pickLocale } from '../../core/explain/reasons.ts';
import type { SensitiveClass } from '../../core/sensitive.ts';
import {
  categoryAncestors,
  categoryPathProblem,
  DEFAULT_SENSITIVE_TAGS,
  normalizeCategoryPath,
} from '../../core/taxonomy.ts';
import { AppError, badRequest, conflict, notFound, unprocessable } from '../../platform/errors.ts';
import type { AdStore, ReportRow, StoredPlacement } from './ads.store.ts';

/**
 * Contextual advertising: venues, campaigns, placements (web slots and
 * screens), ad decisions, proof of play and reports.
 *
 * This service is built without any access to subjects, events, consents,
 * preferences or the decisions audit: its only ports are its own store, key
 * management for screen keys, the tenant's signing secret and (on campaign
 * writes only) the tenant's sensitive category tags. The ad path therefore
 * cannot read personal data; `ads.privacy.test.ts` checks it table by table.
 */
export interface AdsPorts {
  /** Creates and revokes the publishable keys bound to screens. */
  readonly keys: {
    createKey(tenantId: string, scope: 'publishable', label: string): Promise<{ key: { id: string }; secret: string }>;
    revokeKey(tenantId: string, keyId: string): Promise<void>;
  };
  /** A per-tenant secret to sign play tokens with (derived, never shown). */
  signingSecret(tenantId: string): Promise<string>;
  /** The tenant's sensitive class of a category path (campaign writes only; catalog data, not personal). */
  classOfCategory?(tenantId: string, path: string): Promise<SensitiveClass | null>;
  /** The category path of a catalog item, for a web page's `itemId` (catalog data, cached per tenant). */
  categoryOfItem?(tenantId: string, itemId: string): Promise<string | undefined>;
}

/**
 * What a web page says about itself when it asks for an advert: the category
 * it shows, the item on it, the search words or keywords. About the page,
 * never about the reader (ad requests carry no subject).
 */
export interface PageContext {
  readonly categoryPath?: string;
  readonly itemId?: string;
  readonly query?: string;
  readonly keywords?: readonly string[];
}

export interface VenueInput {
  readonly name: string;
  readonly kind: string;
  readonly categories?: readonly string[];
  readonly clientele?: readonly string[];
  readonly region: string;
  readonly timeZone: string;
  readonly openingHours?: OpeningHours;
  readonly waitingMoments?: readonly WaitingMoment[];
  readonly locale?: string;
  readonly houseContent?: readonly HouseContent[];
}

export interface CampaignInput {
  readonly name: string;
  readonly advertiser: string;
  readonly status?: 'active' | 'paused';
  readonly categories: readonly string[];
  readonly creatives: readonly Creative[];
  readonly targeting?: Partial<{
    venueKinds: readonly string[];
    regions: readonly string[];
    dayparts: readonly Daypart[];
    waitingMoments: readonly WaitingMoment[];
    placementKinds: readonly AdPlacementKind[];
  }>;
  readonly flight: { readonly start: string; readonly end: string };
  readonly budget: { readonly impressions: number };
  readonly perScreen?: { readonly limit: number; readonly windowMinutes: number };
}

export interface PlacementInput {
  readonly kind: AdPlacementKind;
  readonly venueId: string;
  readonly name?: string;
  readonly waitingMoment?: WaitingMoment;
}

/** What a screen or web slot receives: an advert, or the venue's own content. */
export interface AdDecision {
  readonly decisionId: string;
  readonly placementId: string;
  readonly venueId: string;
  readonly kind: 'advert' | 'house';
  readonly locale: string;
  readonly advert?: {
    readonly campaignId: string;
    readonly creativeId: string;
    readonly advertiser: string;
    readonly headline: string;
    readonly body?: string;
    readonly imageUrl?: string;
    readonly clickUrl?: string;
    readonly background?: string;
  };
  readonly house?: HouseContent;
  readonly explanation: AdExplanation | { readonly text: string; readonly noPersonalData: string };
  readonly durationSeconds: number;
  /** Send it back to POST /v1/ads/plays once the advert has played; null for the venue's own content. */
  readonly playToken: string | null;
}

/** Who is asking, as the HTTP layer authenticated it. */
export interface AdCaller {
  readonly tenantId: string;
  readonly scope: 'publishable' | 'server' | 'admin';
  readonly keyId: string;
}

interface TenantState {
  readonly venues: ReadonlyMap<string, Venue>;
  readonly campaigns: readonly Campaign[];
  readonly placements: ReadonlyMap<string, StoredPlacement>;
  /** Publishable key id → the screen it is bound to. */
  readonly boundKeys: ReadonlyMap<string, string>;
  readonly learned: RelationTable;
  readonly served: Map<string, number>;
  /**
   * Relevance of each campaign to each venue (or venue and page categories),
   * and each campaign's sensitive class: fixed until the next load.
   */
  readonly relevance: Map<string, Map<string, Relevance | null>>;
  /** Category of each catalog item a page named (null: unknown item), until the next load. */
  readonly itemCategories: Map<string, string | null>;
  /** The categories a page's words may name: the campaigns' and the relation table's, with their ancestors. */
  vocabulary: readonly string[] | undefined;
  readonly classes: Map<string, SensitiveClass | null>;
  /** Explanations by venue, campaign and locale (texts do not change between loads). */
  readonly explanations: Map<string, AdExplanation>;
  /** Per placement, the campaigns its context admits this minute (targeting and relevance; counters aside). */
  readonly shortlist: Map<string, { minute: number; campaigns: readonly Campaign[] }>;
  readonly until: number;
}

/** Sensitive class of an advertised category in the default taxonomy (the decision path's defence in depth). */
const defaultClassOf = classOfWith(DEFAULT_SENSITIVE_TAGS);

const HOUSE_SECONDS = 10;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const RECENT = 6;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const REGION_RE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const b64 = (s: string) => Buffer.from(s).toString('base64url');

export class AdsService {
  readonly #store: AdStore;
  readonly #ports: AdsPorts;
  readonly #now: () => number;
  readonly #cacheMs: number;
  readonly #state = new Map<string, TenantState>();
  readonly #loading = new Map<string, Promise<TenantState>>();
  /** Per screen (tenant + placement): each campaign's count in its current cap window, as last known here. */
  readonly #shown = new Map<string, Map<string, { windowStart: number; shown: number }>>();
  readonly #recent = new Map<string, string[]>();
  readonly #secrets = new Map<string, KeyObject>();
  #lastPurge = 0;
  /** Per screen: which of the venue's own contents comes next. */
  readonly #houseTurns = new Map<string, number>();

  constructor(store: AdStore, ports: AdsPorts, options: { now?: () => number; cacheSeconds?: number } = {}) {
    this.#store = store;
    this.#ports = ports;
    this.#now = options.now ?? Date.now;
    this.#cacheMs = (options.cacheSeconds ?? 2) * 1000;
  }

  // ---- venues ---------------------------------------------------------------

  async putVenue(tenantId: string, id: string, input: VenueInput): Promise<{ venue: Venue; created: boolean }> {
    if (!isTimeZone(input.timeZone)) {
      throw badRequest('ad_invalid_venue', `timeZone ${JSON.stringify(input.timeZone)} is not an IANA time zone.`, {
        hint: 'Use a zone such as "Europe/Paris".',
      });
    }
    if (!REGION_RE.test(input.region)) {
      throw badRequest('ad_invalid_venue', `region ${JSON.stringify(input.region)} is not a coarse region code.`, {
        hint: 'Use an ISO 3166 country or subdivision code, such as "FR" or "FR-75" — never an address.',
      });
    }
    for (const [day, intervals] of Object.entries(input.openingHours ?? {})) {
      for (const [from, to] of intervals ?? []) {
        if (minutesOf(from) === undefined || minutesOf(to) === undefined) {
          throw badRequest('ad_invalid_venue', `openingHours.${day} has an interval that is not HH:MM–HH:MM.`);
        }
      }
    }
    const venue: Venue = {
      id,
      name: input.name,
      kind: input.kind,
      categories: categories(input.categories ?? [], 'categories'),
      clientele: [...(input.clientele ?? [])],
      region: input.region,
      timeZone: input.timeZone,
      openingHours: input.openingHours ?? {},
      waitingMoments: [...new Set(input.waitingMoments ?? [])],
      locale: pickLocale(input.locale),
      houseContent: [...(input.houseContent ?? [])],
      updatedAt: this.#now(),
    };
    const created = await this.#store.putVenue(tenantId, venue);
    this.#state.delete(tenantId);
    return { venue, created };
  }

  async getVenue(tenantId: string, id: string): Promise<Venue> {
    const v = await this.#store.findVenue(tenantId, id);
    if (!v) throw venueNotFound(id);
    return v;
  }

  listVenues(tenantId: string): Promise<Venue[]> {
    return this.#store.listVenues(tenantId);
  }

  async deleteVenue(tenantId: string, id: string): Promise<void> {
    const using = (await this.#store.listPlacements(tenantId)).filter((p) => p.venueId === id);
    if (using.length > 0) {
      throw conflict(
        'ad_venue_in_use',
        `Venue "${id}" has placements (${using.map((p) => p.id).join(', ')}).`,
        'Delete or move its placements first.',
      );
    }
    if (!(await this.#store.deleteVenue(tenantId, id))) throw venueNotFound(id);
    this.#state.delete(tenantId);
  }

  // ---- campaigns ------------------------------------------------------------

  async putCampaign(
    tenantId: string,
    id: string,
    input: CampaignInput,
  ): Promise<{ campaign: Campaign; created: boolean }> {
    const flightStart = Date.parse(input.flight.start);
    const flightEnd = Date.parse(input.flight.end);
    if (!(flightEnd > flightStart)) {
      throw badRequest('ad_invalid_campaign', 'flight.end must be after flight.start.', {
        hint: 'Give the flight as ISO 8601 times, e.g. {"start": "2026-12-01T00:00:00Z", "end": "2026-12-31T23:59:59Z"}.',
      });
    }
    const creativeIds = new Set(input.creatives.map((c) => c.id));
    if (creativeIds.size !== input.creatives.length) {
      throw badRequest('ad_invalid_campaign', 'Two creatives have the same id.', {
        hint: 'Give each creative its own id.',
      });
    }
    const t = input.targeting ?? {};
    for (const d of t.dayparts ?? []) {
      if (minutesOf(d.from) === undefined || minutesOf(d.to) === undefined) {
        throw badRequest('ad_invalid_campaign', `A daypart (${d.from}–${d.to}) is not HH:MM–HH:MM.`);
      }
    }
    const advertised = categories(input.categories, 'categories');
    // Advertising never targets on a sensitive class (DSA Art. 26(3)): not by product, not by place.
    const sensitive: { what: string; cls: SensitiveClass }[] = [];
    for (const c of advertised) {
      const cls = defaultClassOf(c) ?? (await this.#ports.classOfCategory?.(tenantId, c)) ?? null;
      if (cls !== null) sensitive.push({ what: `category "${c}"`, cls });
    }
    for (const kind of t.venueKinds ?? []) {
      const cls = SENSITIVE_VENUE_KINDS[kind];
      if (cls !== undefined) sensitive.push({ what: `venue kind "${kind}"`, cls });
    }
    if (sensitive.length > 0) {
      throw unprocessable(
        'ad_sensitive_targeting',
        `Advertising may not target a sensitive class: ${sensitive.map((s) => `${s.what} is ${s.cls}`).join('; ')}.`,
        {
          hint: 'Remove those categories or venue kinds; sensitive classes are listed in docs/reference/sensitive-categories.md.',
          details: { sensitive: sensitive.map((s) => ({ target: s.what, class: s.cls })) },
        },
      );
    }
    const campaign: Campaign = {
      id,
      name: input.name,
      advertiser: input.advertiser,
      status: input.status ?? 'active',
      categories: advertised,
      creatives: input.creatives.map((c) => ({ ...c })),
      targeting: {
        venueKinds: [...(t.venueKinds ?? [])],
        regions: [...(t.regions ?? [])],
        dayparts: [...(t.dayparts ?? [])],
        waitingMoments: [...(t.waitingMoments ?? [])],
        placementKinds: [...(t.placementKinds ?? [])],
      },
      flightStart,
      flightEnd,
      budgetImpressions: input.budget.impressions,
      perScreen: input.perScreen ?? { limit: 6, windowMinutes: 60 },
      updatedAt: this.#now(),
    };
    const created = await this.#store.putCampaign(tenantId, campaign);
    this.#state.delete(tenantId);
    return { campaign, created };
  }

  async getCampaign(
    tenantId: string,
    id: string,
  ): Promise<{ campaign: Campaign; served: number; pacedTarget: number }> {
    const campaign = await this.#store.findCampaign(tenantId, id);
    if (!campaign) throw campaignNotFound(id);
    const served = (await this.#store.servedCounts(tenantId)).get(id) ?? 0;
    return { campaign, served, pacedTarget: pacedAllowance(campaign, this.#now()) };
  }

  listCampaigns(tenantId: string): Promise<Campaign[]> {
    return this.#store.listCampaigns(tenantId);
  }

  async deleteCampaign(tenantId: string, id: string): Promise<void> {
    if (!(await this.#store.deleteCampaign(tenantId, id))) throw campaignNotFound(id);
    this.#state.delete(tenantId);
  }

  // ---- placements -----------------------------------------------------------

  async putPlacement(
    tenantId: string,
    id: string,
    input: PlacementInput,
  ): Promise<{ placement: AdPlacement; created: boolean }> {
    if (!(await this.#store.findVenue(tenantId, input.venueId))) throw venueNotFound(input.venueId);
    const placement: AdPlacement = {
      id,
      kind: input.kind,
      venueId: input.venueId,
      name: input.name ?? id,
      ...(input.waitingMoment === undefined ? {} : { waitingMoment: input.waitingMoment }),
      updatedAt: this.#now(),
    };
    const created = await this.#store.putPlacement(tenantId, placement);
    this.#state.delete(tenantId);
    return { placement, created };
  }

  async getPlacement(tenantId: string, id: string): Promise<StoredPlacement> {
    const p = await this.#store.findPlacement(tenantId, id);
    if (!p) throw placementNotFound(id);
    return p;
  }

  listPlacements(tenantId: string): Promise<StoredPlacement[]> {
    return this.#store.listPlacements(tenantId);
  }

  async deletePlacement(tenantId: string, id: string): Promise<void> {
    const p = await this.getPlacement(tenantId, id);
    await this.#store.deletePlacement(tenantId, id);
    if (p.keyId !== null) await this.#ports.keys.revokeKey(tenantId, p.keyId).catch(() => {});
    this.#state.delete(tenantId);
  }

  /**
   * Issues the key a screen authenticates with: a publishable key bound to
   * this placement (it may ask for this placement's adverts only). A new key
   * revokes the previous one. The key is shown once.
   */
  async issueScreenKey(tenantId: string, placementId: string): Promise<{ keyId: string; secret: string; url: string }> {
    await this.getPlacement(tenantId, placementId);
    const { key, secret } = await this.#ports.keys.createKey(tenantId, 'publishable', `screen ${placementId}`);
    const previous = await this.#store.bindKey(tenantId, placementId, key.id);
    if (previous !== null && previous !== key.id) await this.#ports.keys.revokeKey(tenantId, previous).catch(() => {});
    this.#state.delete(tenantId);
    return {
      keyId: key.id,
      secret,
      url: `/screen/${encodeURIComponent(placementId)}?key=${encodeURIComponent(secret)}`,
    };
  }

  // ---- relations ------------------------------------------------------------

  /** Replaces the operator's relation table (it overrides the learned one pair by pair; weight 0 removes a pair). */
  async replaceRelations(tenantId: string, relations: readonly CategoryRelation[]): Promise<CategoryRelation[]> {
    const normalized = relations.map((r, i) => ({
      from: categories([r.from], `relations[${i}].from`)[0] as string,
      to: categories([r.to], `relations[${i}].to`)[0] as string,
      weight: r.weight,
    }));
    await this.#store.replaceRelations(tenantId, normalized, 'manual');
    this.#state.delete(tenantId);
    return this.#store.listRelations(tenantId, 'manual');
  }

  /**
   * Stores the category relations the recommendation side learned from
   * consented baskets (an aggregate; ADR 0012), replacing the previous
   * publication. Only categories and weights arrive here: this is the one
   * way learned relations reach the ad path, which then reads them from its
   * own table with the rest of the tenant's configuration.
   */
  async publishLearnedRelations(tenantId: string, relations: readonly CategoryRelation[]): Promise<void> {
    const valid = relations.flatMap((r) =>
      categoryPathProblem(r.from) || categoryPathProblem(r.to) || !(r.weight > 0 && r.weight <= 1)
        ? []
        : [{ from: normalizeCategoryPath(r.from), to: normalizeCategoryPath(r.to), weight: r.weight }],
    );
    await this.#store.replaceRelations(tenantId, valid, 'learned');
    this.#state.delete(tenantId);
  }

  /** The operator's table and the learned one (each as stored; the operator's wins pair by pair). */
  async listRelations(tenantId: string): Promise<{ manual: CategoryRelation[]; learned: CategoryRelation[] }> {
    const [manual, learned] = await Promise.all([
      this.#store.listRelations(tenantId, 'manual'),
      this.#store.listRelations(tenantId, 'learned'),
    ]);
    return { manual, learned };
  }

  // ---- ad decisions ---------------------------------------------------------

  async #tenant(tenantId: string): Promise<TenantState> {
    const now = this.#now();
    const cached = this.#state.get(tenantId);
    if (cached && cached.until > now) return cached;
    if (now - this.#lastPurge > HOUR) {
      // Housekeeping, at most hourly per node: receipts outlive their tokens (a day) by a day,
      // per-screen windows (at most a week long) by a day.
      this.#lastPurge = now;
      this.#store.purge({ receiptsBefore: now - 2 * DAY, windowsBefore: now - 8 * DAY }).catch(() => {});
    }
    let loading = this.#loading.get(tenantId);
    if (!loading) {
      loading = (async () => {
        // Read once per cache period, never per ad decision.
        const [venues, campaigns, placements, relations, learned, served] = await Promise.all([
          this.#store.listVenues(tenantId),
          this.#store.listCampaigns(tenantId),
          this.#store.listPlacements(tenantId),
          this.#store.listRelations(tenantId, 'manual'),
          this.#store.listRelations(tenantId, 'learned'),
          this.#store.servedCounts(tenantId),
        ]);
        const state: TenantState = {
          venues: new Map(venues.map((v) => [v.id, v])),
          campaigns,
          placements: new Map(placements.map((p) => [p.id, p])),
          boundKeys: new Map(placements.filter((p) => p.keyId !== null).map((p) => [p.keyId as string, p.id])),
          learned: relationTable(mergeRelations(learned, relations)),
          served,
          relevance: new Map(),
          itemCategories: new Map(),
          vocabulary: undefined,
          explanations: new Map(),
          shortlist: new Map(),
          classes: new Map(campaigns.map((c) => [c.id, campaignClass(c, defaultClassOf)])),
          until: this.#now() + this.#cacheMs,
        };
        if (this.#cacheMs > 0) this.#state.set(tenantId, state);
        return state;
      })().finally(() => this.#loading.delete(tenantId));
      this.#loading.set(tenantId, loading);
    }
    return loading;
  }

  /**
   * The next advert for a placement: the most relevant eligible campaign, paced
   * and rotated, committed atomically against its budget and per-screen cap —
   * or, when none is eligible, the venue's own content.
   */
  async decide(
    caller: AdCaller,
    placementId: string,
    options: { locale?: string; context?: PageContext } = {},
  ): Promise<AdDecision> {
    const { tenantId } = caller;
    const state = await this.#tenant(tenantId);
    const placement = state.placements.get(placementId);
    if (!placement) throw placementNotFound(placementId);
    this.#checkScreenKey(caller, state, placementId);
    const venue = state.venues.get(placement.venueId);
    if (!venue) throw venueNotFound(placement.venueId);
    const now = this.#now();
    const local: LocalTime = localTime(now, venue.timeZone);
    const locale = pickLocale(options.locale, venue.locale);
    const page = options.context === undefined ? [] : await this.#pageCategories(tenantId, state, options.context);
    const decisionId = randomUUID();
    const recentKey = `${tenantId}\u0000${placementId}`;
    const recent = this.#recent.get(recentKey) ?? [];
    let shown = this.#shown.get(recentKey);
    if (!shown) {
      shown = new Map();
      this.#shown.set(recentKey, shown);
    }
    const shownHere = shown;
    const relevanceKey = page.length === 0 ? venue.id : `${venue.id}\u0000${page.join('\n')}`;
    let relevant = state.relevance.get(relevanceKey);
    if (!relevant) {
      if (state.relevance.size > 10_000) state.relevance.clear();
      relevant = new Map();
      state.relevance.set(relevanceKey, relevant);
    }
    const relevantHere = relevant;
    // A closed venue's screen shows its own content: no budget is spent on an empty room.
    const open = isOpen(venue.openingHours, local);
    const ranked = !open
      ? []
      : rankAdverts({
          decisionId,
          tenantId,
          placement,
          venue,
          campaigns: this.#shortlist(state, placement, venue, now, local, page.length > 0),
          learned: state.learned,
          classOf: defaultClassOf,
          relevanceOf: (c) => {
            let r = relevantHere.get(c.id);
            if (r === undefined) {
              r = bestRelevance(venue, page, c.categories, state.learned) ?? null;
              relevantHere.set(c.id, r);
            }
            return r ?? undefined;
          },
          classOfCampaign: (c) => classOfIn(state, c),
          served: (id) => state.served.get(id) ?? 0,
          shownHere: (c) => {
            const e = shownHere.get(c.id);
            return e !== undefined && e.windowStart === capWindowStart(now, c.perScreen.windowMinutes) ? e.shown : 0;
          },
          recent,
          now,
          local,
          locale,
          limit: 8,
        });
    const day = utcDay(now);
    for (const r of ranked) {
      const c = r.campaign;
      if (classOfIn(state, c) !== null) continue;
      const windowStart = capWindowStart(now, c.perScreen.windowMinutes);
      const result = await this.#store.tryServe({
        tenantId,
        campaignId: c.id,
        placementId,
        venueId: venue.id,
        allowance: pacedAllowance(c, now),
        budget: c.budgetImpressions,
        windowStart,
        capLimit: c.perScreen.limit,
        day,
      });
      state.served.set(c.id, result.served);
      if (result.ok || result.shown >= c.perScreen.limit) shownHere.set(c.id, { windowStart, shown: result.shown });
      if (this.#shown.size > 50_000) this.#shown.clear();
      if (!result.ok) continue;
      this.#recent.set(recentKey, [...recent, c.id].slice(-RECENT));
      const creative = c.creatives[(result.served - 1) % c.creatives.length] as Creative;
      const token = await this.#sign(tenantId, [placementId, c.id, venue.id, decisionId, now]);
      return {
        decisionId,
        placementId,
        venueId: venue.id,
        kind: 'advert',
        locale,
        advert: {
          campaignId: c.id,
          creativeId: creative.id,
          advertiser: c.advertiser,
          headline: creative.headline,
          ...(creative.body === undefined ? {} : { body: creative.body }),
          ...(creative.imageUrl === undefined ? {} : { imageUrl: creative.imageUrl }),
          ...(creative.clickUrl === undefined ? {} : { clickUrl: creative.clickUrl }),
          ...(creative.background === undefined ? {} : { background: creative.background }),
        },
        explanation: this.#explanation(
          state,
          venue,
          c,
          locale,
          r.relevance.source === 'page' ? r.relevance.from : undefined,
        ),
        durationSeconds: creative.durationSeconds,
        playToken: token,
      };
    }
    // Nothing eligible: the venue's own content, never an unrelated advert.
    const turn = this.#houseTurns.get(recentKey) ?? 0;
    this.#houseTurns.set(recentKey, turn + 1);
    const house = venue.houseContent.length > 0 ? venue.houseContent[turn % venue.houseContent.length] : undefined;
    this.#recent.set(recentKey, [...recent, ''].slice(-RECENT));
    const explanation = explainAdvert(
      { venueId: venue.id, venueName: venue.name, venueKind: venue.kind, advertiser: venue.name },
      locale,
    );
    return {
      decisionId,
      placementId,
      venueId: venue.id,
      kind: 'house',
      locale,
      house: house ?? { headline: venue.name },
      explanation: { text: houseLine(venue.name, locale), noPersonalData: explanation.noPersonalData },
      durationSeconds: HOUSE_SECONDS,
      playToken: null,
    };
  }

  /**
   * The campaigns whose targeting and relevance admit this placement during
   * this minute; `rankAdverts` checks them again at the exact time, so a
   * campaign whose flight ends within the minute is still refused.
   */
  #shortlist(
    state: TenantState,
    placement: AdPlacement,
    venue: Venue,
    now: number,
    local: LocalTime,
    onPage: boolean,
  ): readonly Campaign[] {
    const minute = Math.floor(now / 60_000);
    // With a page context, relevance depends on the page: the shortlist holds targeting only.
    const key = onPage ? `${placement.id}\u0000page` : placement.id;
    const cached = state.shortlist.get(key);
    if (cached && cached.minute === minute) return cached.campaigns;
    const start = minute * 60_000;
    const end = start + 60_000;
    const campaigns = state.campaigns.filter((c) => {
      if (c.flightEnd <= start || c.flightStart >= end) return false;
      const at = Math.min(Math.max(now, c.flightStart), c.flightEnd - 1);
      return (
        ineligibility(c, { venue, placement, now: at, local }) === null &&
        (onPage || relevance(venue, c.categories, state.learned) !== undefined)
      );
    });
    state.shortlist.set(key, { minute, campaigns });
    return campaigns;
  }

  #explanation(
    state: TenantState,
    venue: Venue,
    c: Campaign,
    locale: ReturnType<typeof pickLocale>,
    pageCategory: string | undefined,
  ): AdExplanation {
    const key = `${venue.id}\u0000${c.id}\u0000${locale}\u0000${pageCategory ?? ''}`;
    let e = state.explanations.get(key);
    if (!e) {
      const base = { venueId: venue.id, venueName: venue.name, venueKind: venue.kind, advertiser: c.advertiser };
      e = explainAdvert(pageCategory === undefined ? base : { ...base, pageCategory }, locale);
      if (state.explanations.size > 10_000) state.explanations.clear();
      state.explanations.set(key, e);
    }
    return e;
  }

  /**
   * The categories a page is about: its category path, its item's category
   * (from the catalog, cached per tenant), and the categories its search
   * words or keywords name. Categories of a sensitive class are left out: an
   * advert is never chosen for being on a sensitive page.
   */
  async #pageCategories(tenantId: string, state: TenantState, ctx: PageContext): Promise<string[]> {
    const out = new Set<string>();
    if (ctx.categoryPath !== undefined) out.add(categories([ctx.categoryPath], 'context.categoryPath')[0] as string);
    if (ctx.itemId !== undefined) {
      let c = state.itemCategories.get(ctx.itemId);
      if (c === undefined) {
        const path = await this.#ports.categoryOfItem?.(tenantId, ctx.itemId);
        c = path === undefined || categoryPathProblem(path) ? null : normalizeCategoryPath(path);
        if (state.itemCategories.size > 10_000) state.itemCategories.clear();
        state.itemCategories.set(ctx.itemId, c);
      }
      if (c !== null) out.add(c);
    }
    const named = [...words(ctx.query ?? ''), ...(ctx.keywords ?? []).flatMap(words)];
    if (named.length > 0) {
      state.vocabulary ??= vocabularyOf(state);
      for (const c of categoriesNamed(named, state.vocabulary)) out.add(c);
    }
    return [...out].filter((c) => defaultClassOf(c) === null).sort();
  }

  #checkScreenKey(caller: AdCaller, state: TenantState, placementId: string): void {
    if (caller.scope !== 'publishable') return;
    const bound = state.boundKeys.get(caller.keyId);
    if (bound !== undefined && bound !== placementId) {
      throw new AppError(
        'ad_screen_key_mismatch',
        403,
        `This key belongs to screen "${bound}", not "${placementId}".`,
        {
          hint: "Each screen uses its own key; open the screen's own URL from POST /v1/ads/placements/{id}/screen-key.",
        },
      );
    }
  }

  // ---- proof of play and reports ----------------------------------------------

  async #secret(tenantId: string): Promise<KeyObject> {
    let s = this.#secrets.get(tenantId);
    if (!s) {
      s = createSecretKey(
        createHmac('sha256', await this.#ports.signingSecret(tenantId))
          .update('pertinent/ads/play-token/v1')
          .digest(),
      );
      this.#secrets.set(tenantId, s);
    }
    return s;
  }

  async #sign(tenantId: string, fields: (string | number)[]): Promise<string> {
    const body = b64(JSON.stringify(fields));
    const mac = createHmac('sha256', await this.#secret(tenantId))
      .update(body)
      .digest('base64url');
    return `${body}.${mac}`;
  }

  /**
   * Counts that an advert played, once per ad decision. The play token proves
   * the decision was made by this server for this tenant and screen; it holds
   * no identifier of any viewer.
   */
  async recordPlay(caller: AdCaller, playToken: string): Promise<{ counted: boolean }> {
    const invalid = () =>
      new AppError('ad_play_token_invalid', 400, 'The play token is malformed, forged, expired or of another tenant.', {
        hint: 'Send back the playToken of an ad decision, unchanged, within a day.',
      });
    const [body, mac] = playToken.split('.');
    if (!body || !mac) throw invalid();
    const expected = createHmac('sha256', await this.#secret(caller.tenantId))
      .update(body)
      .digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!Array.isArray(fields) || fields.length !== 5) throw invalid();
    const [placementId, campaignId, venueId, decisionId, at] = fields as [string, string, string, string, number];
    const now = this.#now();
    if (typeof at !== 'number' || now - at > DAY) throw invalid();
    this.#checkScreenKey(caller, await this.#tenant(caller.tenantId), placementId);
    const counted = await this.#store.recordPlay({
      tenantId: caller.tenantId,
      decisionId,
      campaignId,
      venueId,
      day: utcDay(at),
      at: now,
    });
    return { counted };
  }

  /** Served and played counts per campaign, venue and UTC day. Counts only: no viewer is known. */
  async report(
    tenantId: string,
    filter: { from: string; to: string; campaignId?: string; venueId?: string },
  ): Promise<ReportRow[]> {
    if (!DAY_RE.test(filter.from) || !DAY_RE.test(filter.to) || filter.from > filter.to) {
      throw badRequest('ad_invalid_report_range', 'from and to must be days (YYYY-MM-DD) with from ≤ to.', {
        hint: 'E.g. ?from=2026-11-01&to=2026-11-30.',
      });
    }
    return this.#store.report(tenantId, filter);
  }

  /** Writes buffered counters (SQLite), e.g. before a report or on shutdown. */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}

/** The stronger of a campaign's relevance to the venue and to the page (the page wins a tie: it is what is on screen). */
function bestRelevance(
  venue: Venue,
  page: readonly string[],
  advertised: readonly string[],
  learned: RelationTable,
): Relevance | undefined {
  const atVenue = relevance(venue, advertised, learned);
  const onPage = page.length === 0 ? undefined : pageRelevance(page, advertised, learned);
  return onPage !== undefined && (atVenue === undefined || onPage.score >= atVenue.score) ? onPage : atVenue;
}

/** Categories a page's words may name: every advertised category and relation end, with their ancestors. */
function vocabularyOf(state: TenantState): string[] {
  const all = new Set<string>();
  const add = (path: string) => {
    for (const a of categoryAncestors(path)) all.add(a);
  };
  for (const c of state.campaigns) for (const path of c.categories) add(path);
  for (const [from, row] of state.learned) {
    add(from);
    for (const [to] of row) add(to);
  }
  return [...all];
}

function classOfIn(state: TenantState, c: Campaign): SensitiveClass | null {
  const cls = state.classes.get(c.id);
  return cls === undefined ? campaignClass(c, defaultClassOf) : cls;
}

function categories(paths: readonly string[], field: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const problem = categoryPathProblem(p);
    if (problem) {
      throw badRequest('ad_invalid_category', `${field}: category path ${JSON.stringify(p)} ${problem}.`, {
        hint: 'Write category paths as "a/b/c", e.g. "wedding/photography".',
      });
    }
    const n = normalizeCategoryPath(p);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

const venueNotFound = (id: string) =>
  notFound('ad_venue_not_found', `No venue has id "${id}".`, 'Create it with PUT /v1/ads/venues/{venueId}.');
const campaignNotFound = (id: string) =>
  notFound(
    'ad_campaign_not_found',
    `No campaign has id "${id}".`,
    'Create it with PUT /v1/ads/campaigns/{campaignId}.',
  );
const placementNotFound = (id: string) =>
  notFound(
    'ad_placement_not_found',
    `No ad placement has id "${id}".`,
    'Create it with PUT /v1/ads/placements/{placementId}.',
  );
