/**
 * A two-way map between external item ids and dense integer indices.
 *
 * Indices are never reused or removed: an item id is catalog data, not
 * personal data, so keeping it after a subject is erased reveals nothing.
 *
 * @example
 * const index = new ItemIndex();
 * const i = index.intern("sku-1"); // 0
 * index.findIndex("sku-1"); // 0
 * index.idOf(0); // "sku-1"
 */
export class ItemIndex {
  readonly #byId = new Map<string, number>();
  readonly #ids: string[] = [];

  /** rank[i]: position of index i in id order, for the first `#ranked` indices. */
  #rank = new Int32Array(0);
  /** Indices in id order (the inverse of #rank). */
  #sorted: number[] = [];
  #ranked = 0;

  /** Number of known items. */
  get size(): number {
    return this.#ids.length;
  }

  /** Returns the index of `id`, adding it when new. */
  intern(id: string): number {
    const found = this.#byId.get(id);
    if (found !== undefined) return found;
    const index = this.#ids.length;
    this.#byId.set(id, index);
    this.#ids.push(id);
    return index;
  }

  /** Returns the index of `id`, or undefined when unknown. */
  findIndex(id: string): number | undefined {
    return this.#byId.get(id);
  }

  /**
   * Orders two indices by their ids, so ties are broken the same way whatever
   * order the items were first seen in (erasing a subject must not change answers).
   *
   * Compares ranks (each index's position in id order) instead of the id
   * strings: top-k selections break every tie of equal scores with it, and
   * comparing strings was a third of their time (perf, decisions on the
   * Sports data). The ranks are built on the first comparison after items
   * were added: new items are put in their place one by one, or, when many
   * arrived (a model being built), everything is sorted again.
   */
  readonly compareIds = (a: number, b: number): number => {
    const rank = this.#ranked === this.#ids.length ? this.#rank : this.#rerank();
    if (a >= this.#ranked || b >= this.#ranked || a < 0 || b < 0) {
      // Unknown indices fail as idOf does.
      this.idOf(a);
      this.idOf(b);
    }
    return (rank[a] as number) - (rank[b] as number);
  };

  /** Brings the ranks up to date with the items added since they were built. */
  #rerank(): Int32Array {
    const n = this.#ids.length;
    const ids = this.#ids;
    const byId = (a: number, b: number) => {
      const x = ids[a] as string;
      const y = ids[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    if (this.#rank.length < n) {
      const grown = new Int32Array(Math.max(n, this.#rank.length * 2, 64));
      grown.set(this.#rank.subarray(0, this.#ranked));
      this.#rank = grown;
    }
    const rank = this.#rank;
    const sorted = this.#sorted;
    // A few new items: each put in its place, O(n) each. Many: one sort.
    if (n - this.#ranked > 64) {
      for (let i = this.#ranked; i < n; i++) sorted.push(i);
      sorted.sort(byId);
      for (let r = 0; r < n; r++) rank[sorted[r] as number] = r;
    } else {
      for (let i = this.#ranked; i < n; i++) {
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (byId(sorted[mid] as number, i) < 0) lo = mid + 1;
          else hi = mid;
        }
        sorted.splice(lo, 0, i);
        for (let r = lo; r < sorted.length; r++) rank[sorted[r] as number] = r;
      }
    }
    this.#ranked = n;
    return rank;
  }

  /** Returns the id at `index`; throws on an unknown index. */
  idOf(index: number): string {
    const id = this.#ids[index];
    if (id === undefined) throw new RangeError(`unknown item index ${index}`);
    return id;
  }
}
