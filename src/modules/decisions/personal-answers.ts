import type { CatalogItem, InteractionKind, Scored } from '../../core/decision/types.ts';
import type { IndexedRecommendation, Recommender } from '../../core/recommend/recommender.ts';

/** A history as the pipeline hands it to the personal source, oldest first. */
export type PersonalHistory = readonly { readonly itemId: string; readonly kind: InteractionKind }[];

/**
 * How many answers are kept at most (each about 1-2 KB with its key): past
 * it they are all dropped and kept again as asked, and {@link
 * PersonalAnswers.warm} stops keeping more.
 */
const MAX_KEPT = 100_000;

const KIND_CODE: Record<InteractionKind, string> = { view: 'v', cart: 'c', purchase: 'p' };

/**
 * The key of a history. Item ids hold no control characters
 * (catalog/item-input.ts), and a history only holds catalog items, so the
 * separators cannot occur inside an id: equal keys mean equal histories.
 */
function keyOf(history: PersonalHistory): string {
  let key = '';
  for (let i = 0; i < history.length; i++) {
    const h = history[i] as PersonalHistory[number];
    key += `${h.itemId}\u0002${KIND_CODE[h.kind]}\u0001`;
  }
  return key;
}

/**
 * An answer as numbers, three per item (its index, its score, its anchor's
 * index or -1): a few hundred bytes instead of thirty objects. Undefined when
 * an item or an anchor has no index (then it is not kept).
 */
function pack(answers: readonly IndexedRecommendation[], rec: Recommender): Float64Array | undefined {
  const packed = new Float64Array(answers.length * 3);
  for (let n = 0; n < answers.length; n++) {
    const r = answers[n] as IndexedRecommendation;
    const anchor = 'anchor' in r.reason ? r.reason.anchor : undefined;
    const anchorIndex = anchor === undefined ? -1 : rec.items.findIndex(anchor);
    if (r.index < 0 || anchorIndex === undefined) return undefined;
    packed[3 * n] = r.index;
    packed[3 * n + 1] = r.score;
    packed[3 * n + 2] = anchorIndex;
  }
  return packed;
}

/**
 * The personal model's answers for the histories it was asked about, kept
 * as of one version of the models. The answer to a history is a pure
 * function of the models and the history, so a kept one is exact while the
 * models' version is unchanged; every change to them (a learned event, an
 * erasure, new attributes) drops them all. The answer for k items is the
 * start of the answer for more (Recommender.recommendForHistory), so an
 * answer kept for a slate serves every smaller one. Scoring a history was about a
 * quarter of a decision's CPU on the Sports data (docs/adr/0006, stop 23);
 * the answers of the histories the models were built from are computed
 * with them ({@link warm}).
 *
 * Keyed by the history, not by the subject's id. The keys are personal
 * data all the same: the decision service drops them all when a subject's
 * contribution leaves the models (an erasure, a withdrawn consent).
 *
 * @example
 * const answers = new PersonalAnswers(rec);
 * answers.answer([{ itemId: 'coat', kind: 'purchase' }], 30, entries); // [{ itemId: 'scarf', score, anchor: 'coat', item }, …]
 */
export class PersonalAnswers {
  readonly #rec: Recommender;
  /** By history: the depth it was computed for, and its answer packed (see {@link pack}). */
  readonly #kept = new Map<string, { k: number; packed: Float64Array }>();
  #version: number;

  constructor(rec: Recommender) {
    this.#rec = rec;
    this.#version = rec.version;
  }

  /** How many answers are kept now. */
  get size(): number {
    this.#current();
    return this.#kept.size;
  }

  /**
   * The model's top `k` for `history` with their catalog entries (`entries`,
   * by the model's item index), kept or computed.
   */
  answer(history: PersonalHistory, k: number, entries: readonly (CatalogItem | undefined)[]): Scored[] {
    this.#current();
    const key = keyOf(history);
    let packed = this.#serving(key, k);
    if (packed === undefined) {
      const answers = this.#rec.recommendForHistoryIndexed(history, k);
      packed = this.#keep(key, k, answers);
      if (packed === undefined)
        return answers.map((r) =>
          scored(r.itemId, r.score, 'anchor' in r.reason ? r.reason.anchor : undefined, entries[r.index]),
        );
    }
    const { items } = this.#rec;
    const out: Scored[] = new Array(Math.min(k, packed.length / 3));
    for (let n = 0; n < out.length; n++) {
      const index = packed[3 * n] as number;
      const anchor = packed[3 * n + 2] as number;
      out[n] = scored(
        items.idOf(index),
        packed[3 * n + 1] as number,
        anchor < 0 ? undefined : items.idOf(anchor),
        entries[index],
      );
    }
    return out;
  }

  /**
   * Computes and keeps the answer of `k` items for `history` now, so that
   * the decision that asks finds it; false once as many are kept as may be
   * (nothing is dropped to make room).
   */
  warm(history: PersonalHistory, k: number): boolean {
    this.#current();
    if (this.#kept.size >= MAX_KEPT) return false;
    const key = keyOf(history);
    if (this.#serving(key, k) === undefined) this.#keep(key, k, this.#rec.recommendForHistoryIndexed(history, k));
    return true;
  }

  /** Drops every kept answer (an erasure drops them at once, not at the next decision). */
  clear(): void {
    this.#kept.clear();
    this.#version = this.#rec.version;
  }

  /**
   * The kept answer for a history's key when it serves `k` items: kept for
   * at least k, or for fewer and shorter than asked then (the model had no
   * more to give). Undefined otherwise.
   */
  #serving(key: string, k: number): Float64Array | undefined {
    const kept = this.#kept.get(key);
    return kept !== undefined && (kept.k >= k || kept.packed.length / 3 < kept.k) ? kept.packed : undefined;
  }

  /** Drops what was kept for an older version of the models. */
  #current(): void {
    if (this.#version !== this.#rec.version) this.clear();
  }

  #keep(key: string, k: number, answers: readonly IndexedRecommendation[]): Float64Array | undefined {
    const packed = pack(answers, this.#rec);
    if (packed === undefined) return undefined;
    if (this.#kept.size >= MAX_KEPT) this.#kept.clear();
    this.#kept.set(key, { k, packed });
    return packed;
  }
}

/** A source's entry, with `anchor` only when there is one (as the other sources make them). */
function scored(itemId: string, score: number, anchor: string | undefined, item: CatalogItem | undefined): Scored {
  return anchor === undefined ? { itemId, score, item } : { itemId, score, anchor, item };
}
