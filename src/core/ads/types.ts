/**
 * Types of contextual advertising (issue 6). Everything here describes
 * places, times and products — never a person. There is no subject, no event,
 * no device identifier anywhere in these types, and the ad path is built so
 * that it could not read one (docs/adr/0007-contextual-ads.md).
 *
 * @module
 */

/** Moments when people wait at a venue, which campaigns may target. */
export const WAITING_MOMENTS = ['queue', 'fitting_room', 'checkout', 'waiting_room', 'table'] as const;
export type WaitingMoment = (typeof WAITING_MOMENTS)[number];

/** Where an advert appears: a slot on a web page, or a screen at a venue. */
export type AdPlacementKind = 'web' | 'screen';

/** Days of the week, as `Date.getUTCDay()` numbers them (0 = Sunday). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Opening hours per weekday (0 = Sunday): intervals `HH:MM`–`HH:MM` in the venue's time zone. */
export type OpeningHours = Partial<Record<`${Weekday}`, readonly (readonly [string, string])[]>>;

/** What a venue shows when no campaign is eligible: its own content, never an unrelated advert. */
export interface HouseContent {
  readonly headline: string;
  readonly body?: string;
  readonly imageUrl?: string;
}

/** Where a screen is: the kind of business, what it sells, its clientele, coarse location and hours. */
export interface Venue {
  readonly id: string;
  readonly name: string;
  /** Kind of business, e.g. `jeweller` (see DEFAULT_VENUE_KINDS; any word is allowed). */
  readonly kind: string;
  /** Category paths of the products and services it sells (normalized). */
  readonly categories: readonly string[];
  /** Typical clientele as descriptive words (`couples`, `tourists`) — of the place, not of people. */
  readonly clientele: readonly string[];
  /** Coarse location: an ISO 3166 country or subdivision code (`FR`, `FR-75`). */
  readonly region: string;
  /** IANA time zone of the venue, for dayparts and opening hours. */
  readonly timeZone: string;
  readonly openingHours: OpeningHours;
  readonly waitingMoments: readonly WaitingMoment[];
  /** The language its screens speak by default. */
  readonly locale: string;
  readonly houseContent: readonly HouseContent[];
  readonly updatedAt: number;
}

/** One advert of a campaign. */
export interface Creative {
  readonly id: string;
  readonly headline: string;
  readonly body?: string;
  readonly imageUrl?: string;
  readonly clickUrl?: string;
  /** CSS colour of the screen behind the advert. */
  readonly background?: string;
  /** How long a screen shows it. */
  readonly durationSeconds: number;
}

/** A time of the week: these days, from `from` to `to` (`HH:MM`, may wrap midnight), venue time. */
export interface Daypart {
  readonly days: readonly Weekday[];
  readonly from: string;
  readonly to: string;
}

/** The contexts a campaign targets. Empty lists mean "any". There is no way to target a person. */
export interface Targeting {
  readonly venueKinds: readonly string[];
  /** Country or subdivision codes; `FR` matches `FR-75`. */
  readonly regions: readonly string[];
  readonly dayparts: readonly Daypart[];
  readonly waitingMoments: readonly WaitingMoment[];
  readonly placementKinds: readonly AdPlacementKind[];
}

/** An advertiser's campaign: creatives, advertised categories, targeted contexts, budget and caps. */
export interface Campaign {
  readonly id: string;
  readonly name: string;
  /** Who pays for it (shown with the advert, DSA Art. 26(1)(b)). */
  readonly advertiser: string;
  readonly status: 'active' | 'paused';
  /** Category paths of the advertised products or services (normalized). */
  readonly categories: readonly string[];
  readonly creatives: readonly Creative[];
  readonly targeting: Targeting;
  readonly flightStart: number;
  readonly flightEnd: number;
  /** Impressions to deliver over the whole flight, spread evenly. */
  readonly budgetImpressions: number;
  /** At most `limit` impressions per screen in each window of `windowMinutes`. */
  readonly perScreen: { readonly limit: number; readonly windowMinutes: number };
  readonly updatedAt: number;
}

/** A web slot or a screen, at a venue. */
export interface AdPlacement {
  readonly id: string;
  readonly kind: AdPlacementKind;
  readonly venueId: string;
  /** The waiting moment this screen faces (a screen by the fitting rooms). */
  readonly waitingMoment?: WaitingMoment;
  readonly name: string;
  readonly updatedAt: number;
}

/** One category → category complement (from the tenant's baskets, or set by the operator). */
export interface CategoryRelation {
  readonly from: string;
  readonly to: string;
  /** Strength, 0 < weight ≤ 1 (e.g. a normalized lift). */
  readonly weight: number;
}
