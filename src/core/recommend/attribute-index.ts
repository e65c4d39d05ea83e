import type { ItemIndex } from './item-index.ts';
import type { ItemAttributes } from './types.ts';

/**
 * Catalog attributes turned into weighted features (category, brand, text
 * tokens) with an inverted index, so that items with no interaction history
 * still have neighbours. Feature weights use inverse document frequency so a
 * shared rare brand counts more than a shared broad category.
 *
 * Attributes are catalog data, not personal data: erasing a subject does not
 * touch this index.
 *
 * @example
 * const index = new AttributeIndex();
 * index.set({ itemId: "a", category: "tea", brand: "acme" });
 * index.set({ itemId: "b", category: "tea", brand: "acme" });
 * index.similar("a", 5); // [{ itemId: "b", score: 1 }]
 */
/** How many attribute neighbours of an item {@link AttributeIndex.neighbours} keeps. */
export const NEIGHBOURS = 128;
/** Attribute values shared by more items than this are too broad to find neighbours through (and slow). */
export const NEIGHBOUR_MAX_POSTING = 1000;

export class AttributeIndex {
  readonly #features = new Map<string, string[]>();
  readonly #postings = new Map<string, Set<string>>();
  readonly #categories = new Map<string, string>();
  /** Bumped on every change; caches of IDF and norms are valid for one version. */
  #version = 0;
  #normsVersion = -1;
  readonly #norms = new Map<string, number>();
  readonly #idfs = new Map<string, number>();
  /** {@link neighbours} per item, valid for one version. */
  readonly #neighbours = new Map<string, readonly { itemId: string; score: number }[]>();

  /** Adds or replaces one item's attributes. */
  set(attributes: ItemAttributes): void {
    this.delete(attributes.itemId);
    this.#version++;
    const features: string[] = [];
    if (attributes.category !== undefined) {
      this.#categories.set(attributes.itemId, attributes.category);
      // Every level of a category path is a feature: "a/b/c" → a, a/b, a/b/c.
      const parts = attributes.category.split('/');
      for (let i = 1; i <= parts.length; i++) features.push(`c:${parts.slice(0, i).join('/')}`);
    }
    if (attributes.brand !== undefined) features.push(`b:${attributes.brand}`);
    for (const token of attributes.tokens ?? []) features.push(`t:${token.toLowerCase()}`);
    const unique = [...new Set(features)];
    this.#features.set(attributes.itemId, unique);
    for (const f of unique) {
      let set = this.#postings.get(f);
      if (!set) {
        set = new Set();
        this.#postings.set(f, set);
      }
      set.add(attributes.itemId);
    }
  }

  /** Removes an item's attributes. */
  delete(itemId: string): void {
    const old = this.#features.get(itemId);
    if (!old) return;
    this.#version++;
    for (const f of old) {
      const set = this.#postings.get(f);
      set?.delete(itemId);
      if (set?.size === 0) this.#postings.delete(f);
    }
    this.#features.delete(itemId);
    this.#categories.delete(itemId);
  }

  /** Changes with every change of the index (caches built on it compare it). */
  get version(): number {
    return this.#version;
  }

  /** Whether the item has any attribute. */
  has(itemId: string): boolean {
    return (this.#features.get(itemId)?.length ?? 0) > 0;
  }

  /** The category path of an item, or undefined. */
  categoryOf(itemId: string): string | undefined {
    return this.#categories.get(itemId);
  }

  /** Every item whose category is `category` or below it. */
  itemsInCategory(category: string): string[] {
    return [...(this.#postings.get(`c:${category}`) ?? [])];
  }

  /** Drops what was computed for an older version of the index. */
  #sync(): void {
    if (this.#normsVersion === this.#version) return;
    this.#norms.clear();
    this.#idfs.clear();
    this.#neighbours.clear();
    this.#normsVersion = this.#version;
  }

  /**
   * The {@link NEIGHBOURS} items most similar to `itemId` (as {@link similar},
   * skipping features held by more than {@link NEIGHBOUR_MAX_POSTING} items),
   * computed once per item until the index changes: serving asks for the same
   * items' neighbours again and again.
   */
  neighbours(itemId: string): readonly { itemId: string; score: number }[] {
    this.#sync();
    let list = this.#neighbours.get(itemId);
    if (list === undefined) {
      list = this.similar(itemId, NEIGHBOURS, NEIGHBOUR_MAX_POSTING);
      this.#neighbours.set(itemId, list);
    }
    return list;
  }

  #idf(feature: string): number {
    this.#sync();
    let idf = this.#idfs.get(feature);
    if (idf === undefined) {
      const df = this.#postings.get(feature)?.size ?? 0;
      idf = df === 0 ? 0 : Math.log(1 + this.#features.size / df);
      this.#idfs.set(feature, idf);
    }
    return idf;
  }

  /**
   * Items sharing features with `itemId`, by IDF-weighted cosine (0..1).
   * Features held by more than `maxPosting` items are skipped for speed
   * (they carry little information anyway).
   */
  similar(itemId: string, k: number, maxPosting = 5000): { itemId: string; score: number }[] {
    const features = this.#features.get(itemId);
    if (!features || features.length === 0) return [];
    const acc = new Map<string, number>();
    let selfNorm = 0;
    for (const f of features) {
      const w = this.#idf(f);
      selfNorm += w * w;
      const posting = this.#postings.get(f);
      if (!posting || posting.size > maxPosting) continue;
      for (const other of posting) if (other !== itemId) acc.set(other, (acc.get(other) ?? 0) + w * w);
    }
    // Keep the best k in a small sorted array (k is small; candidates may be thousands).
    const better = (a: { itemId: string; score: number }, b: { itemId: string; score: number }) =>
      a.score > b.score || (a.score === b.score && a.itemId < b.itemId);
    const out: { itemId: string; score: number }[] = [];
    for (const [other, dot] of acc) {
      const entry = { itemId: other, score: dot / Math.sqrt(selfNorm * this.#norm(other)) };
      if (out.length === k && !better(entry, out[k - 1] as { itemId: string; score: number })) continue;
      let at = out.length;
      while (at > 0 && better(entry, out[at - 1] as { itemId: string; score: number })) at--;
      out.splice(at, 0, entry);
      if (out.length > k) out.pop();
    }
    return out;
  }

  /** Squared IDF norm of an item's features, cached until the index changes. */
  #norm(itemId: string): number {
    this.#sync();
    let norm = this.#norms.get(itemId);
    if (norm === undefined) {
      norm = 0;
      for (const f of this.#features.get(itemId) ?? []) norm += this.#idf(f) ** 2;
      this.#norms.set(itemId, norm);
    }
    return norm;
  }
}

/**
 * The {@link AttributeIndex.neighbours} of items as dense item indices and
 * scores (typed arrays), built once per item and index version: scoring
 * loops read them without a string lookup per neighbour.
 *
 * @example
 * const neighbours = new IndexedNeighbours(attributes, items);
 * neighbours.of(items.intern('sku-1'))?.items; // Int32Array of item indices, nearest first
 */
export class IndexedNeighbours {
  readonly #attributes: AttributeIndex;
  readonly #items: ItemIndex;
  readonly #cache = new Map<number, { items: Int32Array; scores: Float64Array }>();
  #version = -1;

  constructor(attributes: AttributeIndex, items: ItemIndex) {
    this.#attributes = attributes;
    this.#items = items;
  }

  /** The neighbours of an item index, nearest first, or undefined when the item has no attributes. */
  of(item: number): { items: Int32Array; scores: Float64Array } | undefined {
    if (this.#version !== this.#attributes.version) {
      this.#cache.clear();
      this.#version = this.#attributes.version;
    }
    let cached = this.#cache.get(item);
    if (cached) return cached;
    const id = this.#items.idOf(item);
    if (!this.#attributes.has(id)) return undefined;
    const list = this.#attributes.neighbours(id);
    cached = {
      items: Int32Array.from(list, (n) => this.#items.intern(n.itemId)),
      scores: Float64Array.from(list, (n) => n.score),
    };
    this.#cache.set(item, cached);
    return cached;
  }
}
