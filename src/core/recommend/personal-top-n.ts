import { fromUnits, toUnits, WEIGHT_UNIT } from './exact-weight.ts';
import { ItemIndex } from './item-index.ts';
import { type CompactRow, PairCounts } from './pair-counts.ts';
import { type TouchedSink, topK } from './top-k.ts';
import type { InteractionEvent, InteractionKind, Recommendation } from './types.ts';
import { DEFAULT_KIND_WEIGHTS } from './types.ts';

/**
 * Settings that change what is counted (fixed for the life of a model).
 *
 * @example
 * new PersonalTopNModel({ counting: { window: 5, pairDecay: 0.7 } });
 */
export interface PersonalTopNCounting {
  /** How many following items of the same subject an item is paired with. */
  readonly window: number;
  /** Weight of a pair `d` positions apart is `pairDecay^(d-1)`. */
  readonly pairDecay: number;
  /** Weight of each interaction kind. */
  readonly kindWeights: Readonly<Record<InteractionKind, number>>;
}

/**
 * Settings that only change how counts are turned into scores (may be changed any time).
 *
 * @example
 * model.scoring = { ...model.scoring, recency: 0.7 };
 */
export interface PersonalTopNScoring {
  /** Popularity damping of the anchor: divide by `count(anchor)^alpha`. */
  readonly alpha: number;
  /** Popularity damping of the candidate: divide by `count(candidate)^beta`. */
  readonly beta: number;
  /** Weight of "candidate came before the anchor" relative to "after" (1 = symmetric). */
  readonly backward: number;
  /** History position `k` from the end weighs `recency^k`. */
  readonly recency: number;
  /** Only the last `maxHistory` items of a history are used. */
  readonly maxHistory: number;
  /** Only the `maxNeighbors` heaviest transitions of each history item (each direction) are read; bounds latency. */
  readonly maxNeighbors: number;
}

/**
 * Default counting settings (chosen on the Amazon validation targets).
 *
 * @example
 * new PersonalTopNModel({ counting: { ...DEFAULT_PERSONAL_COUNTING, window: 8 } });
 */
export const DEFAULT_PERSONAL_COUNTING: PersonalTopNCounting = Object.freeze({
  window: 8,
  pairDecay: 0.8,
  kindWeights: DEFAULT_KIND_WEIGHTS,
});

/**
 * Default scoring settings (chosen on the Amazon validation targets).
 *
 * @example
 * new PersonalTopNModel({ scoring: { ...DEFAULT_PERSONAL_SCORING, beta: 0 } });
 */
export const DEFAULT_PERSONAL_SCORING: PersonalTopNScoring = Object.freeze({
  alpha: 0.5,
  beta: 0,
  backward: 0.25,
  recency: 0.5,
  maxHistory: 10,
  maxNeighbors: 250,
});

/**
 * One entry of a history passed to {@link PersonalTopNModel.recommendForHistory}.
 *
 * @example
 * const history: HistoryEntry[] = ['sku-1', { itemId: 'sku-2', kind: 'view' }];
 */
export type HistoryEntry = string | { readonly itemId: string; readonly kind?: InteractionKind };

/**
 * Adds `factor × units × damp` of the first `limit` entries of `row` into
 * `scores`, pushing each index scored for the first time to `touched`.
 * Without `damp` (every damping 1) the multiplication by it is left out:
 * the sums are the same, and this loop is most of a personal query.
 */
function addRow(
  row: CompactRow,
  limit: number,
  factor: number,
  damp: Float64Array | undefined,
  scores: Float64Array,
  touched: TouchedSink,
): void {
  const { items, units } = row;
  const end = Math.min(items.length, limit);
  if (damp === undefined)
    for (let q = 0; q < end; q++) {
      const j = items[q] as number;
      const s = scores[j] as number;
      if (s === 0) touched.push(j);
      scores[j] = s + factor * (units[q] as number);
    }
  else
    for (let q = 0; q < end; q++) {
      const j = items[q] as number;
      const s = scores[j] as number;
      if (s === 0) touched.push(j);
      scores[j] = s + factor * (units[q] as number) * (damp[j] as number);
    }
}

interface SubjectTrail {
  readonly items: number[];
  readonly weights: number[];
}

/**
 * Personal top-N from a subject's own ordered history: an item-to-item
 * transition model. Every pair of items a subject interacted with at most
 * `window` positions apart is counted (closer pairs weigh more, purchases more
 * than views); a candidate's score is the sum over the recent history items of
 * the transition weight, damped by the popularity of both items like an
 * item-KNN cosine, with the most recent history items weighing most.
 *
 * Updates are online (`add`) and a subject's whole contribution can be
 * removed exactly (`removeSubject`).
 *
 * @example
 * const model = new PersonalTopNModel();
 * model.add({ subjectId: "s1", itemId: "tent", kind: "purchase", at: 1 });
 * model.add({ subjectId: "s1", itemId: "sleeping-bag", kind: "purchase", at: 2 });
 * model.recommendForHistory(["tent"], 5); // [{ itemId: "sleeping-bag", score: …, reason: { kind: "after_you_interacted", anchor: "tent" } }]
 */
export class PersonalTopNModel {
  readonly items: ItemIndex;
  readonly counting: PersonalTopNCounting;
  scoring: PersonalTopNScoring;
  readonly #pairs: PairCounts;
  readonly #trails = new Map<string, SubjectTrail>();
  readonly #pairUnits: number[];
  #scratch = new Float64Array(0);
  /** Scratch of {@link strongestAnchors}: a candidate's position + 1 by item index, zero between calls. */
  #slot = new Int32Array(0);
  #damp = new Float64Array(0);
  #dampBeta = Number.NaN;
  #dampStale = true;

  constructor(
    options: {
      counting?: Partial<PersonalTopNCounting>;
      scoring?: Partial<PersonalTopNScoring>;
      items?: ItemIndex;
    } = {},
  ) {
    this.items = options.items ?? new ItemIndex();
    this.#pairs = new PairCounts(this.items.compareIds);
    this.counting = { ...DEFAULT_PERSONAL_COUNTING, ...options.counting };
    this.scoring = { ...DEFAULT_PERSONAL_SCORING, ...options.scoring };
    this.#pairUnits = [];
    for (let d = 1; d <= this.counting.window; d++) this.#pairUnits.push(this.counting.pairDecay ** (d - 1));
  }

  /** Records one interaction at the end of the subject's history. */
  add(event: InteractionEvent): void {
    const item = this.items.intern(event.itemId);
    this.addIndexed(event.subjectId, item, this.counting.kindWeights[event.kind]);
  }

  /** Same as {@link add} with an item index and a weight; for bulk loading. */
  addIndexed(subjectId: string, item: number, weight: number): void {
    let trail = this.#trails.get(subjectId);
    if (!trail) {
      trail = { items: [], weights: [] };
      this.#trails.set(subjectId, trail);
    }
    trail.items.push(item);
    trail.weights.push(weight);
    this.#apply(trail, trail.items.length - 1, 1);
  }

  /** Removes every contribution of the subject; the model is then exactly as if it never saw them. False when it never did. */
  removeSubject(subjectId: string): boolean {
    const trail = this.#trails.get(subjectId);
    if (!trail) return false;
    for (let p = trail.items.length - 1; p >= 0; p--) this.#apply(trail, p, -1);
    this.#trails.delete(subjectId);
    return true;
  }

  /** Adds (`sign` 1) or removes (`sign` -1) what position `p` contributed: its total and its pairs with earlier items. */
  #apply(trail: SubjectTrail, p: number, sign: 1 | -1): void {
    const b = trail.items[p] as number;
    const wb = trail.weights[p] as number;
    this.#pairs.addTotal(b, sign * toUnits(wb));
    this.#dampItem(b);
    const from = Math.max(0, p - this.counting.window);
    for (let q = p - 1; q >= from; q--) {
      const a = trail.items[q] as number;
      if (a === b) continue;
      const w = (this.#pairUnits[p - q - 1] as number) * Math.sqrt(wb * (trail.weights[q] as number));
      this.#pairs.addPair(a, b, sign * toUnits(w));
    }
  }

  /**
   * Builds the array copies of every row now rather than on first use, and
   * keeps them alone from then on (`PairCounts.compactAll`).
   *
   * @example
   * model.prepare();
   */
  prepare(): void {
    this.#candidateDamping();
    this.#pairs.compactAll();
  }

  /** The stored history of a subject (item ids in order), empty when unknown. */
  historyOf(subjectId: string): string[] {
    return (this.#trails.get(subjectId)?.items ?? []).map((i) => this.items.idOf(i));
  }

  /** Total weight (in fixed-point units) of an item index; used as its popularity. */
  totalOf(item: number): number {
    return this.#pairs.total(item);
  }

  /**
   * Adds the scores of every candidate for a history of item indices into
   * `scores` (length ≥ number of items) and pushes newly touched indices to
   * `touched`. Low-level entry used by the evaluation and by
   * {@link recommendForHistory}.
   */
  scoreInto(
    history: ArrayLike<number>,
    weights: ArrayLike<number> | undefined,
    scores: Float64Array,
    touched: TouchedSink,
    scale = 1,
  ): void {
    const { alpha, backward, recency, maxHistory, maxNeighbors } = this.scoring;
    // With beta = 0 (the default) every item's damping is 1: the rows are added undamped.
    const damp = this.scoring.beta === 0 ? undefined : this.#candidateDamping();
    const n = history.length;
    // Items the model has no count for are skipped without using up a recency
    // step, so an erased subject's items leave no trace in the weighting.
    let r = scale / recency;
    let used = 0;
    for (let p = n - 1; p >= 0 && used < maxHistory; p--) {
      const h = history[p] as number;
      const ch = this.#pairs.total(h);
      if (ch === 0) continue;
      used++;
      r *= recency;
      const base = (r * (weights ? (weights[p] as number) : 1)) / (fromUnits(ch) ** alpha * WEIGHT_UNIT);
      const out = this.#pairs.outRow(h);
      if (out) addRow(out, maxNeighbors, base, damp, scores, touched);
      if (backward !== 0) {
        const back = this.#pairs.inRow(h);
        if (back) addRow(back, maxNeighbors, backward * base, damp, scores, touched);
      }
    }
  }

  /**
   * Keeps the damping of item `b` in step with its total, which just changed:
   * only its own entry changes. Recomputing every item's on the next query (a
   * power per item, 18k on the Sports data) was most of what a query after a
   * learned event cost more than one without. When the array does not cover
   * `b` yet, or is out of date anyway, the next query builds it again.
   */
  #dampItem(b: number): void {
    if (this.#dampStale || b >= this.#damp.length || this.#dampBeta !== this.scoring.beta) {
      this.#dampStale = true;
      return;
    }
    const c = this.#pairs.total(b);
    this.#damp[b] = c === 0 ? 0 : fromUnits(c) ** -this.#dampBeta;
  }

  /** `total(j)^-beta` for every item, built lazily, and again when items are added or `beta` changes. */
  #candidateDamping(): Float64Array {
    const beta = this.scoring.beta;
    if (this.#damp.length !== this.items.size || this.#dampBeta !== beta || this.#dampStale) {
      if (this.#damp.length !== this.items.size) this.#damp = new Float64Array(this.items.size);
      for (let j = 0; j < this.#damp.length; j++) {
        const c = this.#pairs.total(j);
        this.#damp[j] = c === 0 ? 0 : fromUnits(c) ** -beta;
      }
      this.#dampBeta = beta;
      this.#dampStale = false;
    }
    return this.#damp;
  }

  /**
   * Top-k items for a subject given their ordered history (oldest first).
   * Items already in the history are excluded unless `exclude` is false;
   * `exclude` may also be a set of extra item ids to leave out.
   *
   * @example
   * model.recommendForHistory(["tent", { itemId: "stove", kind: "view" }], 10, { exclude: new Set(["lantern"]) });
   */
  recommendForHistory(
    history: readonly HistoryEntry[],
    k: number,
    options: { exclude?: ReadonlySet<string> | false } = {},
  ): Recommendation[] {
    const idx: number[] = [];
    const w: number[] = [];
    for (const entry of history) {
      const id = typeof entry === 'string' ? entry : entry.itemId;
      const kind = typeof entry === 'string' ? 'purchase' : (entry.kind ?? 'purchase');
      const i = this.items.findIndex(id);
      if (i === undefined) continue;
      idx.push(i);
      w.push(this.counting.kindWeights[kind] / this.counting.kindWeights.purchase);
    }
    if (this.#scratch.length < this.items.size) this.#scratch = new Float64Array(this.items.size);
    const scores = this.#scratch;
    const touched: number[] = [];
    this.scoreInto(idx, w, scores, touched);
    const excluded = new Set<number>();
    if (options.exclude !== false) {
      for (const i of idx) excluded.add(i);
      if (options.exclude)
        for (const id of options.exclude) {
          const i = this.items.findIndex(id);
          if (i !== undefined) excluded.add(i);
        }
    }
    const best = topK(
      scores,
      k,
      touched,
      (i) => excluded.has(i) || !((scores[i] as number) > 0),
      this.items.compareIds,
    );
    const result = best.map((j) => ({
      itemId: this.items.idOf(j),
      score: scores[j] as number,
      reason: {
        kind: 'after_you_interacted' as const,
        anchor: this.items.idOf(this.strongestAnchor(idx, j) ?? (idx[idx.length - 1] as number)),
      },
    }));
    for (const j of touched) scores[j] = 0;
    return result;
  }

  /** The history item that contributed most to candidate `j`, or undefined when none leads to it. */
  strongestAnchor(history: readonly number[], j: number): number | undefined {
    return this.strongestAnchors(history, [j])[0];
  }

  /**
   * {@link strongestAnchor} of each candidate. Each history row is scanned
   * once as its compact arrays, picking out the candidates, instead of a map
   * lookup per candidate and row. Only the part of a row that {@link scoreInto}
   * reads counts (its `maxNeighbors` heaviest entries, the backward ones only
   * when `backward` weighs them): an anchor is a history item that gave the
   * candidate its score, never one whose link to it scoring left out.
   */
  strongestAnchors(history: readonly number[], candidates: ArrayLike<number>): (number | undefined)[] {
    const { recency, maxHistory, maxNeighbors, backward, alpha } = this.scoring;
    const m = candidates.length;
    if (this.#slot.length < this.items.size) this.#slot = new Int32Array(this.items.size);
    const slot = this.#slot;
    // slot[j] = position of candidate j + 1 (0: not a candidate); a repeated candidate keeps its first position.
    for (let c = m - 1; c >= 0; c--) slot[candidates[c] as number] = c + 1;
    const outW = new Float64Array(m);
    const inW = new Float64Array(m);
    const bestScore = new Float64Array(m);
    const best: (number | undefined)[] = new Array(m).fill(undefined);
    let r = 1 / recency;
    let rows = 0;
    for (let p = history.length - 1; p >= 0 && rows < maxHistory; p--) {
      const h = history[p] as number;
      const ch = this.#pairs.total(h);
      if (ch === 0) continue;
      rows++;
      r *= recency;
      const norm = ch ** alpha;
      outW.fill(0);
      inW.fill(0);
      const out = this.#pairs.outRow(h);
      if (out)
        for (let q = 0, end = Math.min(out.items.length, maxNeighbors); q < end; q++) {
          const c = slot[out.items[q] as number] as number;
          if (c !== 0) outW[c - 1] = out.units[q] as number;
        }
      const into = backward === 0 ? undefined : this.#pairs.inRow(h);
      if (into)
        for (let q = 0, end = Math.min(into.items.length, maxNeighbors); q < end; q++) {
          const c = slot[into.items[q] as number] as number;
          if (c !== 0) inW[c - 1] = into.units[q] as number;
        }
      for (let c = 0; c < m; c++) {
        const s = (r * ((outW[c] as number) + backward * (inW[c] as number))) / norm;
        if (s > (bestScore[c] as number)) {
          bestScore[c] = s;
          best[c] = h;
        }
      }
    }
    for (let c = 0; c < m; c++) {
      // A repeated candidate gets the answer of its first position.
      const first = (slot[candidates[c] as number] as number) - 1;
      if (first !== c) best[c] = best[first];
    }
    for (let c = 0; c < m; c++) slot[candidates[c] as number] = 0;
    return best;
  }

  /** Canonical state for equality checks in tests. */
  snapshot(): unknown {
    const trails = [...this.#trails.keys()].sort();
    return { trails, ...this.#pairs.snapshot((i) => this.items.idOf(i)) };
  }
}
