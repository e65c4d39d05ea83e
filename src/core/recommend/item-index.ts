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
   */
  readonly compareIds = (a: number, b: number): number => {
    const x = this.idOf(a);
    const y = this.idOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

  /** Returns the id at `index`; throws on an unknown index. */
  idOf(index: number): string {
    const id = this.#ids[index];
    if (id === undefined) throw new RangeError(`unknown item index ${index}`);
    return id;
  }
}
