import { addTo } from './exact-weight.ts';

/**
 * One row of pair weights as parallel arrays: `units[n]` is the weight towards `items[n]`.
 *
 * @example
 * const row = pairs.outRow(0); if (row) for (let n = 0; n < row.items.length; n++) console.log(row.items[n], row.units[n]);
 */
export interface CompactRow {
  readonly items: Int32Array;
  readonly units: Float64Array;
}

/** A copy of `a` without its entry at `at`. */
function withoutAt<T extends Int32Array | Float64Array>(a: T, at: number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length - 1);
  out.set(a.subarray(0, at));
  out.set(a.subarray(at + 1), at);
  return out;
}

/** A copy of `a` with `value` inserted at `at`. */
function withAt<T extends Int32Array | Float64Array>(a: T, at: number, value: number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length + 1);
  out.set(a.subarray(0, at));
  out[at] = value;
  out.set(a.subarray(at), at + 1);
  return out;
}

/**
 * A table by item index: a plain array, grown with explicit `undefined`
 * entries so that it keeps fast elements. Queries read rows and totals by
 * index a few hundred times each; a `Map` by number cost a hash lookup each
 * time (about 5 % of a personal query's time on the Sports data).
 */
function setAt<T>(table: (T | undefined)[], i: number, value: T | undefined): void {
  while (table.length <= i) table.push(undefined);
  table[i] = value;
}

/**
 * Sparse directed pair weights (`i → j`) and per-item totals, kept in integer
 * fixed-point units (see `exact-weight.ts`) so that every update can be undone
 * exactly. Both directions are indexed: `outRow(i)` lists `j` with `i → j`,
 * `inRow(j)` lists `i` with `i → j`.
 *
 * While a model is built, each row is also a `Map`, so that adding a pair is
 * one hash update; {@link PairCounts.compactAll} then keeps the array rows
 * alone (on the Sports data the maps were 212 of the 737 MB used in a server
 * process's old space, and every young-generation collection visits the
 * header of every old-space page).
 *
 * @example
 * const pc = new PairCounts();
 * pc.addPair(0, 1, 3);
 * pc.weight(0, 1); // 3
 * pc.addPair(0, 1, -3);
 * pc.outRow(0); // undefined
 */
export class PairCounts {
  /** Pair weights by source item (`i → j`), and by target item; indices are ≥ 0. Emptied by {@link compactAll}. */
  readonly #out: (Map<number, number> | undefined)[] = [];
  readonly #in: (Map<number, number> | undefined)[] = [];
  /** Totals by item; the map keeps their insertion order for {@link items} and negative keys (callers' own counters). */
  readonly #totals = new Map<number, number>();
  /** The same totals by index ≥ 0, 0 when none, for reads on every query. */
  #totalAt = new Float64Array(0);
  #grandTotal = 0;
  /**
   * Rows as arrays for fast scans, heaviest first: copies of the maps, kept
   * in step as the rows change, until {@link compactAll} makes them the only copy.
   */
  readonly #outRows: (CompactRow | undefined)[] = [];
  readonly #inRows: (CompactRow | undefined)[] = [];
  readonly #tieBreak: (a: number, b: number) => number;
  /** Whether the maps are gone and the array rows are the only copy ({@link compactAll}). */
  #compactOnly = false;

  /** Adds `units` (may be negative) to the weight of `i → j`. */
  addPair(i: number, j: number, units: number): void {
    if (units === 0) return;
    if (this.#compactOnly) {
      // The pair's place in its row is searched once, for the old weight and the update.
      const row = this.#outRows[i];
      const at = row ? row.items.indexOf(j) : -1;
      const weight = (at === -1 ? 0 : (row?.units[at] as number)) + units;
      this.#update(this.#outRows, i, j, weight, at);
      this.#update(this.#inRows, j, i, weight);
      return;
    }
    PairCounts.#bump(this.#out, i, j, units);
    PairCounts.#bump(this.#in, j, i, units);
    const weight = this.#out[i]?.get(j) ?? 0;
    this.#update(this.#outRows, i, j, weight);
    this.#update(this.#inRows, j, i, weight);
  }

  /**
   * Brings the array row `i`, if built, in step with the new weight of its
   * entry `j` (0: gone); without maps, a missing row is an empty one and is
   * made for its first pair. The entry moves to its place instead
   * of dropping the copy: built again, a popular item's row (thousands of
   * entries) was sorted whole on its next read, and a query after each
   * learned event cost about ten times one without (Sports data, in process:
   * 1.9 ms instead of 0.19). The order is total (weight, then the
   * tie-breaker), so the row is exactly what sorting it would give. `at` is
   * where `j` is in the row (-1: not in it), when the caller knows.
   */
  #update(
    cache: (CompactRow | undefined)[],
    i: number,
    j: number,
    weight: number,
    at = cache[i]?.items.indexOf(j) ?? -1,
  ): void {
    const row = cache[i];
    if (!row) {
      // Without maps, a missing row is an empty one; with them, one not built yet.
      if (this.#compactOnly && weight !== 0)
        setAt(cache, i, { items: Int32Array.of(j), units: Float64Array.of(weight) });
      return;
    }
    const { items, units } = row;
    if (at === -1 && weight === 0) return;
    if (at !== -1 && weight === 0) {
      cache[i] = items.length === 1 ? undefined : { items: withoutAt(items, at), units: withoutAt(units, at) };
      return;
    }
    const tie = this.#tieBreak;
    /** Whether (`w`, `item`) comes before position `n` of the row. */
    const before = (w: number, item: number, n: number) =>
      w > (units[n] as number) || (w === units[n] && tie(item, items[n] as number) < 0);
    if (at === -1) {
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(weight, j, mid)) hi = mid;
        else lo = mid + 1;
      }
      cache[i] = { items: withAt(items, lo, j), units: withAt(units, lo, weight) };
      return;
    }
    let n = at;
    while (n > 0 && before(weight, j, n - 1)) {
      items[n] = items[n - 1] as number;
      units[n] = units[n - 1] as number;
      n--;
    }
    while (n < items.length - 1 && !before(weight, j, n + 1)) {
      items[n] = items[n + 1] as number;
      units[n] = units[n + 1] as number;
      n++;
    }
    items[n] = j;
    units[n] = weight;
  }

  /**
   * @param tieBreak orders items of equal weight in compact rows (by item id,
   *   so that the order never depends on which subject introduced an item).
   */
  constructor(tieBreak: (a: number, b: number) => number = (a, b) => a - b) {
    this.#tieBreak = tieBreak;
  }

  /** The pairs leaving `i` as parallel arrays, heaviest first (cached, kept in step with changes), or undefined. */
  outRow(i: number): CompactRow | undefined {
    return this.#compact(this.#out, this.#outRows, i);
  }

  /** The pairs arriving at `j` as parallel arrays, heaviest first (cached, kept in step with changes), or undefined. */
  inRow(j: number): CompactRow | undefined {
    return this.#compact(this.#in, this.#inRows, j);
  }

  #compact(
    rows: readonly (Map<number, number> | undefined)[],
    cache: (CompactRow | undefined)[],
    i: number,
  ): CompactRow | undefined {
    let row = cache[i];
    if (row) return row;
    const source = rows[i];
    if (!source) return undefined;
    // Heaviest pairs first (ties by the tie-breaker), so callers may read only a prefix.
    const tie = this.#tieBreak;
    const entries = [...source].sort((a, b) => b[1] - a[1] || tie(a[0], b[0]));
    row = { items: Int32Array.from(entries, (e) => e[0]), units: Float64Array.from(entries, (e) => e[1]) };
    setAt(cache, i, row);
    return row;
  }

  /** Adds `units` (may be negative) to the total of item `i`. */
  addTotal(i: number, units: number): void {
    if (units === 0) return;
    addTo(this.#totals, i, units);
    if (i >= 0) {
      if (i >= this.#totalAt.length) {
        const grown = new Float64Array(Math.max(i + 1, 2 * this.#totalAt.length, 1024));
        grown.set(this.#totalAt);
        this.#totalAt = grown;
      }
      this.#totalAt[i] = this.#totals.get(i) ?? 0;
    }
    this.#grandTotal += units;
  }

  /**
   * Builds the array row of every item in both directions and drops the
   * maps: from then on, changes edit the array rows (a linear search of the
   * row for the pair, as keeping the rows in step already did), and nothing
   * is held twice. Answers are the same before and after.
   *
   * @example
   * pc.compactAll(); // once the model is built
   */
  compactAll(): void {
    if (this.#compactOnly) return;
    for (let i = 0; i < this.#out.length; i++) this.outRow(i);
    for (let j = 0; j < this.#in.length; j++) this.inRow(j);
    this.#out.length = 0;
    this.#in.length = 0;
    this.#compactOnly = true;
  }

  /** The weight of `i → j` (0 when none); without maps, a linear search of row `i`. */
  weight(i: number, j: number): number {
    return this.#compactOnly ? PairCounts.#weightIn(this.#outRows[i], j) : (this.#out[i]?.get(j) ?? 0);
  }

  static #weightIn(row: CompactRow | undefined, j: number): number {
    const at = row ? row.items.indexOf(j) : -1;
    return at === -1 ? 0 : ((row as CompactRow).units[at] as number);
  }

  /** Total units of item `i` (0 when unknown). */
  total(i: number): number {
    return i >= 0 ? (this.#totalAt[i] ?? 0) : (this.#totals.get(i) ?? 0);
  }

  /** Sum of all item totals. */
  get grandTotal(): number {
    return this.#grandTotal;
  }

  /** Every item with a non-zero total. */
  items(): IterableIterator<[number, number]> {
    return this.#totals.entries();
  }

  /** Number of stored directed pairs. */
  get pairCount(): number {
    let n = 0;
    if (this.#compactOnly) for (const row of this.#outRows) n += row?.items.length ?? 0;
    else for (const row of this.#out) n += row?.size ?? 0;
    return n;
  }

  /**
   * A canonical, order-independent description of the state, for equality
   * checks in tests: sorted `[i, j, units]` triples and `[i, units]` totals,
   * with indices mapped through `name` so different index orders compare equal.
   */
  snapshot(name: (i: number) => string): { pairs: [string, string, number][]; totals: [string, number][] } {
    const pairs: [string, string, number][] = [];
    if (this.#compactOnly)
      this.#outRows.forEach((row, i) => {
        for (let n = 0; n < (row?.items.length ?? 0); n++)
          pairs.push([name(i), name(row?.items[n] as number), row?.units[n] as number]);
      });
    else
      this.#out.forEach((row, i) => {
        for (const [j, u] of row ?? []) pairs.push([name(i), name(j), u]);
      });
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const totals: [string, number][] = [...this.#totals].map(([i, u]) => [name(i), u]);
    totals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { pairs, totals };
  }

  static #bump(table: (Map<number, number> | undefined)[], a: number, b: number, units: number): void {
    let row = table[a];
    if (!row) {
      row = new Map();
      setAt(table, a, row);
    }
    addTo(row, b, units);
    if (row.size === 0) table[a] = undefined;
  }
}
