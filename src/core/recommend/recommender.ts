import { AttributeIndex, IndexedNeighbours } from './attribute-index.ts';
import type { CategoryComplement, CategoryRelationsOptions } from './category-relations.ts';
import { ComplementsModel, type ComplementsOptions } from './complements.ts';
import { ItemIndex } from './item-index.ts';
import { NextBasketModel, type NextBasketOptions } from './next-basket.ts';
import {
  type HistoryEntry,
  type PersonalTopNCounting,
  PersonalTopNModel,
  type PersonalTopNScoring,
} from './personal-top-n.ts';
import { PopularityModel, type PopularityOptions, type PopularityScope } from './popularity.ts';
import { SimilarItemsModel, type SimilarItemsOptions } from './similar-items.ts';
import { TouchedList, type TouchedSink, topK } from './top-k.ts';
import type { InteractionEvent, ItemAttributes, Recommendation, RecommendationReason } from './types.ts';

/**
 * How the personal top-N blends its signals.
 *
 * @example
 * rec.blend = { ...rec.blend, attributeWeight: 0.15 };
 */
export interface BlendOptions {
  /** Weight of co-interaction similarity to the recent history items (on top of the transition model). */
  readonly similarWeight: number;
  /** How many of the most recent history items feed the similarity part. */
  readonly similarHistory: number;
  /** Recency decay of the similarity part: the k-th most recent item weighs `similarRecency^k`. */
  readonly similarRecency: number;
  /** Weight of catalog-attribute similarity (category, brand, tokens) to the recent history items. */
  readonly attributeWeight: number;
  /** How many of the most recent history items (with attributes) feed the attribute part. */
  readonly attributeHistory: number;
  /** Recency decay of the attribute part. */
  readonly attributeRecency: number;
}

/**
 * Default blend (chosen on the Amazon validation targets).
 *
 * @example
 * new Recommender({ blend: { ...DEFAULT_BLEND, similarWeight: 0.3 } });
 */
export const DEFAULT_BLEND: BlendOptions = Object.freeze({
  similarWeight: 0.3,
  similarHistory: 3,
  similarRecency: 0.5,
  attributeWeight: 0.3,
  attributeHistory: 1,
  attributeRecency: 0.5,
});

/**
 * An answer of {@link Recommender.recommendForHistoryIndexed}: `index` is
 * the item's index in the recommender's {@link ItemIndex}, -1 when it has
 * none.
 */
export type IndexedRecommendation = Recommendation & { readonly index: number };

/** `answer`, a new object, with its item's index (-1 when unknown) when `withIndex`; as it is otherwise. */
function indexed(answer: Recommendation, index: number | undefined, withIndex: boolean): Recommendation {
  return withIndex ? Object.assign(answer, { index: index ?? -1 }) : answer;
}

/** How many attribute neighbours of an item the history blend uses. */
const ATTRIBUTE_NEIGHBOURS = 100;

/**
 * Settings of every model of a {@link Recommender}.
 *
 * @example
 * new Recommender({ personalScoring: { recency: 0.7 }, complements: { shrink: 20 }, nextBasket: { alpha: 0.5 } });
 */
export interface RecommenderOptions {
  readonly personalCounting?: Partial<PersonalTopNCounting>;
  readonly personalScoring?: Partial<PersonalTopNScoring>;
  readonly similar?: Partial<SimilarItemsOptions>;
  readonly complements?: Partial<ComplementsOptions>;
  readonly popularity?: Partial<PopularityOptions>;
  readonly nextBasket?: Partial<NextBasketOptions>;
  readonly blend?: Partial<BlendOptions>;
}

/**
 * Options of the top-k calls.
 *
 * @example
 * rec.recommendForHistory(['sku-1'], 10, { exclude: new Set(['sku-9']) });
 */
export interface TopKOptions {
  /** Item ids never to return. For history-based calls, `false` allows items already in the history. */
  readonly exclude?: ReadonlySet<string> | false;
}

/**
 * The serving interface of the recommendation models, answering from memory:
 * personal top-N for a history, complements and similar items of an anchor,
 * popular and trending items, and next-basket predictions. Every result
 * carries a score and a machine-readable reason.
 *
 * Events go in through {@link add}; {@link removeSubject} erases a subject's
 * whole contribution from every model, exactly. Pure computation, no I/O:
 * persistence, consent and policy filtering are the caller's job.
 *
 * @example
 * const rec = new Recommender();
 * rec.setItemAttributes({ itemId: "tent", category: "outdoor/tents" });
 * rec.add({ subjectId: "s1", itemId: "tent", kind: "purchase", at: 1, basketId: "o1" });
 * rec.add({ subjectId: "s1", itemId: "pegs", kind: "purchase", at: 1, basketId: "o1" });
 * rec.recommendForHistory(["tent"], 10); // [{ itemId: "pegs", score, reason: { kind: "after_you_interacted", anchor: "tent" } }]
 * rec.complementsOf("tent", 10);
 * rec.removeSubject("s1"); // as if s1 had never been seen
 */
export class Recommender {
  readonly items = new ItemIndex();
  readonly attributes = new AttributeIndex();
  readonly personal: PersonalTopNModel;
  readonly similar: SimilarItemsModel;
  readonly complements: ComplementsModel;
  readonly popularity: PopularityModel;
  readonly nextBasket: NextBasketModel;
  blend: BlendOptions;
  #scratch = new Float64Array(0);
  /** Reused list of the items a query touched (fewer allocations, shorter GC pauses). */
  readonly #touched = new TouchedList();
  /** Every item's attribute neighbours as indices, shared with the similar-items model (rebuilt when attributes change). */
  readonly #neighbours: IndexedNeighbours;
  #version = 0;

  constructor(options: RecommenderOptions = {}) {
    const shared = { items: this.items, attributes: this.attributes };
    this.#neighbours = new IndexedNeighbours(this.attributes, this.items);
    this.personal = new PersonalTopNModel({
      items: this.items,
      ...(options.personalCounting ? { counting: options.personalCounting } : {}),
      ...(options.personalScoring ? { scoring: options.personalScoring } : {}),
    });
    this.similar = new SimilarItemsModel({ ...shared, neighbours: this.#neighbours, ...options.similar });
    this.complements = new ComplementsModel({ ...shared, ...options.complements });
    this.popularity = new PopularityModel({ attributes: this.attributes, ...options.popularity });
    this.nextBasket = new NextBasketModel({ items: this.items, ...options.nextBasket });
    this.blend = { ...DEFAULT_BLEND, ...options.blend };
  }

  /**
   * Raised by every change to the models or the attributes (an event, an
   * erasure, an item's attributes): an answer copied at one version is still
   * the answer while the version is the same.
   */
  get version(): number {
    return this.#version;
  }

  /**
   * Records one interaction in every model (online update).
   *
   * @example
   * rec.add({ subjectId: "s1", itemId: "sku-1", kind: "view", at: Date.now(), context: "home" });
   */
  add(event: InteractionEvent): void {
    this.#version++;
    this.personal.add(event);
    this.similar.add(event);
    this.complements.add(event);
    this.popularity.add(event);
    this.nextBasket.add(event);
  }

  /**
   * Adds or replaces an item's catalog attributes (used for cold items, categories and category-level complements).
   *
   * @example
   * rec.setItemAttributes({ itemId: "sku-1", category: "shoes/running", brand: "acme", tokens: ["trail"] });
   */
  setItemAttributes(attributes: ItemAttributes): void {
    this.#version++;
    this.items.intern(attributes.itemId);
    this.attributes.set(attributes);
    this.complements.setAttributes(attributes);
  }

  /**
   * Erases a subject's whole contribution from every model. Afterwards every
   * answer is exactly what it would be had the subject never been seen. The
   * {@link version} moves only when a model knew the subject: the decision
   * service calls this on every decision of a subject without consent, and
   * raising it each time made every answer kept at the version (the
   * complements and similar items computed with the models) be computed again.
   *
   * @example
   * rec.removeSubject("s1");
   */
  removeSubject(subjectId: string): void {
    // Every model is asked (no short-circuit): each removes what it holds.
    const known = [
      this.personal.removeSubject(subjectId),
      this.similar.removeSubject(subjectId),
      this.complements.removeSubject(subjectId),
      this.popularity.removeSubject(subjectId),
      this.nextBasket.removeSubject(subjectId),
    ];
    if (known.includes(true)) this.#version++;
  }

  /**
   * Adds blended personal scores for a history of item indices into `scores`
   * (transition model + co-interaction similarity to the most recent items).
   * Low-level entry shared by {@link recommendForHistory} and the evaluation.
   */
  scoreHistoryInto(
    history: readonly number[],
    weights: readonly number[] | undefined,
    scores: Float64Array,
    touched: TouchedSink,
  ): void {
    this.personal.scoreInto(history, weights, scores, touched);
    const { similarWeight, similarHistory, similarRecency, attributeWeight, attributeHistory, attributeRecency } =
      this.blend;
    if (similarWeight > 0) {
      let r = similarWeight;
      let used = 0;
      for (let p = history.length - 1; p >= 0 && used < similarHistory; p--) {
        const h = history[p] as number;
        if (this.personal.totalOf(h) === 0) continue; // unknown items use no recency step (see PersonalTopNModel)
        this.similar.scoreInto(h, scores, touched, r * (weights ? (weights[p] as number) : 1));
        used++;
        r *= similarRecency;
      }
    }
    if (attributeWeight > 0) {
      let r = attributeWeight;
      let used = 0;
      for (let p = history.length - 1; p >= 0 && used < attributeHistory; p--) {
        const h = history[p] as number;
        // The shared arrays, read up to ATTRIBUTE_NEIGHBOURS (no views made per query).
        const neighbours = this.#neighbours.of(h);
        if (!neighbours) continue; // items without attributes use no recency step
        const scale = r * (weights ? (weights[p] as number) : 1);
        const end = Math.min(neighbours.items.length, ATTRIBUTE_NEIGHBOURS);
        for (let n = 0; n < end; n++) {
          const j = neighbours.items[n] as number;
          if (scores[j] === 0) touched.push(j);
          scores[j] = (scores[j] as number) + scale * (neighbours.scores[n] as number);
        }
        used++;
        r *= attributeRecency;
      }
    }
  }

  /**
   * Computes ahead of time what queries would otherwise compute on first use
   * (attribute neighbours of every item, the sorted rows of pair weights), so
   * that serving latency stays flat, and keeps those rows instead of the maps
   * they were built in.
   *
   * @example
   * rec.prepare();
   */
  prepare(): void {
    this.personal.prepare();
    this.similar.prepare();
    this.complements.prepare();
    for (let i = 0; i < this.items.size; i++) this.#neighbours.of(i);
  }

  /** The first catalog-attribute neighbours of an item index (views of the shared cache), or undefined when it has no attributes. */
  attributeNeighbours(item: number): { items: Int32Array; scores: Float64Array } | undefined {
    const all = this.#neighbours.of(item);
    return (
      all && {
        items: all.items.subarray(0, ATTRIBUTE_NEIGHBOURS),
        scores: all.scores.subarray(0, ATTRIBUTE_NEIGHBOURS),
      }
    );
  }

  /**
   * Personal top-k for an ordered history (oldest first; strings are
   * purchases, or give `{ itemId, kind }`). Items already in the history are
   * excluded unless `exclude: false`. When the history says too little, the
   * list is completed with items similar to the last one by attributes, then
   * with popular items. The answer for k items is the start of the answer
   * for any larger k.
   *
   * @example
   * rec.recommendForHistory(["sku-1", { itemId: "sku-2", kind: "view" }], 10, { exclude: new Set(["sku-9"]) });
   */
  recommendForHistory(history: readonly HistoryEntry[], k: number, options: TopKOptions = {}): Recommendation[] {
    return this.#forHistory(history, k, options, false);
  }

  /**
   * {@link recommendForHistory}, each answer with its item's index in
   * {@link items}: for a caller that keeps what it knows of items by index
   * (the decision service, its catalog entries), where looking each answer
   * up by id cost a hash-map lookup apiece (perf: about 3 % of a server's
   * CPU under decisions). The index is this model's own, so it is not in
   * the answers of {@link recommendForHistory}, which compare equal between
   * models that saw the same events in another order.
   *
   * @example
   * const [first] = rec.recommendForHistoryIndexed(['sku-1'], 10);
   * rec.items.idOf(first.index) === first.itemId; // true
   */
  recommendForHistoryIndexed(
    history: readonly HistoryEntry[],
    k: number,
    options: TopKOptions = {},
  ): IndexedRecommendation[] {
    return this.#forHistory(history, k, options, true) as IndexedRecommendation[];
  }

  #forHistory(history: readonly HistoryEntry[], k: number, options: TopKOptions, withIndex: boolean): Recommendation[] {
    const idx: number[] = [];
    const w: number[] = [];
    const kw = this.personal.counting.kindWeights;
    for (const entry of history) {
      const id = typeof entry === 'string' ? entry : entry.itemId;
      const i = this.items.findIndex(id);
      if (i === undefined) continue;
      idx.push(i);
      w.push(kw[typeof entry === 'string' ? 'purchase' : (entry.kind ?? 'purchase')] / kw.purchase);
    }
    if (this.#scratch.length < this.items.size) this.#scratch = new Float64Array(this.items.size);
    const scores = this.#scratch;
    const touched = this.#touched;
    touched.clear();
    this.scoreHistoryInto(idx, w, scores, touched);
    // Excluded items that got a score are marked with a negative one, which
    // top-k leaves out like any score not above zero (no set looked up per
    // candidate); clearing the touched items below wipes the marks.
    if (options.exclude !== false) {
      for (const i of idx) if ((scores[i] as number) > 0) scores[i] = -1;
      for (const id of options.exclude ?? []) {
        const i = this.items.findIndex(id);
        if (i !== undefined && (scores[i] as number) > 0) scores[i] = -1;
      }
    }
    const touchedIndices = touched.indices();
    const best = topK(scores, k, touchedIndices, (j) => !((scores[j] as number) > 0), this.items.compareIds);
    const anchors = this.personal.strongestAnchors(idx, best);
    const out: Recommendation[] = best.map((j, n) =>
      indexed(
        { itemId: this.items.idOf(j), score: scores[j] as number, reason: this.#historyReason(idx, j, anchors[n]) },
        j,
        withIndex,
      ),
    );
    for (let t = 0; t < touchedIndices.length; t++) scores[touchedIndices[t] as number] = 0;
    return this.#complete(out, k, history, idx, options.exclude, withIndex);
  }

  /**
   * Personal top-k from the history stored for a subject (their consented events).
   *
   * @example
   * rec.recommendForSubject("s1", 10);
   */
  recommendForSubject(subjectId: string, k: number, options: TopKOptions = {}): Recommendation[] {
    return this.recommendForHistory(this.personal.historyOf(subjectId), k, options);
  }

  /** Why `j` was recommended for `history`, given its strongest anchor in the personal model. */
  #historyReason(history: readonly number[], j: number, anchor: number | undefined): RecommendationReason {
    if (anchor !== undefined) return { kind: 'after_you_interacted', anchor: this.items.idOf(anchor) };
    // Otherwise the most recent item j is similar to: by co-interaction, then by attributes.
    for (let p = history.length - 1; p >= 0; p--) {
      const h = history[p] as number;
      if (this.personal.totalOf(h) > 0 && this.similar.coInteractions(h, j) > 0) {
        return { kind: 'similar_to', anchor: this.items.idOf(h), basis: 'co_interaction' };
      }
    }
    for (let p = history.length - 1; p >= 0; p--) {
      const h = history[p] as number;
      if (this.attributeNeighbours(h)?.items.includes(j)) {
        return { kind: 'similar_to', anchor: this.items.idOf(h), basis: 'attributes' };
      }
    }
    return { kind: 'popular' };
  }

  /**
   * Completes a short list with attribute neighbours of the last history
   * item, then popular items. A shorter list is always the start of a longer
   * one for the same history (recommender.test.ts checks it).
   */
  #complete(
    out: Recommendation[],
    k: number,
    history: readonly HistoryEntry[],
    historyIndices: readonly number[],
    exclude: TopKOptions['exclude'],
    withIndex: boolean,
  ): Recommendation[] {
    if (out.length >= k) return out;
    const answer = (r: Recommendation) => indexed(r, withIndex ? this.items.findIndex(r.itemId) : undefined, withIndex);
    // What may not be added: the history's items (unless `exclude` is false) and the caller's list.
    const excluded = new Set<string>();
    if (exclude !== false) {
      for (const i of historyIndices) excluded.add(this.items.idOf(i));
      for (const id of exclude ?? []) excluded.add(id);
    }
    const have = new Set(out.map((r) => r.itemId));
    const last = history[history.length - 1];
    const lastId = last === undefined ? undefined : typeof last === 'string' ? last : last.itemId;
    const floor = out.length > 0 ? Math.min(...out.map((r) => r.score)) : 1;
    if (lastId !== undefined) {
      // Deep enough to hold every item that may not be added and still k that may: the
      // answer for k is then the start of the answer for any larger k (as for popular
      // items below), which lets a kept answer serve smaller slates.
      for (const { itemId, score } of this.attributes.similar(lastId, k + have.size + excluded.size)) {
        if (out.length >= k) break;
        if (have.has(itemId) || excluded.has(itemId)) continue;
        have.add(itemId);
        out.push(
          answer({
            itemId,
            score: floor * 0.5 * score,
            reason: { kind: 'similar_to', anchor: lastId, basis: 'attributes' },
          }),
        );
      }
    }
    if (out.length < k) {
      const tail = out.length > 0 ? Math.min(...out.map((r) => r.score)) : 1;
      const pop = this.popularity.popular(k + have.size + excluded.size);
      const top = pop[0]?.score ?? 1;
      for (const p of pop) {
        if (out.length >= k) break;
        if (have.has(p.itemId) || excluded.has(p.itemId)) continue;
        have.add(p.itemId);
        out.push(answer({ ...p, score: (tail * 0.5 * p.score) / top }));
      }
    }
    return out;
  }

  /**
   * Top-k complements ("frequently bought together") of an anchor item.
   *
   * @example
   * rec.complementsOf("tent", 5); // [{ itemId: "pegs", score, reason: { kind: "bought_with", anchor: "tent" } }]
   */
  complementsOf(itemId: string, k: number, options: TopKOptions = {}): Recommendation[] {
    const exclude = options.exclude || undefined;
    const list = this.complements.complementsOf(itemId, exclude ? k + exclude.size : k);
    return (exclude ? list.filter((r) => !exclude.has(r.itemId)) : list).slice(0, k);
  }

  /**
   * Top-k items similar to an anchor item (co-interaction, then attributes for cold items).
   *
   * @example
   * rec.similarTo("red-shoe", 5); // [{ itemId: "blue-shoe", score, reason: { kind: "similar_to", anchor: "red-shoe", basis: "attributes" } }]
   */
  similarTo(itemId: string, k: number, options: TopKOptions = {}): Recommendation[] {
    const exclude = options.exclude || undefined;
    const list = this.similar.similarTo(itemId, exclude ? k + exclude.size : k);
    return (exclude ? list.filter((r) => !exclude.has(r.itemId)) : list).slice(0, k);
  }

  /**
   * Top-k popular items (time-decayed), globally or within a category or a context.
   *
   * @example
   * rec.popular(10, { category: "outdoor" });
   */
  popular(k: number, scope: PopularityScope = {}): Recommendation[] {
    return this.popularity.popular(k, scope);
  }

  /**
   * Top-k trending items (recent weight against usual weight).
   *
   * @example
   * rec.trending(10, { context: "home" });
   */
  trending(k: number, scope: PopularityScope = {}): Recommendation[] {
    return this.popularity.trending(k, scope);
  }

  /**
   * The k items most likely in a subject's next basket (repeat purchases blended with similar shoppers').
   *
   * @example
   * rec.nextBasketFor("s1", 10);
   */
  nextBasketFor(subjectId: string, k: number): Recommendation[] {
    return this.nextBasket.nextBasketFor(subjectId, k);
  }

  /**
   * Aggregate category → category complements of the consented baskets the
   * models learned, with a minimum number of distinct subjects per pair: the
   * table contextual ads may read (ADR 0012).
   *
   * @example
   * rec.categoryRelations({ minSubjects: 10 }); // [{ from: 'jewellery', to: 'wedding', weight: 1 }, …]
   */
  categoryRelations(options: CategoryRelationsOptions = {}): CategoryComplement[] {
    return this.complements.categoryRelations(options);
  }

  /** Canonical state of every model, for equality checks in tests. */
  snapshot(): unknown {
    return {
      personal: this.personal.snapshot(),
      similar: this.similar.snapshot(),
      complements: this.complements.snapshot(),
      popularity: this.popularity.snapshot(),
      nextBasket: this.nextBasket.snapshot(),
    };
  }
}
