import { AttributeIndex } from './attribute-index.ts';
import { addTo, fromUnits, toUnits } from './exact-weight.ts';
import { topK } from './top-k.ts';
import type { InteractionEvent, InteractionKind, ItemAttributes, Recommendation } from './types.ts';
import { DEFAULT_KIND_WEIGHTS } from './types.ts';

/**
 * Settings of {@link PopularityModel}.
 *
 * @example
 * new PopularityModel({ halfLifeMs: 7 * 86_400_000 });
 */
export interface PopularityOptions {
  /** Counts are kept per time bucket of this length (ms). */
  readonly bucketMs: number;
  /** Half-life of "popular" (ms): an interaction this old weighs half. */
  readonly halfLifeMs: number;
  /** Half-life of the recent window used for "trending" (ms). */
  readonly trendHalfLifeMs: number;
  /** Pseudo-count damping the trend ratio of items seen a few times. */
  readonly trendShrink: number;
  readonly kindWeights: Readonly<Record<InteractionKind, number>>;
}

const DAY = 86_400_000;

/**
 * Defaults: daily buckets, popular over ~a month, trending over ~two days.
 *
 * @example
 * new PopularityModel({ ...DEFAULT_POPULARITY_OPTIONS, trendShrink: 10 });
 */
export const DEFAULT_POPULARITY_OPTIONS: PopularityOptions = Object.freeze({
  bucketMs: DAY,
  halfLifeMs: 30 * DAY,
  trendHalfLifeMs: 2 * DAY,
  trendShrink: 5,
  kindWeights: DEFAULT_KIND_WEIGHTS,
});

/**
 * What to rank within: everything, one category (and below), one context.
 *
 * @example
 * model.popular(10, { category: 'outdoor', context: 'home', exclude: new Set(['sku-1']) });
 */
export interface PopularityScope {
  readonly category?: string;
  readonly context?: string;
  /** Reference time (ms); defaults to the latest event seen. */
  readonly now?: number;
  readonly exclude?: ReadonlySet<string>;
}

type Buckets = Map<number, number>;

interface EventRecord {
  readonly itemId: string;
  readonly bucket: number;
  readonly units: number;
  readonly context: string | undefined;
  readonly at: number;
}

/**
 * Popular and trending items, globally, per category (with the catalog
 * categories, every level of the path) and per context (page type, venue,
 * channel…). Counts are time-decayed: each interaction is kept in a time
 * bucket and weighs `0.5^(age / halfLife)` at query time, so nothing needs
 * rewriting as time passes, and removing a subject subtracts its exact
 * integer counts from the buckets.
 *
 * @example
 * const model = new PopularityModel();
 * model.add({ subjectId: "s1", itemId: "scarf", kind: "purchase", at: Date.now(), context: "winter-sale" });
 * model.popular(10); // [{ itemId: "scarf", score: 4, reason: { kind: "popular" } }]
 * model.popular(10, { context: "winter-sale" });
 * model.trending(10);
 */
export class PopularityModel {
  readonly options: PopularityOptions;
  readonly attributes: AttributeIndex;
  /** scope key ("" = global, "x:context") → item → bucket → units */
  readonly #counts = new Map<string, Map<string, Buckets>>();
  readonly #events = new Map<string, EventRecord[]>();
  #latest = Number.NEGATIVE_INFINITY;
  /** Scratch of {@link #decayed}: one item's buckets, sorted. */
  #sortKeys = new Float64Array(16);
  #sortUnits = new Float64Array(16);

  constructor(options: Partial<PopularityOptions> & { attributes?: AttributeIndex } = {}) {
    const { attributes, ...rest } = options;
    this.options = { ...DEFAULT_POPULARITY_OPTIONS, ...rest };
    this.attributes = attributes ?? new AttributeIndex();
  }

  /** Adds or replaces catalog attributes of an item (catalog data, kept on erasure). */
  setAttributes(attributes: ItemAttributes): void {
    this.attributes.set(attributes);
  }

  /** Records one interaction. */
  add(event: InteractionEvent): void {
    const bucket = Math.floor(event.at / this.options.bucketMs);
    const units = toUnits(this.options.kindWeights[event.kind]);
    const record: EventRecord = { itemId: event.itemId, bucket, units, context: event.context, at: event.at };
    let list = this.#events.get(event.subjectId);
    if (!list) {
      list = [];
      this.#events.set(event.subjectId, list);
    }
    list.push(record);
    this.#apply(record, 1);
    if (event.at > this.#latest) this.#latest = event.at;
  }

  /** Removes every contribution of the subject exactly; false when the model never saw them. */
  removeSubject(subjectId: string): boolean {
    const list = this.#events.get(subjectId);
    if (!list) return false;
    for (const record of list) this.#apply(record, -1);
    this.#events.delete(subjectId);
    this.#latest = Number.NEGATIVE_INFINITY;
    for (const events of this.#events.values()) for (const e of events) this.#latest = Math.max(this.#latest, e.at);
    return true;
  }

  #apply(record: EventRecord, sign: 1 | -1): void {
    const scopes = [''];
    if (record.context !== undefined) scopes.push(`x:${record.context}`);
    for (const scope of scopes) {
      let items = this.#counts.get(scope);
      if (!items) {
        items = new Map();
        this.#counts.set(scope, items);
      }
      let buckets = items.get(record.itemId);
      if (!buckets) {
        buckets = new Map();
        items.set(record.itemId, buckets);
      }
      addTo(buckets, record.bucket, sign * record.units);
      if (buckets.size === 0) items.delete(record.itemId);
      if (items.size === 0) this.#counts.delete(scope);
    }
  }

  /**
   * Time-decayed weight of an item's buckets. `factors` keeps each bucket's
   * decay factor for one query (items share their days), so a query over the
   * whole catalog computes each power once instead of once per item and bucket.
   */
  #decayed(buckets: Buckets, now: number, halfLife: number, factors: Map<number, number>): number {
    // Sorted so the floating-point sum does not depend on insertion order (exact erasure);
    // an insertion sort into reused arrays (an item has few buckets, all distinct).
    const n = buckets.size;
    if (this.#sortKeys.length < n) {
      this.#sortKeys = new Float64Array(n * 2);
      this.#sortUnits = new Float64Array(n * 2);
    }
    const keys = this.#sortKeys;
    const units = this.#sortUnits;
    let size = 0;
    for (const [bucket, u] of buckets) {
      let j = size - 1;
      for (; j >= 0 && (keys[j] as number) > bucket; j--) {
        keys[j + 1] = keys[j] as number;
        units[j + 1] = units[j] as number;
      }
      keys[j + 1] = bucket;
      units[j + 1] = u;
      size++;
    }
    let s = 0;
    for (let j = 0; j < size; j++) {
      const bucket = keys[j] as number;
      let factor = factors.get(bucket);
      if (factor === undefined) {
        const age = Math.max(0, now - (bucket + 0.5) * this.options.bucketMs);
        factor = 0.5 ** (age / halfLife);
        factors.set(bucket, factor);
      }
      s += fromUnits(units[j] as number) * factor;
    }
    return s;
  }

  #candidates(scope: PopularityScope): [string, Buckets][] {
    const items = this.#counts.get(scope.context === undefined ? '' : `x:${scope.context}`);
    if (!items) return [];
    const inCategory =
      scope.category === undefined ? undefined : new Set(this.attributes.itemsInCategory(scope.category));
    const out: [string, Buckets][] = [];
    for (const entry of items) {
      if (inCategory && !inCategory.has(entry[0])) continue;
      if (scope.exclude?.has(entry[0])) continue;
      out.push(entry);
    }
    return out;
  }

  #reasonScope(scope: PopularityScope): { category?: string; context?: string } {
    return {
      ...(scope.category === undefined ? {} : { category: scope.category }),
      ...(scope.context === undefined ? {} : { context: scope.context }),
    };
  }

  /**
   * Top-k items by time-decayed interaction weight within a scope.
   *
   * @example
   * model.popular(5, { category: "outdoor/tents" });
   */
  popular(k: number, scope: PopularityScope = {}): Recommendation[] {
    const now = scope.now ?? this.#latest;
    const factors = new Map<number, number>();
    const candidates = this.#candidates(scope);
    const scores = new Float64Array(candidates.length);
    for (let i = 0; i < candidates.length; i++)
      scores[i] = this.#decayed((candidates[i] as [string, Buckets])[1], now, this.options.halfLifeMs, factors);
    return this.#best(candidates, scores, k, { kind: 'popular' as const, ...this.#reasonScope(scope) });
  }

  /**
   * Top-k items whose recent weight (short half-life) is high relative to
   * their usual level (long half-life): `recent / (usual * ratio + shrink)`,
   * where `ratio` rescales the long window to the length of the short one.
   *
   * @example
   * model.trending(5, { context: "homepage" });
   */
  trending(k: number, scope: PopularityScope = {}): Recommendation[] {
    const now = scope.now ?? this.#latest;
    const ratio = this.options.trendHalfLifeMs / this.options.halfLifeMs;
    const recentFactors = new Map<number, number>();
    const usualFactors = new Map<number, number>();
    const candidates = this.#candidates(scope);
    const scores = new Float64Array(candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      const b = (candidates[i] as [string, Buckets])[1];
      const recent = this.#decayed(b, now, this.options.trendHalfLifeMs, recentFactors);
      const usual = this.#decayed(b, now, this.options.halfLifeMs, usualFactors);
      scores[i] = recent / (usual * ratio + this.options.trendShrink);
    }
    return this.#best(candidates, scores, k, { kind: 'trending' as const, ...this.#reasonScope(scope) });
  }

  /**
   * The k best-scored candidates with a positive score, best first (equal
   * scores by item id): a selection, not a sort of the whole catalog.
   */
  #best<R>(
    candidates: readonly [string, Buckets][],
    scores: Float64Array,
    k: number,
    reason: R,
  ): { itemId: string; score: number; reason: R }[] {
    const id = (i: number) => (candidates[i] as [string, Buckets])[0];
    const best = topK(
      scores,
      k,
      undefined,
      (i) => !((scores[i] as number) > 0),
      (a, b) => (id(a) < id(b) ? -1 : 1),
    );
    return best.map((i) => ({ itemId: id(i), score: scores[i] as number, reason }));
  }

  /** Canonical state for equality checks in tests. */
  snapshot(): unknown {
    const out: [string, string, number, number][] = [];
    for (const [scope, items] of this.#counts)
      for (const [item, buckets] of items) for (const [b, u] of buckets) out.push([scope, item, b, u]);
    out.sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
    return { subjects: [...this.#events.keys()].sort(), counts: out };
  }
}
