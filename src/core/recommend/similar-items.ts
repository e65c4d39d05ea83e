import { AttributeIndex, IndexedNeighbours } from './attribute-index.ts';
import { WEIGHT_UNIT } from './exact-weight.ts';
import { ItemIndex } from './item-index.ts';
import { PairCounts } from './pair-counts.ts';
import { type TouchedSink, topK } from './top-k.ts';
import type { InteractionEvent, ItemAttributes, Recommendation } from './types.ts';

/**
 * Settings of {@link SimilarItemsModel}.
 *
 * @example
 * new SimilarItemsModel({ shrink: 5, attributeWeight: 0.2 });
 */
export interface SimilarItemsOptions {
  /** A new item is paired with at most this many of the subject's previous distinct items. */
  readonly window: number;
  /** Shrinkage: cosine is multiplied by `n / (n + shrink)` where n is the co-interaction count. */
  readonly shrink: number;
  /** Weight of attribute similarity relative to co-interaction (cold items rely on it alone). */
  readonly attributeWeight: number;
  /** Only the `maxNeighbors` most co-interacted items of an anchor (each direction) are read; bounds latency. */
  readonly maxNeighbors: number;
}

/**
 * Defaults: pairs within 50 distinct items, mild shrinkage, attributes as a tie-breaker.
 *
 * @example
 * new SimilarItemsModel({ ...DEFAULT_SIMILAR_OPTIONS, window: 20 });
 */
export const DEFAULT_SIMILAR_OPTIONS: SimilarItemsOptions = Object.freeze({
  window: 50,
  shrink: 2,
  attributeWeight: 0.1,
  maxNeighbors: 250,
});

/**
 * Similar items ("people who looked at this also looked at") from
 * co-interaction — two items are similar when the same subjects interacted
 * with both — scored by a shrunk cosine, blended with catalog-attribute
 * similarity (category, brand, text tokens) so that an item with no history
 * still has neighbours.
 *
 * Each subject counts once per item pair, whatever the number of events.
 * Updates are online and `removeSubject` is exact.
 *
 * @example
 * const model = new SimilarItemsModel();
 * model.setAttributes({ itemId: "red-shoe", category: "shoes", brand: "acme" });
 * model.setAttributes({ itemId: "blue-shoe", category: "shoes", brand: "acme" });
 * model.add({ subjectId: "s1", itemId: "red-shoe", kind: "view", at: 1 });
 * model.add({ subjectId: "s1", itemId: "sock", kind: "view", at: 2 });
 * model.similarTo("red-shoe", 5); // sock (co-interaction), then blue-shoe (attributes)
 */
export class SimilarItemsModel {
  readonly items: ItemIndex;
  readonly attributes: AttributeIndex;
  readonly options: SimilarItemsOptions;
  readonly #pairs: PairCounts;
  readonly #seen = new Map<string, number[]>();
  readonly #neighbours: IndexedNeighbours;
  #scratch = new Float64Array(0);
  /** Scratch of {@link similarTo}: 1 for the items the co-interactions scored, zero between calls. */
  #fromHistory = new Uint8Array(0);
  #inverse = new Float64Array(0);
  #inverseStale = true;

  constructor(
    options: Partial<SimilarItemsOptions> & {
      items?: ItemIndex;
      attributes?: AttributeIndex;
      /** Shared with the other models of a recommender (same items and attributes). */
      neighbours?: IndexedNeighbours;
    } = {},
  ) {
    this.items = options.items ?? new ItemIndex();
    this.#pairs = new PairCounts(this.items.compareIds);
    this.attributes = options.attributes ?? new AttributeIndex();
    this.#neighbours = options.neighbours ?? new IndexedNeighbours(this.attributes, this.items);
    this.options = {
      window: options.window ?? DEFAULT_SIMILAR_OPTIONS.window,
      shrink: options.shrink ?? DEFAULT_SIMILAR_OPTIONS.shrink,
      attributeWeight: options.attributeWeight ?? DEFAULT_SIMILAR_OPTIONS.attributeWeight,
      maxNeighbors: options.maxNeighbors ?? DEFAULT_SIMILAR_OPTIONS.maxNeighbors,
    };
  }

  /** Adds or replaces catalog attributes of an item (catalog data, kept on erasure). */
  setAttributes(attributes: ItemAttributes): void {
    this.items.intern(attributes.itemId);
    this.attributes.set(attributes);
  }

  /** Records one interaction. */
  add(event: InteractionEvent): void {
    this.addIndexed(event.subjectId, this.items.intern(event.itemId));
  }

  /** Same as {@link add} with an item index; for bulk loading. */
  addIndexed(subjectId: string, item: number): void {
    let seen = this.#seen.get(subjectId);
    if (!seen) {
      seen = [];
      this.#seen.set(subjectId, seen);
    }
    if (seen.includes(item)) return;
    seen.push(item);
    this.#apply(seen, seen.length - 1, 1);
  }

  /** Removes every contribution of the subject exactly; false when the model never saw them. */
  removeSubject(subjectId: string): boolean {
    const seen = this.#seen.get(subjectId);
    if (!seen) return false;
    for (let p = seen.length - 1; p >= 0; p--) this.#apply(seen, p, -1);
    this.#seen.delete(subjectId);
    return true;
  }

  #apply(seen: readonly number[], p: number, sign: 1 | -1): void {
    const b = seen[p] as number;
    this.#pairs.addTotal(b, sign * WEIGHT_UNIT);
    // Only b's total changed: its own entry follows (rebuilding every item's
    // on the next query was a square root per item after each learned event).
    if (!this.#inverseStale && b < this.#inverse.length) {
      const c = this.#pairs.total(b);
      this.#inverse[b] = c === 0 ? 0 : 1 / Math.sqrt(c);
    } else this.#inverseStale = true;
    for (let q = Math.max(0, p - this.options.window); q < p; q++)
      this.#pairs.addPair(seen[q] as number, b, sign * WEIGHT_UNIT);
  }

  /**
   * Adds the co-interaction similarity of every item to `anchor` into
   * `scores`, pushing newly touched indices to `touched`. Low-level entry for
   * the evaluation and ensembles.
   */
  scoreInto(anchor: number, scores: Float64Array, touched: TouchedSink, scale = 1): void {
    const ca = this.#pairs.total(anchor);
    if (ca === 0) return;
    const shrink = this.options.shrink;
    const inv = this.#inverseRoots();
    const base = scale / Math.sqrt(ca);
    for (const row of [this.#pairs.outRow(anchor), this.#pairs.inRow(anchor)]) {
      if (!row) continue;
      const { items, units } = row;
      const end = Math.min(items.length, this.options.maxNeighbors);
      for (let q = 0; q < end; q++) {
        const j = items[q] as number;
        const u = units[q] as number;
        const n = u / WEIGHT_UNIT;
        const s = (base * u * (inv[j] as number) * n) / (n + shrink);
        if (scores[j] === 0) touched.push(j);
        scores[j] = (scores[j] as number) + s;
      }
    }
  }

  /** `1 / sqrt(total(j))` for every item, recomputed lazily after changes. */
  #inverseRoots(): Float64Array {
    if (this.#inverseStale || this.#inverse.length !== this.items.size) {
      if (this.#inverse.length !== this.items.size) this.#inverse = new Float64Array(this.items.size);
      for (let j = 0; j < this.#inverse.length; j++) {
        const c = this.#pairs.total(j);
        this.#inverse[j] = c === 0 ? 0 : 1 / Math.sqrt(c);
      }
      this.#inverseStale = false;
    }
    return this.#inverse;
  }

  /**
   * Builds the array copies of every row now rather than on first use, and
   * keeps them alone from then on (`PairCounts.compactAll`).
   *
   * @example
   * model.prepare();
   */
  prepare(): void {
    this.#inverseRoots();
    this.#pairs.compactAll();
  }

  /** Number of subjects who interacted with both items (0 when none). */
  coInteractions(a: number, b: number): number {
    return (this.#pairs.weight(a, b) + this.#pairs.weight(b, a)) / WEIGHT_UNIT;
  }

  /**
   * Top-k items most similar to `itemId` (never the item itself). Unknown
   * items get an empty list.
   *
   * @example
   * model.similarTo("red-shoe", 10); // [{ itemId, score, reason: { kind: "similar_to", anchor: "red-shoe", basis: "co_interaction" } }, …]
   */
  similarTo(itemId: string, k: number): Recommendation[] {
    const anchor = this.items.findIndex(itemId);
    if (anchor === undefined) return [];
    if (this.#scratch.length < this.items.size) this.#scratch = new Float64Array(this.items.size);
    const scores = this.#scratch;
    const touched: number[] = [];
    this.scoreInto(anchor, scores, touched);
    if (this.#fromHistory.length < scores.length) this.#fromHistory = new Uint8Array(scores.length);
    const fromHistory = this.#fromHistory;
    for (const j of touched) fromHistory[j] = 1;
    const w = this.options.attributeWeight;
    const neighbours = w > 0 ? this.#neighbours.of(anchor) : undefined;
    if (neighbours) {
      const end = Math.min(neighbours.items.length, Math.max(50, 4 * k));
      for (let q = 0; q < end; q++) {
        const j = neighbours.items[q] as number;
        if (j >= scores.length) continue;
        if (scores[j] === 0) touched.push(j);
        scores[j] = (scores[j] as number) + w * (neighbours.scores[q] as number);
      }
    }
    const best = topK(scores, k, touched, (j) => j === anchor || !((scores[j] as number) > 0), this.items.compareIds);
    const out = best.map((j) => ({
      itemId: this.items.idOf(j),
      score: scores[j] as number,
      reason: {
        kind: 'similar_to' as const,
        anchor: itemId,
        basis: fromHistory[j] === 1 ? ('co_interaction' as const) : ('attributes' as const),
      },
    }));
    for (const j of touched) {
      scores[j] = 0;
      fromHistory[j] = 0;
    }
    return out;
  }

  /** Canonical state for equality checks in tests. */
  snapshot(): unknown {
    return { subjects: [...this.#seen.keys()].sort(), ...this.#pairs.snapshot((i) => this.items.idOf(i)) };
  }
}
