import type { Reason } from '../decision/types.ts';
import type { Locale } from '../explain/reasons.ts';
import { nonPersonalText, renderReason } from '../explain/reasons.ts';
import { venueKindLabel } from './venue-kinds.ts';

/**
 * Why an advert was shown, in the viewer's language (DSA Art. 26(1)(b) and
 * (d)): the place it was chosen for, who paid for it, and that no personal
 * data was used.
 */
export interface AdExplanation {
  /** "Shown because you are in a jeweller's". */
  readonly text: string;
  /** "Advertiser: Studio Lumière". */
  readonly advertiser: string;
  /** "This was not chosen from your personal data." */
  readonly noPersonalData: string;
  /** The main parameters, by name: what the choice depended on. */
  readonly parameters: readonly string[];
}

const ADVERTISER: Record<Locale, string> = {
  en: 'Advertiser: {name}',
  fr: 'Annonceur : {name}',
  it: 'Inserzionista: {name}',
};

const HOUSE: Record<Locale, string> = {
  en: 'From {venue}',
  fr: 'De la part de {venue}',
  it: 'Da {venue}',
};

const PAGE: Record<Locale, string> = {
  en: 'Shown because you are looking at {category}',
  fr: 'Affiché parce que vous regardez {category}',
  it: 'Mostrato perché stai guardando {category}',
};

/** The parameters an ad decision can depend on: all about the place and time, none about a person. */
export const AD_PARAMETERS = ['venue_kind', 'venue_categories', 'region', 'time_of_week', 'waiting_moment'] as const;
/** On a web page, the page's context too (its category, item, search words): still nothing about the reader. */
export const PAGE_AD_PARAMETERS = [...AD_PARAMETERS, 'page_context'] as const;

/** A category path as words: its last segment (`outdoor/hiking-boots` → `hiking boots`). */
export const categoryLabel = (path: string): string => path.slice(path.lastIndexOf('/') + 1).replace(/[-_]+/g, ' ');

/**
 * The explanation of an advert shown at a venue.
 *
 * @example
 * explainAdvert({ venueId: 'v1', venueName: 'Maison Or', venueKind: 'jeweller', advertiser: 'Studio Lumière' }, 'en').text;
 * // "Shown because you are in a jeweller's"
 * explainAdvert({ venueId: 'v1', venueName: 'Maison Or', venueKind: 'jeweller', advertiser: 'X' }, 'fr').text;
 * // 'Affiché parce que vous êtes dans une bijouterie'
 * explainAdvert({ venueId: 'web', venueName: 'Shop', venueKind: 'online_shop', advertiser: 'X', pageCategory: 'outdoor/hiking-boots' }, 'it').text;
 * // 'Mostrato perché stai guardando hiking boots'
 */
export function explainAdvert(
  a: { venueId: string; venueName: string; venueKind: string; advertiser: string; pageCategory?: string },
  locale: Locale,
): AdExplanation {
  const reason: Reason = { code: 'at_venue', basis: 'context', venue: a.venueId, dataCategories: [], consents: [] };
  return {
    text:
      a.pageCategory === undefined
        ? renderReason(reason, locale, { venueName: () => venueKindLabel(a.venueKind, locale) ?? a.venueName })
        : PAGE[locale].replace('{category}', categoryLabel(a.pageCategory)),
    advertiser: ADVERTISER[locale].replace('{name}', a.advertiser),
    noPersonalData: nonPersonalText(locale),
    parameters: a.pageCategory === undefined ? AD_PARAMETERS : PAGE_AD_PARAMETERS,
  };
}

/**
 * The line shown with the venue's own content (no advertiser).
 *
 * @example
 * houseLine('Maison Or', 'it'); // 'Da Maison Or'
 */
export function houseLine(venueName: string, locale: Locale): string {
  return HOUSE[locale].replace('{venue}', venueName);
}
