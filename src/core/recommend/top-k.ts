/**
 * Selects the `k` best entries of a score array without sorting everything.
 *
 * Ties are broken by `tieBreak` (negative when `a` should come first), by
 * default the smaller index, so answers are deterministic.
 * `candidates` restricts the search to the listed indices (the items that
 * received any score); without it every index is considered.
 *
 * @example
 * topK(Float64Array.of(0.1, 0.9, 0.5), 2); // [1, 2]
 */
export function topK(
  scores: Float64Array,
  k: number,
  candidates?: ArrayLike<number>,
  skip?: (index: number) => boolean,
  tieBreak?: (a: number, b: number) => number,
): number[] {
  if (k <= 0) return [];
  // Min-heap of the current best k (worst at the root). The helpers are
  // module functions rather than closures made per call: a personal decision
  // runs several top-k selections, and each closure made is an allocation
  // (and, under tsx, a call that names it).
  const heap: number[] = [];
  if (candidates)
    for (let c = 0; c < candidates.length; c++) consider(heap, k, scores, candidates[c] as number, skip, tieBreak);
  else for (let i = 0; i < scores.length; i++) consider(heap, k, scores, i, skip, tieBreak);
  // Best first: the heap gives up its worst entry each time, so the list fills from the end.
  const out = new Array<number>(heap.length);
  for (let n = heap.length - 1; n >= 0; n--) {
    out[n] = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown(heap, scores, tieBreak, 0);
    }
  }
  return out;
}

/** Whether entry `a` ranks below entry `b` (lower score, or a tie that `tieBreak` or the index puts after). */
function worse(
  scores: Float64Array,
  tieBreak: ((a: number, b: number) => number) | undefined,
  a: number,
  b: number,
): boolean {
  const sa = scores[a] ?? 0;
  const sb = scores[b] ?? 0;
  return sa < sb || (sa === sb && (tieBreak ? tieBreak(a, b) > 0 : a > b));
}

function siftDown(
  heap: number[],
  scores: Float64Array,
  tieBreak: ((a: number, b: number) => number) | undefined,
  start: number,
): void {
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && worse(scores, tieBreak, heap[l] as number, heap[m] as number)) m = l;
    if (r < heap.length && worse(scores, tieBreak, heap[r] as number, heap[m] as number)) m = r;
    if (m === i) return;
    const t = heap[i] as number;
    heap[i] = heap[m] as number;
    heap[m] = t;
    i = m;
  }
}

function consider(
  heap: number[],
  k: number,
  scores: Float64Array,
  index: number,
  skip: ((index: number) => boolean) | undefined,
  tieBreak: ((a: number, b: number) => number) | undefined,
): void {
  // A full heap keeps only what beats its worst entry: a strictly lower
  // score is refused before `skip` (often a set lookup) is asked. Most
  // candidates of a personal query end here.
  if (heap.length === k && (scores[index] ?? 0) < (scores[heap[0] as number] ?? 0)) return;
  if (skip?.(index)) return;
  if (heap.length < k) {
    heap.push(index);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(scores, tieBreak, heap[i] as number, heap[p] as number)) break;
      const t = heap[i] as number;
      heap[i] = heap[p] as number;
      heap[p] = t;
      i = p;
    }
  } else if (worse(scores, tieBreak, heap[0] as number, index)) {
    heap[0] = index;
    siftDown(heap, scores, tieBreak, 0);
  }
}

/** Where scoring functions record the indices they gave a first score to. */
export interface TouchedSink {
  push(index: number): void;
}

/**
 * A reusable list of touched indices: unlike an array emptied with
 * `length = 0` (which gives its storage back, so the next query grows it
 * again), it keeps its capacity between queries.
 *
 * @example
 * const touched = new TouchedList();
 * touched.push(3); touched.indices(); // Int32Array [3]
 * touched.clear();
 */
export class TouchedList implements TouchedSink {
  #items = new Int32Array(1024);
  #size = 0;

  push(index: number): void {
    if (this.#size === this.#items.length) {
      const grown = new Int32Array(this.#items.length * 2);
      grown.set(this.#items);
      this.#items = grown;
    }
    this.#items[this.#size++] = index;
  }

  /** The indices pushed since the last {@link clear}, in order (a view, valid until the next push or clear). */
  indices(): Int32Array {
    return this.#items.subarray(0, this.#size);
  }

  clear(): void {
    this.#size = 0;
  }
}
