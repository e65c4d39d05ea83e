import { AttributeIndex } from './attribute-index.ts';
import type { CategoryComplement, CategoryRelationsOptions } from './category-relations.ts';
import { categoryRelations } from './category-relations.ts';
import { addTo, toUnits, WEIGHT_UNIT } from './exact-weight.ts';
import { ItemIndex } from './item-index.ts';
import { PairCounts } from './pair-counts.ts';
import type { InteractionEvent, ItemAttributes, Recommendation } from './types.ts';

/**
 * Settings of {@link ComplementsModel}.
 *
 * @example
 * new ComplementsModel({ shrink: 20, basketWindow: 2 });
 */
export interface ComplementsOptions {
  /** Items bought up to this many baskets later by the same subject also count as bought together. */
  readonly basketWindow: number;
  /** Weight of a pair in baskets `g` apart (g ≥ 1) is `sequenceWeight * sequenceDecay^(g-1)`; same basket weighs 1. */
  readonly sequenceWeight: number;
  readonly sequenceDecay: number;
  /** Pseudo-count pulling the lift of rarely seen pairs towards 1 (no association). */
  readonly shrink: number;
  /** Pairs seen less than this (in weight) are ignored. */
  readonly minSupport: number;
  /** Weight of category-level complementarity (helps new and rare items). */
  readonly categoryWeight: number;
  /** An anchor with fewer baskets than this leans on category-level complements. */
  readonly coldBaskets: number;
}

/**
 * Defaults, chosen by reading the Groceries complements and the Ta-Feng within-basket check.
 *
 * @example
 * new ComplementsModel({ ...DEFAULT_COMPLEMENTS_OPTIONS, categoryWeight: 0 });
 */
export const DEFAULT_COMPLEMENTS_OPTIONS: ComplementsOptions = Object.freeze({
  basketWindow: 1,
  sequenceWeight: 0.25,
  sequenceDecay: 0.5,
  shrink: 10,
  minSupport: 2,
  categoryWeight: 0.3,
  coldBaskets: 10,
});

interface SubjectBaskets {
  readonly order: string[];
  readonly baskets: Map<string, number[]>;
}

/**
 * Complements ("frequently bought together") from baskets and purchase
 * sequences.
 *
 * Two items are bought together when they share a basket (weight 1) or when
 * the same subject bought one a few baskets after the other (lower weight).
 * Pairs are scored by their *shrunk lift*, `log((n + s) / (E + s))`, where n is
 * the observed weight, E the weight expected if the items were independent
 * (basket counts of both over the number of baskets) and s a pseudo-count: a
 * popular item that is in every basket has lift ≈ 1 with everything and does
 * not dominate, while a pair seen twice cannot outrank a well-supported one.
 *
 * Category-level complementarity (item → category and category → category
 * lifts, from the catalog categories) adds candidates for new or rare items.
 *
 * Only purchases and add-to-cart events count; views do not. Events with the
 * same `basketId` form one basket; an event without one is a basket on its own.
 * Updates are online and `removeSubject` is exact.
 *
 * @example
 * const model = new ComplementsModel();
 * model.add({ subjectId: "s1", itemId: "tent", kind: "purchase", at: 1, basketId: "o1" });
 * model.add({ subjectId: "s1", itemId: "pegs", kind: "purchase", at: 1, basketId: "o1" });
 * model.complementsOf("tent", 5); // [{ itemId: "pegs", score: …, reason: { kind: "bought_with", anchor: "tent" } }] (once seen often enough)
 */
export class ComplementsModel {
  readonly items: ItemIndex;
  readonly attributes: AttributeIndex;
  readonly options: ComplementsOptions;
  readonly #pairs = new PairCounts();
  readonly #subjects = new Map<string, SubjectBaskets>();
  readonly #gapUnits: number[] = [];
  /** Scratch list of the pairs one added item formed (other item, units, …). */
  readonly #added: number[] = [];
  #categoryCache: CategoryStats | undefined;
  /**
   * Answers of {@link complementsOf} by anchor, kept until the model changes
   * (any add, removal or attribute change empties it): a decision asks for
   * the complements of the page's item and of recent purchases, and the same
   * popular anchors come back often. Exact: an answer is never older than the
   * model.
   */
  readonly #answers = new Map<string, { k: number; list: readonly Recommendation[] }>();
  #version = 0;

  constructor(options: Partial<ComplementsOptions> & { items?: ItemIndex; attributes?: AttributeIndex } = {}) {
    this.items = options.items ?? new ItemIndex();
    this.attributes = options.attributes ?? new AttributeIndex();
    const { items: _i, attributes: _a, ...rest } = options;
    this.options = { ...DEFAULT_COMPLEMENTS_OPTIONS, ...rest };
    for (let g = 1; g <= this.options.basketWindow; g++) {
      this.#gapUnits.push(toUnits(this.options.sequenceWeight * this.options.sequenceDecay ** (g - 1)));
    }
  }

  /** Adds or replaces catalog attributes of an item (catalog data, kept on erasure). */
  setAttributes(attributes: ItemAttributes): void {
    const item = this.items.intern(attributes.itemId);
    this.attributes.set(attributes);
    // The category statistics count only items in some basket: a new item's category changes none of them.
    if (this.#pairs.total(item) !== 0) this.#categoryCache = undefined;
    this.#changed();
  }

  /** Records one interaction; views are ignored. */
  add(event: InteractionEvent): void {
    if (event.kind === 'view') return;
    this.addIndexed(event.subjectId, event.basketId ?? `@${event.at}:${event.itemId}`, this.items.intern(event.itemId));
  }

  /**
   * Raised whenever the answers may change (an event, an erasure, new
   * attributes): a copy of an answer made at one version is still the answer
   * while the version is the same.
   */
  get version(): number {
    return this.#version;
  }

  #changed(): void {
    this.#answers.clear();
    this.#version++;
  }

  /** Same as {@link add} with a basket key and an item index; for bulk loading. */
  addIndexed(subjectId: string, basketKey: string, item: number): void {
    let subject = this.#subjects.get(subjectId);
    if (!subject) {
      subject = { order: [], baskets: new Map() };
      this.#subjects.set(subjectId, subject);
    }
    let basket = subject.baskets.get(basketKey);
    if (!basket) {
      basket = [];
      subject.baskets.set(basketKey, basket);
      subject.order.push(basketKey);
      this.#pairs.addTotal(-1, WEIGHT_UNIT); // index -1 counts baskets
    }
    if (basket.includes(item)) return;
    const p = subject.order.lastIndexOf(basketKey);
    // Pairs with the items already in this basket, and with neighbouring baskets on both sides.
    const added = this.#added;
    added.length = 0;
    for (const other of basket) {
      this.#pairs.addPair(other, item, WEIGHT_UNIT);
      added.push(other, WEIGHT_UNIT);
    }
    const window = this.options.basketWindow;
    for (let q = Math.max(0, p - window); q < Math.min(subject.order.length, p + window + 1); q++) {
      if (q === p) continue;
      const units = this.#gapUnits[Math.abs(p - q) - 1] as number;
      for (const other of subject.baskets.get(subject.order[q] as string) ?? []) {
        if (other === item) continue;
        if (q < p) this.#pairs.addPair(other, item, units);
        else this.#pairs.addPair(item, other, units);
        added.push(other, units);
      }
    }
    basket.push(item);
    this.#pairs.addTotal(item, WEIGHT_UNIT);
    if (this.#categoryCache) this.#countInCategories(this.#categoryCache, item, added);
    this.#changed();
  }

  /**
   * Brings the category statistics up to date with one added basket item:
   * its count, and the pairs it formed (`added`: other item, units, …).
   * Counted in integer units, so the result is exactly what a rebuild from
   * the pair counts would give (measured on Sports: a rebuild takes about
   * 130 ms, and a learned purchase used to force one before the next
   * complements query).
   */
  #countInCategories(stats: CategoryStats, item: number, added: readonly number[]): void {
    let c = stats.categoryOf.get(item);
    if (c === undefined) {
      c = this.attributes.categoryOf(this.items.idOf(item));
      if (c !== undefined) {
        stats.categoryOf.set(item, c);
        let members = stats.members.get(c);
        if (!members) {
          members = [];
          stats.members.set(c, members);
        }
        members.push([item, 0]);
      }
    }
    if (c === undefined) return;
    addTo(stats.totals, c, WEIGHT_UNIT);
    const members = stats.members.get(c) as [number, number][];
    const entry = members.find((m) => m[0] === item) as [number, number];
    entry[1] += WEIGHT_UNIT;
    stats.unsorted.add(c);
    for (let a = 0; a < added.length; a += 2) {
      const other = stats.categoryOf.get(added[a] as number);
      if (other === undefined || other === c) continue;
      const units = added[a + 1] as number;
      this.#addCategoryPair(stats, c, other, units);
      this.#addCategoryPair(stats, other, c, units);
    }
  }

  #addCategoryPair(stats: CategoryStats, a: string, b: string, units: number): void {
    let row = stats.pairs.get(a);
    if (!row) {
      row = new Map();
      stats.pairs.set(a, row);
    }
    addTo(row, b, units);
  }

  /** Removes every contribution of the subject exactly; false when the model never saw them. */
  removeSubject(subjectId: string): boolean {
    const subject = this.#subjects.get(subjectId);
    if (!subject) return false;
    const window = this.options.basketWindow;
    for (let p = 0; p < subject.order.length; p++) {
      const basket = subject.baskets.get(subject.order[p] as string) ?? [];
      for (let x = 0; x < basket.length; x++) {
        const item = basket[x] as number;
        for (let y = 0; y < x; y++) this.#pairs.addPair(basket[y] as number, item, -WEIGHT_UNIT);
        for (let q = Math.max(0, p - window); q < p; q++) {
          const units = this.#gapUnits[p - q - 1] as number;
          for (const other of subject.baskets.get(subject.order[q] as string) ?? []) {
            if (other !== item) this.#pairs.addPair(other, item, -units);
          }
        }
        this.#pairs.addTotal(item, -WEIGHT_UNIT);
      }
      this.#pairs.addTotal(-1, -WEIGHT_UNIT);
    }
    this.#subjects.delete(subjectId);
    // Items whose count falls to zero leave the statistics: rebuilt on next use (erasure is rare).
    this.#categoryCache = undefined;
    this.#changed();
    return true;
  }

  /** Number of baskets containing the item (by index). */
  basketsWith(item: number): number {
    return this.#pairs.total(item) / WEIGHT_UNIT;
  }

  /** Item-level complement scores of every candidate for `anchor` (index → score > 0). */
  itemScores(anchor: number): Map<number, number> {
    const out = new Map<number, number>();
    const baskets = this.#pairs.total(-1) / WEIGHT_UNIT;
    const na = this.#pairs.total(anchor) / WEIGHT_UNIT;
    if (na === 0 || baskets === 0) return out;
    const raw = new Map<number, number>();
    for (const row of [this.#pairs.outRow(anchor), this.#pairs.inRow(anchor)])
      for (let n = 0; n < (row?.items.length ?? 0); n++) addTo(raw, row?.items[n] as number, row?.units[n] as number);
    const { shrink, minSupport } = this.options;
    for (const [j, u] of raw) {
      const n = u / WEIGHT_UNIT;
      if (n < minSupport) continue;
      const expected = (na * (this.#pairs.total(j) / WEIGHT_UNIT)) / baskets;
      const lift = Math.log((n + shrink) / (expected + shrink));
      if (lift > 0) out.set(j, lift);
    }
    return out;
  }

  #categories(): CategoryStats {
    const cached = this.#categoryCache;
    if (cached) {
      for (const c of cached.unsorted) this.#sortMembers(cached.members.get(c) as [number, number][]);
      cached.unsorted.clear();
      return cached;
    }
    const categoryOf = new Map<number, string>();
    const stats: CategoryStats = {
      categoryOf,
      totals: new Map(),
      pairs: new Map(),
      members: new Map(),
      unsorted: new Set(),
    };
    for (const [i, u] of this.#pairs.items()) {
      if (i < 0) continue;
      const c = this.attributes.categoryOf(this.items.idOf(i));
      if (c === undefined) continue;
      categoryOf.set(i, c);
      addTo(stats.totals, c, u);
      let members = stats.members.get(c);
      if (!members) {
        members = [];
        stats.members.set(c, members);
      }
      members.push([i, u]);
    }
    for (const members of stats.members.values()) this.#sortMembers(members);
    for (const [i, ci] of categoryOf) {
      const row = this.#pairs.outRow(i);
      for (let n = 0; n < (row?.items.length ?? 0); n++) {
        const cj = categoryOf.get(row?.items[n] as number);
        if (cj === undefined || cj === ci) continue;
        const u = row?.units[n] as number;
        this.#addCategoryPair(stats, ci, cj, u);
        this.#addCategoryPair(stats, cj, ci, u);
      }
    }
    this.#categoryCache = stats;
    return stats;
  }

  #sortMembers(members: [number, number][]): void {
    members.sort((a, b) => b[1] - a[1] || this.items.compareIds(a[0], b[0]));
  }

  /**
   * Keeps the pair weights as array rows alone once the model is built
   * (`PairCounts.compactAll`); answers are the same.
   *
   * @example
   * model.prepare();
   */
  prepare(): void {
    this.#pairs.compactAll();
  }

  /**
   * Top-k complements of an item: item-level shrunk lift, plus
   * category-level complements (weighted more when the item is rare or new
   * and has catalog category but little history). The item itself and items
   * of its own category from the category path are not proposed by the
   * category level (those are substitutes, not complements).
   *
   * @example
   * model.complementsOf("tent", 10); // [{ itemId: "pegs", score: 1.2, reason: { kind: "bought_with", anchor: "tent" } }, …]
   */
  complementsOf(itemId: string, k: number): readonly Recommendation[] {
    const cached = this.#answers.get(itemId);
    if (cached !== undefined && cached.k >= k) return cached.k === k ? cached.list : cached.list.slice(0, k);
    const list = this.#complementsOf(itemId, k);
    this.#answers.set(itemId, { k, list });
    return list;
  }

  #complementsOf(itemId: string, k: number): Recommendation[] {
    const anchor = this.items.findIndex(itemId);
    const itemLevel = anchor === undefined ? new Map<number, number>() : this.itemScores(anchor);
    const merged = new Map<number, { item: number; category: number; via: string | undefined }>();
    for (const [j, s] of itemLevel) merged.set(j, { item: s, category: 0, via: undefined });
    const category = this.attributes.categoryOf(itemId);
    if (category !== undefined && this.options.categoryWeight > 0) {
      const stats = this.#categories();
      const history = anchor === undefined ? 0 : this.basketsWith(anchor);
      const coldness = this.options.coldBaskets / (this.options.coldBaskets + history);
      const weight = this.options.categoryWeight * (0.25 + 0.75 * coldness);
      for (const [c, lift] of this.#categoryLifts(category, stats)) {
        const members = stats.members.get(c) ?? [];
        const total = stats.totals.get(c) ?? WEIGHT_UNIT;
        for (let m = 0; m < Math.min(members.length, Math.max(k, 10)); m++) {
          const [j, n] = members[m] as [number, number];
          if (j === anchor) continue;
          const s = weight * lift * Math.sqrt(n / total);
          const entry = merged.get(j) ?? { item: 0, category: 0, via: undefined };
          if (s > entry.category) {
            entry.category = s;
            entry.via = c;
          }
          merged.set(j, entry);
        }
      }
    }
    const ranked = [...merged]
      .map(([j, e]) => ({ j, score: e.item + e.category, e }))
      .sort((a, b) => b.score - a.score || this.items.compareIds(a.j, b.j))
      .slice(0, k);
    return ranked.map(({ j, score, e }) => ({
      itemId: this.items.idOf(j),
      score,
      reason:
        e.via !== undefined && e.category > e.item
          ? { kind: 'category_complement' as const, anchor: itemId, category: e.via }
          : { kind: 'bought_with' as const, anchor: itemId },
    }));
  }

  /** Shrunk log-lifts from a category to the other categories, best first. */
  #categoryLifts(category: string, stats: CategoryStats): [string, number][] {
    const baskets = this.#pairs.total(-1) / WEIGHT_UNIT;
    const na = (stats.totals.get(category) ?? 0) / WEIGHT_UNIT;
    const out: [string, number][] = [];
    if (na === 0 || baskets === 0) return out;
    for (const [c, units] of stats.pairs.get(category) ?? []) {
      const n = units / WEIGHT_UNIT;
      const expected = (na * ((stats.totals.get(c) ?? 0) / WEIGHT_UNIT)) / baskets;
      const lift = Math.log((n + this.options.shrink) / (expected + this.options.shrink));
      if (lift > 0) out.push([c, lift]);
    }
    return out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  }

  /**
   * The tenant-level category → category complements of everyone's baskets,
   * as an aggregate that may leave the models (contextual ads, ADR 0012): a
   * pair appears only when `minSubjects` distinct subjects bought both
   * categories in one basket. See {@link categoryRelations}.
   *
   * @example
   * model.categoryRelations({ minSubjects: 10 }); // [{ from: 'jewellery', to: 'wedding', weight: 1 }, …]
   */
  categoryRelations(options: CategoryRelationsOptions = {}): CategoryComplement[] {
    return categoryRelations(
      [...this.#subjects.values()].map((s) => this.#categoryBaskets(s)),
      options,
    );
  }

  *#categoryBaskets(subject: SubjectBaskets): Generator<string[]> {
    for (const key of subject.order) {
      const out: string[] = [];
      for (const i of subject.baskets.get(key) ?? []) {
        const c = this.attributes.categoryOf(this.items.idOf(i));
        if (c !== undefined) out.push(c);
      }
      yield out;
    }
  }

  /** Canonical state for equality checks in tests. */
  snapshot(): unknown {
    return {
      subjects: [...this.#subjects.keys()].sort(),
      ...this.#pairs.snapshot((i) => (i < 0 ? '#baskets' : this.items.idOf(i))),
    };
  }
}

/** Basket statistics by catalog category, in integer weight units (see exact-weight.ts). */
interface CategoryStats {
  readonly categoryOf: Map<number, string>;
  readonly totals: Map<string, number>;
  readonly pairs: Map<string, Map<string, number>>;
  /** Items of each category with their basket counts, most bought first. */
  readonly members: Map<string, [number, number][]>;
  /** Categories whose members changed order since they were last sorted. */
  readonly unsorted: Set<string>;
}
