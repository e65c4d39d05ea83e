import type { Locale } from '../explain/reasons.ts';
import type { SensitiveClass } from '../sensitive.ts';

/**
 * Built-in knowledge of kinds of venue, so a fresh install serves relevant
 * adverts before it has learned anything: for each kind, what its customers
 * are likely to need next (category → weight, 0..1), and how to name the
 * place in a sentence in each language.
 *
 * The relations are complements of the venue's activity, not more of the same:
 * a jeweller's screen shows wedding photographers, bridal wear and venues for
 * the proposal, never another jeweller.
 *
 * @example
 * DEFAULT_VENUE_KINDS.jeweller?.complements['wedding/photography']; // 1
 * venueKindLabel('jeweller', 'fr');                                 // 'une bijouterie'
 */
export interface VenueKindInfo {
  readonly label: Record<Locale, string>;
  readonly complements: Readonly<Record<string, number>>;
}

const k = (en: string, fr: string, it: string, complements: Record<string, number>): VenueKindInfo => ({
  label: { en, fr, it },
  complements,
});

export const DEFAULT_VENUE_KINDS: Readonly<Record<string, VenueKindInfo>> = {
  jeweller: k("a jeweller's", 'une bijouterie', 'una gioielleria', {
    'wedding/photography': 1,
    'wedding/bridal-wear': 1,
    'wedding/venues': 0.9,
    'wedding/planning': 0.85,
    'wedding/flowers': 0.8,
    'events/proposals': 0.9,
    'fashion/evening-wear': 0.5,
    'travel/honeymoons': 0.6,
  }),
  bridal_shop: k('a bridal shop', 'une boutique de mariage', 'un negozio di abiti da sposa', {
    'wedding/photography': 1,
    'wedding/venues': 0.9,
    'wedding/jewellery': 0.9,
    'wedding/flowers': 0.8,
    'wedding/catering': 0.7,
    'beauty/hair-salons': 0.6,
    'travel/honeymoons': 0.6,
  }),
  florist: k("a florist's", 'un fleuriste', 'un fiorista', {
    'wedding/planning': 0.7,
    'gifts/chocolates': 0.8,
    'gifts/cards': 0.7,
    'home/vases': 0.6,
    'garden/plants': 0.4,
  }),
  bakery: k('a bakery', 'une boulangerie', 'una panetteria', {
    'food/cheese': 0.8,
    'food/coffee': 0.7,
    'food/jams': 0.7,
    'wine/wine-shops': 0.5,
    'events/catering': 0.4,
  }),
  cafe: k('a café', 'un café', 'un caffè', {
    'books/bookshops': 0.7,
    'culture/events': 0.7,
    'food/pastries': 0.6,
    'culture/museums': 0.5,
  }),
  restaurant: k('a restaurant', 'un restaurant', 'un ristorante', {
    'culture/theatre': 0.8,
    'culture/cinema': 0.8,
    'transport/taxis': 0.6,
    'wine/wine-shops': 0.6,
    'hotels/hotels': 0.5,
  }),
  hair_salon: k('a hair salon', 'un salon de coiffure', 'un parrucchiere', {
    'beauty/cosmetics': 0.8,
    'fashion/clothing': 0.6,
    'fashion/accessories': 0.6,
    'wedding/bridal-wear': 0.4,
    'beauty/nail-salons': 0.6,
  }),
  clothing_store: k('a clothing shop', 'une boutique de vêtements', 'un negozio di abbigliamento', {
    'fashion/shoes': 0.9,
    'fashion/accessories': 0.9,
    'fashion/tailoring': 0.7,
    'beauty/hair-salons': 0.5,
    'fashion/dry-cleaning': 0.5,
  }),
  shoe_store: k('a shoe shop', 'un magasin de chaussures', 'un negozio di scarpe', {
    'fashion/clothing': 0.8,
    'fashion/accessories': 0.7,
    'services/cobblers': 0.6,
    'sports/running': 0.5,
  }),
  sports_store: k('a sports shop', 'un magasin de sport', 'un negozio di articoli sportivi', {
    'sports/gyms': 0.9,
    'sports/clubs': 0.8,
    'travel/outdoor-holidays': 0.7,
    'food/sports-nutrition': 0.6,
  }),
  bookshop: k('a bookshop', 'une librairie', 'una libreria', {
    'culture/theatre': 0.8,
    'culture/museums': 0.8,
    'culture/events': 0.7,
    'food/coffee': 0.5,
    'education/language-courses': 0.6,
  }),
  travel_agency: k('a travel agency', 'une agence de voyages', "un'agenzia di viaggi", {
    'travel/luggage': 0.9,
    'travel/guides': 0.8,
    'fashion/swimwear': 0.6,
    'services/currency-exchange': 0.6,
    'travel/car-rental': 0.7,
  }),
  garden_centre: k('a garden centre', 'une jardinerie', 'un vivaio', {
    'home/outdoor-furniture': 0.9,
    'services/landscaping': 0.8,
    'home/barbecues': 0.7,
    'diy/tools': 0.6,
  }),
  hardware_store: k('a hardware shop', 'une quincaillerie', 'una ferramenta', {
    'services/tradespeople': 0.9,
    'home/paint': 0.7,
    'garden/tools': 0.6,
    'home/furniture': 0.4,
  }),
  car_dealer: k('a car dealership', 'une concession automobile', 'una concessionaria', {
    'auto/accessories': 0.9,
    'auto/servicing': 0.8,
    'auto/tyres': 0.8,
    'travel/road-trips': 0.5,
  }),
  wine_shop: k('a wine shop', 'une cave à vins', "un'enoteca", {
    'food/cheese': 0.9,
    'food/delicatessen': 0.8,
    'home/glassware': 0.6,
    'culture/wine-tastings': 0.7,
  }),
  furniture_store: k('a furniture shop', 'un magasin de meubles', 'un negozio di mobili', {
    'home/lighting': 0.9,
    'home/textiles': 0.8,
    'services/removals': 0.8,
    'home/decoration': 0.7,
  }),
  electronics_store: k('an electronics shop', "un magasin d'électronique", 'un negozio di elettronica', {
    'electronics/accessories': 0.9,
    'services/repairs': 0.7,
    'electronics/streaming': 0.6,
    'culture/video-games': 0.5,
  }),
  cinema: k('a cinema', 'un cinéma', 'un cinema', {
    'food/restaurants': 0.8,
    'culture/events': 0.7,
    'transport/taxis': 0.5,
    'culture/books': 0.4,
  }),
  hotel: k('a hotel', 'un hôtel', 'un albergo', {
    'culture/museums': 0.8,
    'food/restaurants': 0.8,
    'transport/taxis': 0.7,
    'travel/tours': 0.8,
  }),
  supermarket: k('a supermarket', 'un supermarché', 'un supermercato', {
    'home/kitchen': 0.6,
    'food/delicatessen': 0.5,
    'services/delivery': 0.5,
  }),
};

/**
 * Kinds of venue whose very activity is a sensitive class (a pharmacy is about
 * health). A campaign may not target them: advertising never targets on a
 * sensitive class (DSA Art. 26(3)), not even through the place.
 */
export const SENSITIVE_VENUE_KINDS: Readonly<Record<string, SensitiveClass>> = {
  pharmacy: 'health',
  clinic: 'health',
  hospital: 'health',
  dentist: 'health',
  optician: 'health',
  medical_laboratory: 'health',
  maternity_shop: 'pregnancy_baby',
  baby_shop: 'pregnancy_baby',
  sex_shop: 'sexual_life',
  place_of_worship: 'religion',
  religious_shop: 'religion',
  party_office: 'political',
  bank: 'finance_credit',
  pawnbroker: 'finance_credit',
  insurance_agency: 'finance_credit',
  toy_store: 'children',
  school: 'children',
  nursery: 'children',
};

/**
 * How to name a kind of venue in a sentence ("Shown because you are in a
 * jeweller's"); undefined for kinds we do not know (the venue's own name is
 * used then).
 *
 * @example
 * venueKindLabel('jeweller', 'it'); // 'una gioielleria'
 */
export function venueKindLabel(kind: string, locale: Locale): string | undefined {
  return DEFAULT_VENUE_KINDS[kind]?.label[locale];
}
