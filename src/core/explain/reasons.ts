import type { DataCategory, Reason, ReasonCode } from '../decision/types.ts';

/**
 * Localized explanations of decisions: one sentence per reason code, the data
 * categories in plain words, and where to change them. English, French and
 * Italian; any other locale falls back to English.
 *
 * @example
 * renderReason({ code: 'bought', basis: 'observed', item: 'coat-1', dataCategories: [], consents: [] }, 'fr', {
 *   itemTitle: () => 'Manteau en laine',
 * }); // 'Parce que vous avez acheté Manteau en laine'
 */
export const LOCALES = ['en', 'fr', 'it'] as const;
export type Locale = (typeof LOCALES)[number];

/** The locale to render in: the first of `candidates` we speak (by language), else English. */
export function pickLocale(...candidates: (string | undefined)[]): Locale {
  for (const c of candidates) {
    const lang = c?.slice(0, 2).toLowerCase();
    if (lang && (LOCALES as readonly string[]).includes(lang)) return lang as Locale;
  }
  return 'en';
}

const TEXTS: Record<Locale, Record<ReasonCode, string>> = {
  en: {
    bought: 'Because you bought {item}',
    viewed: 'Because you looked at {item}',
    declared_interest: 'You told us you like {interest}',
    retargeting: 'You looked at this recently',
    goes_with_current: 'Goes with the item you are looking at',
    similar_to_current: 'Similar to the item you are looking at',
    matches_search: 'Matches your search',
    popular_in_category: 'Popular in {category} this week',
    popular: 'Popular this week',
    at_venue: 'Shown because you are in {venue}',
    featured: 'Featured by the shop',
    exploration: 'Something new you might like',
  },
  fr: {
    bought: 'Parce que vous avez acheté {item}',
    viewed: 'Parce que vous avez consulté {item}',
    declared_interest: 'Vous nous avez dit aimer {interest}',
    retargeting: 'Vous avez consulté cet article récemment',
    goes_with_current: "Va avec l'article que vous regardez",
    similar_to_current: "Semblable à l'article que vous regardez",
    matches_search: 'Correspond à votre recherche',
    popular_in_category: 'Populaire dans {category} cette semaine',
    popular: 'Populaire cette semaine',
    at_venue: 'Affiché parce que vous êtes dans {venue}',
    featured: 'Mis en avant par la boutique',
    exploration: 'Une nouveauté qui pourrait vous plaire',
  },
  it: {
    bought: 'Perché hai acquistato {item}',
    viewed: 'Perché hai guardato {item}',
    declared_interest: 'Ci hai detto che ti piace {interest}',
    retargeting: 'Hai guardato questo articolo di recente',
    goes_with_current: "Si abbina all'articolo che stai guardando",
    similar_to_current: "Simile all'articolo che stai guardando",
    matches_search: 'Corrisponde alla tua ricerca',
    popular_in_category: 'Popolare in {category} questa settimana',
    popular: 'Popolare questa settimana',
    at_venue: 'Mostrato perché ti trovi in {venue}',
    featured: 'In evidenza nel negozio',
    exploration: 'Una novità che potrebbe piacerti',
  },
};

const CATEGORY_TEXTS: Record<Locale, Record<DataCategory, string>> = {
  en: {
    'user.behavior.purchase_history': 'your purchases',
    'user.behavior.browsing_history': 'the items you looked at',
    'user.preference.declared_interests': 'the interests you told us',
    'user.location': 'your location',
    'user.preference.objections': 'the items you told us you are not interested in',
    'system.frequency_counters': 'how often we already showed you items',
  },
  fr: {
    'user.behavior.purchase_history': 'vos achats',
    'user.behavior.browsing_history': 'les articles que vous avez consultés',
    'user.preference.declared_interests': "les centres d'intérêt que vous nous avez indiqués",
    'user.location': 'votre position',
    'user.preference.objections': 'les articles qui ne vous intéressent pas',
    'system.frequency_counters': 'le nombre de fois où nous vous avons déjà montré des articles',
  },
  it: {
    'user.behavior.purchase_history': 'i tuoi acquisti',
    'user.behavior.browsing_history': 'gli articoli che hai guardato',
    'user.preference.declared_interests': 'gli interessi che ci hai indicato',
    'user.location': 'la tua posizione',
    'user.preference.objections': 'gli articoli che non ti interessano',
    'system.frequency_counters': 'quante volte ti abbiamo già mostrato degli articoli',
  },
};

const CONTROLS_TEXT: Record<Locale, string> = {
  en: 'You can see and change the data we use, and your consents, in your privacy settings.',
  fr: 'Vous pouvez voir et modifier les données utilisées, et vos consentements, dans vos paramètres de confidentialité.',
  it: 'Puoi vedere e modificare i dati che usiamo, e i tuoi consensi, nelle impostazioni sulla privacy.',
};

const NO_PERSONAL_TEXT: Record<Locale, string> = {
  en: 'This was not chosen from your personal data.',
  fr: "Ce choix n'a pas été fait à partir de vos données personnelles.",
  it: 'Questa scelta non è stata fatta a partire dai tuoi dati personali.',
};

/** Names for the ids in a reason; any missing name falls back to the id. */
export interface Names {
  itemTitle?: (itemId: string) => string | undefined;
  categoryName?: (path: string) => string | undefined;
  venueName?: (venue: string) => string | undefined;
}

/** One reason as a sentence in `locale`. */
export function renderReason(reason: Reason, locale: Locale, names: Names = {}): string {
  const template = TEXTS[locale][reason.code];
  return template.replace(/\{(item|interest|category|venue)\}/g, (_, key: string) => {
    switch (key) {
      case 'item':
        return reason.item === undefined ? '' : (names.itemTitle?.(reason.item) ?? reason.item);
      case 'interest':
        return reason.interest === undefined
          ? ''
          : (names.categoryName?.(reason.interest) ?? reason.interest.replaceAll('_', ' '));
      case 'category':
        return reason.category === undefined ? '' : (names.categoryName?.(reason.category) ?? reason.category);
      default:
        return reason.venue === undefined ? '' : (names.venueName?.(reason.venue) ?? reason.venue);
    }
  });
}

/** A data category in plain words. */
export function renderDataCategory(category: DataCategory, locale: Locale): string {
  return CATEGORY_TEXTS[locale][category];
}

/** Where the person can change what is used. */
export function controlsText(locale: Locale): string {
  return CONTROLS_TEXT[locale];
}

/** Said when nothing personal was used. */
export function nonPersonalText(locale: Locale): string {
  return NO_PERSONAL_TEXT[locale];
}
