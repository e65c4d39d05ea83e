import { ItemIndex } from './item-index.ts';
import { topK } from './top-k.ts';
import type { InteractionEvent, Recommendation } from './types.ts';

/**
 * Settings of {@link NextBasketModel}.
 *
 * @example
 * new NextBasketModel({ groups: 7, withinDecay: 0.9, groupDecay: 0.7, neighbors: 300, alpha: 0.5 });
 */
export interface NextBasketOptions {
  /** The history is cut into this many groups of consecutive baskets (TIFU-KNN's m). */
  readonly groups: number;
  /** Within a group, a basket `j` places before the group's last weighs `withinDecay^j`. */
  readonly withinDecay: number;
  /** A group `g` places before the last group weighs `groupDecay^g`. */
  readonly groupDecay: number;
  /** Number of nearest neighbours (by cosine of the history vectors). */
  readonly neighbors: number;
  /** Weight of the subject's own repeat vector; neighbours get `1 - alpha`. */
  readonly alpha: number;
  /** Neighbours' contributions are weighted by `similarity^neighborPower` (0 = plain mean, as in TIFU-KNN). */
  readonly neighborPower: number;
}

/**
 * Defaults chosen on the Ta-Feng validation users.
 *
 * @example
 * new NextBasketModel({ ...DEFAULT_NEXT_BASKET_OPTIONS, neighbors: 100 });
 */
export const DEFAULT_NEXT_BASKET_OPTIONS: NextBasketOptions = Object.freeze({
  groups: 7,
  withinDecay: 1,
  groupDecay: 0.9,
  neighbors: 600,
  alpha: 0.3,
  neighborPower: 0,
});

interface SubjectBaskets {
  readonly order: string[];
  readonly baskets: Map<string, number[]>;
}

/**
 * Splits `n` consecutive baskets into at most `groups` groups the way
 * TIFU-KNN does: fewer baskets than groups → one basket per group; otherwise
 * equal groups with the remainder spread over the last groups.
 *
 * @example
 * groupBounds(5, 2); // [[0, 2], [2, 5]]
 */
export function groupBounds(n: number, groups: number): [number, number][] {
  if (n <= groups) return Array.from({ length: n }, (_, i) => [i, i + 1] as [number, number]);
  const base = Math.floor(n / groups);
  const extra = n - base * groups;
  const out: [number, number][] = [];
  let start = 0;
  for (let g = 0; g < groups; g++) {
    const size = g < groups - extra ? base : base + 1;
    out.push([start, start + size]);
    start += size;
  }
  return out;
}

/**
 * The TIFU-KNN history vector of a list of baskets: a time-decayed,
 * group-decayed frequency of each item (item index → weight).
 *
 * @example
 * historyVector([[1], [1, 2]], { groups: 7, withinDecay: 0.9, groupDecay: 0.5 }); // Map { 1 => 0.75, 2 => 0.5 }
 */
export function historyVector(
  baskets: readonly (readonly number[])[],
  options: Pick<NextBasketOptions, 'groups' | 'withinDecay' | 'groupDecay'>,
): Map<number, number> {
  const vector = new Map<number, number>();
  const bounds = groupBounds(baskets.length, options.groups);
  const g = bounds.length;
  for (let idx = 0; idx < g; idx++) {
    const [from, to] = bounds[idx] as [number, number];
    const size = to - from;
    const groupWeight = options.groupDecay ** (g - 1 - idx) / g;
    for (let j = from; j < to; j++) {
      const w = (groupWeight * options.withinDecay ** (to - 1 - j)) / size;
      for (const item of new Set(baskets[j] as readonly number[])) vector.set(item, (vector.get(item) ?? 0) + w);
    }
  }
  return vector;
}

/**
 * Next-basket prediction for repeat shopping (groceries, consumables), in the
 * style of TIFU-KNN (Hu et al., SIGIR 2020): a subject's own time-decayed
 * repeat frequencies blended with the vectors of the subjects whose histories
 * are most similar.
 *
 * A subject's data only ever lives in their own vector, so `removeSubject` is
 * exact by construction.
 *
 * @example
 * const model = new NextBasketModel();
 * model.add({ subjectId: "s1", itemId: "milk", kind: "purchase", at: 1, basketId: "o1" });
 * model.add({ subjectId: "s1", itemId: "bread", kind: "purchase", at: 1, basketId: "o1" });
 * model.nextBasketFor("s1", 10); // [{ itemId: "bread", …, reason: { kind: "repeat_purchase", anchor: "bread" } }, …]
 */
export class NextBasketModel {
  readonly items: ItemIndex;
  options: NextBasketOptions;
  readonly #subjects = new Map<string, SubjectBaskets>();
  readonly #vectors = new Map<string, Map<number, number>>();
  /** Subjects get a dense slot for fast similarity accumulation; slots are not reused. */
  readonly #slots = new Map<string, number>();
  readonly #slotVectors: (Map<number, number> | undefined)[] = [];
  #norms = new Float64Array(16);
  readonly #postings = new Map<number, Map<number, number>>();
  readonly #dirty = new Set<string>();
  #dots = new Float64Array(16);
  #scratch = new Float64Array(0);
  /** Array copies of the postings for fast scans; rebuilt after any change. */
  #compact: Map<number, { slots: Int32Array; weights: Float64Array }> | undefined;
  readonly #slotArrays: ({ items: Int32Array; weights: Float64Array } | undefined)[] = [];

  constructor(options: Partial<NextBasketOptions> & { items?: ItemIndex } = {}) {
    const { items, ...rest } = options;
    this.items = items ?? new ItemIndex();
    this.options = { ...DEFAULT_NEXT_BASKET_OPTIONS, ...rest };
  }

  /** Records one purchase (or add-to-cart); views are ignored. */
  add(event: InteractionEvent): void {
    if (event.kind === 'view') return;
    this.#addToBasket(event.subjectId, event.basketId ?? `@${event.at}`, this.items.intern(event.itemId));
  }

  /** Appends a whole basket of item indices to a subject's history; for bulk loading. */
  addBasket(subjectId: string, items: readonly number[]): void {
    const subject = this.#subject(subjectId);
    const key = `#${subject.order.length}`;
    subject.baskets.set(key, [...new Set(items)]);
    subject.order.push(key);
    this.#dirty.add(subjectId);
  }

  #subject(subjectId: string): SubjectBaskets {
    let subject = this.#subjects.get(subjectId);
    if (!subject) {
      subject = { order: [], baskets: new Map() };
      this.#subjects.set(subjectId, subject);
    }
    return subject;
  }

  #addToBasket(subjectId: string, basketKey: string, item: number): void {
    const subject = this.#subject(subjectId);
    let basket = subject.baskets.get(basketKey);
    if (!basket) {
      basket = [];
      subject.baskets.set(basketKey, basket);
      subject.order.push(basketKey);
    }
    if (!basket.includes(item)) basket.push(item);
    this.#dirty.add(subjectId);
  }

  /** Removes every contribution of the subject (exact: it only ever lived in its own vector); false when it never saw them. */
  removeSubject(subjectId: string): boolean {
    this.#unindex(subjectId);
    this.#dirty.delete(subjectId);
    return this.#subjects.delete(subjectId);
  }

  /** Changes the settings; vectors are recomputed on the next query. */
  configure(options: Partial<NextBasketOptions>): void {
    this.options = { ...this.options, ...options };
    for (const s of this.#subjects.keys()) this.#dirty.add(s);
  }

  #unindex(subjectId: string): void {
    const old = this.#vectors.get(subjectId);
    if (!old) return;
    const slot = this.#slots.get(subjectId) as number;
    for (const item of old.keys()) {
      const posting = this.#postings.get(item);
      posting?.delete(slot);
      if (posting?.size === 0) this.#postings.delete(item);
    }
    this.#vectors.delete(subjectId);
    this.#slotVectors[slot] = undefined;
    this.#slotArrays[slot] = undefined;
    this.#norms[slot] = 0;
    this.#compact = undefined;
  }

  #refresh(): void {
    if (this.#dirty.size > 0) this.#compact = undefined;
    for (const s of this.#dirty) {
      this.#unindex(s);
      const subject = this.#subjects.get(s);
      if (!subject || subject.order.length === 0) continue;
      const vector = historyVector(
        subject.order.map((k) => subject.baskets.get(k) ?? []),
        this.options,
      );
      let slot = this.#slots.get(s);
      if (slot === undefined) {
        slot = this.#slots.size;
        this.#slots.set(s, slot);
        if (slot >= this.#norms.length) {
          const grown = new Float64Array(this.#norms.length * 2);
          grown.set(this.#norms);
          this.#norms = grown;
          this.#dots = new Float64Array(grown.length);
        }
      }
      let norm = 0;
      for (const [item, w] of vector) {
        norm += w * w;
        let posting = this.#postings.get(item);
        if (!posting) {
          posting = new Map();
          this.#postings.set(item, posting);
        }
        posting.set(slot, w);
      }
      this.#vectors.set(s, vector);
      this.#slotVectors[slot] = vector;
      this.#slotArrays[slot] = { items: Int32Array.from(vector.keys()), weights: Float64Array.from(vector.values()) };
      this.#norms[slot] = Math.sqrt(norm);
    }
    this.#dirty.clear();
    if (!this.#compact) {
      this.#compact = new Map();
      for (const [item, posting] of this.#postings) {
        this.#compact.set(item, {
          slots: Int32Array.from(posting.keys()),
          weights: Float64Array.from(posting.values()),
        });
      }
    }
  }

  /**
   * Adds the scores of a history of baskets into `scores` (one slot per
   * item, zeroed by the caller), pushing newly touched items to `touched`:
   * `alpha` × own vector + `(1 - alpha)` × the (similarity-weighted) mean of
   * the nearest neighbours' vectors. `self` is left out of the neighbours.
   * Returns the subject's own vector so callers can tell repeat items apart.
   */
  scoreInto(
    baskets: readonly (readonly number[])[],
    self: string | undefined,
    scores: Float64Array,
    touched: number[],
  ): Map<number, number> {
    this.#refresh();
    const { alpha, neighbors, neighborPower } = this.options;
    const own = historyVector(baskets, this.options);
    let ownNorm = 0;
    for (const w of own.values()) ownNorm += w * w;
    ownNorm = Math.sqrt(ownNorm);
    const selfSlot = self === undefined ? -1 : (this.#slots.get(self) ?? -1);
    const dots = this.#dots;
    const near: number[] = [];
    const compact = this.#compact as Map<number, { slots: Int32Array; weights: Float64Array }>;
    for (const [item, w] of own) {
      const posting = compact.get(item);
      if (!posting) continue;
      const { slots, weights } = posting;
      for (let p = 0; p < slots.length; p++) {
        const slot = slots[p] as number;
        if (slot === selfSlot) continue;
        if (dots[slot] === 0) near.push(slot);
        dots[slot] = (dots[slot] as number) + w * (weights[p] as number);
      }
    }
    for (const slot of near) dots[slot] = (dots[slot] as number) / (ownNorm * (this.#norms[slot] as number));
    const best = topK(dots, neighbors, near, (slot) => !((dots[slot] as number) > 0));
    const top: [number, number][] = best.map((slot) => [slot, dots[slot] as number]);
    for (const slot of near) dots[slot] = 0;
    const add = (item: number, value: number): void => {
      if (scores[item] === 0) touched.push(item);
      scores[item] = (scores[item] as number) + value;
    };
    for (const [item, w] of own) add(item, alpha * w);
    if (top.length > 0 && alpha < 1) {
      let total = 0;
      for (const [, sim] of top) total += neighborPower === 0 ? 1 : sim ** neighborPower;
      for (const [slot, sim] of top) {
        const weight = ((1 - alpha) * (neighborPower === 0 ? 1 : sim ** neighborPower)) / total;
        const vector = this.#slotArrays[slot];
        if (!vector) continue;
        for (let p = 0; p < vector.items.length; p++)
          add(vector.items[p] as number, weight * (vector.weights[p] as number));
      }
    }
    return own;
  }

  /** Map form of {@link scoreInto}: item index → score, and the subject's own vector. */
  scoreBaskets(
    baskets: readonly (readonly number[])[],
    self?: string,
  ): { scores: Map<number, number>; personal: Map<number, number> } {
    const dense = new Float64Array(this.items.size);
    const touched: number[] = [];
    const personal = this.scoreInto(baskets, self, dense, touched);
    const scores = new Map<number, number>();
    for (const i of touched) scores.set(i, dense[i] as number);
    return { scores, personal };
  }

  /**
   * The k items most likely in the subject's next basket. Repeat items are
   * explained as `repeat_purchase`, the others as `bought_by_similar_shoppers`.
   *
   * @example
   * model.nextBasketFor("s1", 10);
   */
  nextBasketFor(subjectId: string, k: number): Recommendation[] {
    const subject = this.#subjects.get(subjectId);
    if (!subject) return [];
    const baskets = subject.order.map((key) => subject.baskets.get(key) ?? []);
    if (this.#scratch.length < this.items.size) this.#scratch = new Float64Array(this.items.size);
    const scores = this.#scratch;
    const touched: number[] = [];
    const personal = this.scoreInto(baskets, subjectId, scores, touched);
    const best = topK(scores, k, touched, (j) => !((scores[j] as number) > 0), this.items.compareIds);
    const out = best.map((j) => {
      const itemId = this.items.idOf(j);
      return {
        itemId,
        score: scores[j] as number,
        reason: personal.has(j)
          ? { kind: 'repeat_purchase' as const, anchor: itemId }
          : { kind: 'bought_by_similar_shoppers' as const },
      };
    });
    for (const j of touched) scores[j] = 0;
    return out;
  }

  #nameOf(slot: number): string {
    for (const [s, i] of this.#slots) if (i === slot) return s;
    return '?';
  }

  /** Canonical state for equality checks in tests. */
  snapshot(): unknown {
    this.#refresh();
    const subjects = [...this.#subjects]
      .map(
        ([s, b]) => [s, b.order.map((k) => [k, [...(b.baskets.get(k) ?? [])].map((i) => this.items.idOf(i))])] as const,
      )
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const postings = [...this.#postings]
      .flatMap(([i, m]) => [...m].map(([slot, w]) => [this.items.idOf(i), this.#nameOf(slot), w] as const))
      .sort((a, b) => (a[0] + '\u0000' + a[1] < b[0] + '\u0000' + b[1] ? -1 : 1));
    return { subjects, postings };
  }
}
