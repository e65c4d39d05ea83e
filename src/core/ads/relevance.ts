import { categoryAncestors } from '../taxonomy.ts';
import type { CategoryRelation } from './types.ts';
import { DEFAULT_VENUE_KINDS } from './venue-kinds.ts';

/**
 * Relevance of a campaign to a venue: how strongly the advertised categories
 * complement what the venue itself sells. Two tables are read, both about
 * categories, never about people:
 *
 * - the built-in relations of the venue's kind (`DEFAULT_VENUE_KINDS`), so a
 *   fresh install works;
 * - the tenant's category → category complement table, learned from baskets
 *   (the same category-level complementarity the recommendation models
 *   compute) or set by the operator, applied from each of the venue's own
 *   categories and their ancestors.
 *
 * A campaign with no relation to the venue has relevance 0 and is never shown
 * there: a screen without a relevant campaign shows the venue's own content.
 */
export interface Relevance {
  readonly score: number;
  /** The relation that gave the score: the venue kind or one of its categories, and the advertised category. */
  readonly from: string;
  readonly to: string;
  readonly source: 'venue_kind' | 'learned' | 'page';
}

/** A compiled relation table: from category → [to category, weight]. */
export type RelationTable = ReadonlyMap<string, readonly (readonly [string, number])[]>;

/**
 * Compiles a list of relations into a lookup table (keeping the strongest of duplicates).
 *
 * @example
 * relationTable([{ from: 'jewellery', to: 'wedding/photography', weight: 0.8 }]).get('jewellery');
 */
export function relationTable(relations: readonly CategoryRelation[]): RelationTable {
  const out = new Map<string, Map<string, number>>();
  for (const r of relations) {
    if (!(r.weight > 0)) continue;
    let row = out.get(r.from);
    if (!row) {
      row = new Map();
      out.set(r.from, row);
    }
    row.set(r.to, Math.max(row.get(r.to) ?? 0, Math.min(r.weight, 1)));
  }
  return new Map([...out].map(([from, row]) => [from, [...row]]));
}

/**
 * The tenant's relations: those the recommendation side learned from
 * consented baskets (ADR 0012), overridden pair by pair by the operator's
 * table, whose weight wins whether higher or lower (0 removes a learned pair).
 *
 * @example
 * mergeRelations([{ from: 'a', to: 'b', weight: 0.4 }], [{ from: 'a', to: 'b', weight: 0 }]); // [{ from: 'a', to: 'b', weight: 0 }]
 */
export function mergeRelations(
  learned: readonly CategoryRelation[],
  manual: readonly CategoryRelation[],
): CategoryRelation[] {
  const byPair = new Map<string, CategoryRelation>();
  for (const r of [...learned, ...manual]) byPair.set(`${r.from}\u0000${r.to}`, r);
  return [...byPair.values()];
}

/**
 * How well an advertised category matches a related category: fully when it
 * is the same or more specific (`wedding/photography/drone` under
 * `wedding/photography`), partly when it is broader (`wedding` over
 * `wedding/photography`), not at all otherwise.
 */
export function categoryMatch(advertised: string, related: string): number {
  if (advertised === related || advertised.startsWith(`${related}/`)) return 1;
  if (related.startsWith(`${advertised}/`)) return 0.6;
  return 0;
}

/**
 * The relevance of advertised categories to a venue: the strongest relation
 * from the venue's kind or from any of its categories (or their ancestors) to
 * any advertised category.
 *
 * @example
 * relevance({ kind: 'jeweller', categories: ['jewellery/rings'] }, ['wedding/photography'], new Map());
 * // { score: 1, from: 'jeweller', to: 'wedding/photography', source: 'venue_kind' }
 * relevance({ kind: 'jeweller', categories: [] }, ['pets/cat-food'], new Map()); // undefined
 */
export function relevance(
  venue: { readonly kind: string; readonly categories: readonly string[] },
  advertised: readonly string[],
  learned: RelationTable,
): Relevance | undefined {
  let best: Relevance | undefined;
  const consider = (from: string, to: string, weight: number, source: Relevance['source']) => {
    for (const a of advertised) {
      const s = weight * categoryMatch(a, to);
      if (s > 0 && (best === undefined || s > best.score)) best = { score: s, from, to: a, source };
    }
  };
  const kind = DEFAULT_VENUE_KINDS[venue.kind];
  if (kind) for (const [to, w] of Object.entries(kind.complements)) consider(venue.kind, to, w, 'venue_kind');
  if (learned.size > 0) {
    const own = new Set<string>();
    for (const c of venue.categories) for (const a of categoryAncestors(c)) own.add(a);
    own.add(venue.kind);
    for (const from of own) for (const [to, w] of learned.get(from) ?? []) consider(from, to, w, 'learned');
  }
  return best;
}

/**
 * Relevance of advertised categories to the page a web slot is on: the page's
 * own categories (what the page is about: an advert for `outdoor` on an
 * `outdoor/footwear/hiking-boots` page, or an advert of that very category),
 * and the tenant's relations from them and their ancestors, as for a venue's
 * categories. Nothing here is about the reader: only the page.
 *
 * @example
 * pageRelevance(['outdoor/footwear/hiking-boots'], ['outdoor'], new Map());
 * // { score: 0.6, from: 'outdoor/footwear/hiking-boots', to: 'outdoor', source: 'page' }
 */
export function pageRelevance(
  page: readonly string[],
  advertised: readonly string[],
  learned: RelationTable,
): Relevance | undefined {
  let best: Relevance | undefined;
  const consider = (from: string, to: string, weight: number) => {
    for (const a of advertised) {
      const s = weight * categoryMatch(a, to);
      if (s > 0 && (best === undefined || s > best.score)) best = { score: s, from, to: a, source: 'page' };
    }
  };
  for (const p of page) {
    consider(p, p, 1);
    for (const a of categoryAncestors(p)) for (const [to, w] of learned.get(a) ?? []) consider(p, to, w);
  }
  return best;
}

/** Words of a text, lower-cased, with a plural `s` dropped (`Hiking Boots` → `hiking`, `boot`). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) =>
    w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w,
  );
}

/**
 * The categories of `vocabulary` a page's search query or keywords name: a
 * category matches when every word of its last path segment is among them
 * (`outdoor/hiking-boots` for "hiking boots"). The most specific win; at most `limit`.
 *
 * @example
 * categoriesNamed(['hiking', 'boot'], ['outdoor', 'outdoor/hiking-boots', 'pets/cat-food']); // ['outdoor/hiking-boots']
 */
export function categoriesNamed(pageWords: readonly string[], vocabulary: Iterable<string>, limit = 5): string[] {
  if (pageWords.length === 0) return [];
  const have = new Set(pageWords);
  const out: string[] = [];
  for (const category of vocabulary) {
    const segment = words(category.slice(category.lastIndexOf('/') + 1));
    if (segment.length > 0 && segment.every((w) => have.has(w))) out.push(category);
  }
  return out.sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1)).slice(0, limit);
}
