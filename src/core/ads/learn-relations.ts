import type { CategoryRelation } from './types.ts';

/** Settings of {@link learnCategoryRelations}. */
export interface LearnRelationsOptions {
  /** A pair of categories must appear together in at least this many baskets (default 10): no one shopper shows through. */
  readonly minSupport?: number;
  /** Pseudo-count pulling the lift of rare pairs towards 1 (default 5), as the complements model does. */
  readonly shrink?: number;
  /** Keep the strongest relations from each category (default 10). */
  readonly maxPerCategory?: number;
}

/**
 * A category → category complement table learned from baskets, for
 * `PUT /v1/ads/relations`: the same category-level complementarity the
 * recommendation models compute (shrunk lift, `log((n + s) / (E + s))`, where
 * n counts baskets holding both categories and E is what independence would
 * give), normalized so the strongest relation from each category weighs 1.
 *
 * Its input is only the categories of each basket — no subject, no item, no
 * time — and a pair seen in fewer than `minSupport` baskets is dropped, so the
 * table is an aggregate that reveals no shopper. The batch job that feeds it
 * must read only purchases whose subjects consented to the purpose they were
 * collected for; the ad path itself never sees a basket.
 *
 * @example
 * learnCategoryRelations([['jewellery/rings', 'wedding/photography'], …], { minSupport: 10 });
 * // [{ from: 'jewellery/rings', to: 'wedding/photography', weight: 1 }, …]
 */
export function learnCategoryRelations(
  baskets: Iterable<readonly string[]>,
  options: LearnRelationsOptions = {},
): CategoryRelation[] {
  const minSupport = options.minSupport ?? 10;
  const shrink = options.shrink ?? 5;
  const maxPerCategory = options.maxPerCategory ?? 10;
  const totals = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  let n = 0;
  for (const basket of baskets) {
    const cats = [...new Set(basket)].sort();
    if (cats.length === 0) continue;
    n++;
    for (const c of cats) totals.set(c, (totals.get(c) ?? 0) + 1);
    for (let i = 0; i < cats.length; i++) {
      for (let j = i + 1; j < cats.length; j++) {
        const a = cats[i] as string;
        const b = cats[j] as string;
        if (b.startsWith(`${a}/`) || a.startsWith(`${b}/`)) continue; // a category and its own branch
        let row = pairs.get(a);
        if (!row) {
          row = new Map();
          pairs.set(a, row);
        }
        row.set(b, (row.get(b) ?? 0) + 1);
      }
    }
  }
  const lifts = new Map<string, [string, number][]>();
  const add = (from: string, to: string, lift: number) => {
    let row = lifts.get(from);
    if (!row) {
      row = [];
      lifts.set(from, row);
    }
    row.push([to, lift]);
  };
  for (const [a, row] of pairs) {
    for (const [b, together] of row) {
      if (together < minSupport) continue;
      const expected = ((totals.get(a) ?? 0) * (totals.get(b) ?? 0)) / n;
      const lift = Math.log((together + shrink) / (expected + shrink));
      if (lift <= 0) continue;
      add(a, b, lift);
      add(b, a, lift);
    }
  }
  const out: CategoryRelation[] = [];
  for (const [from, row] of [...lifts].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    row.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const top = row[0]?.[1] ?? 1;
    for (const [to, lift] of row.slice(0, maxPerCategory)) {
      out.push({ from, to, weight: Math.round((lift / top) * 1e4) / 1e4 });
    }
  }
  return out;
}
