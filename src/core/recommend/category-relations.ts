import { categoryAncestors } from '../taxonomy.ts';

/** Settings of {@link categoryRelations}. */
export interface CategoryRelationsOptions {
  /**
   * A pair of categories is published only when at least this many distinct
   * subjects bought both in one basket (default 10). One person can add at
   * most 1 to this count, however many baskets they have, so no relation
   * rests on fewer than this many people (a k-anonymity threshold).
   */
  readonly minSubjects?: number;
  /** Pseudo-count pulling the lift of rare pairs towards 1 (default 5), as the complements model does. */
  readonly shrink?: number;
  /** Keep the strongest relations from each category (default 10). */
  readonly maxPerCategory?: number;
  /** Categories never to relate (e.g. those of a sensitive class): dropped before counting. */
  readonly exclude?: (category: string) => boolean;
}

/** One aggregate category → category complement: no subject, no item, no time. */
export interface CategoryComplement {
  readonly from: string;
  readonly to: string;
  /** Normalized lift: the strongest relation from `from` weighs 1; rounded to 0.01. */
  readonly weight: number;
}

/**
 * Category → category complements from baskets, grouped by subject: the
 * category-level complementarity of the complements model (shrunk lift
 * `log((n + s) / (E + s))`, n = baskets holding both categories, E = what
 * independence would give), on every level of the category paths (a basket
 * with `jewellery/rings` also holds `jewellery`), normalized so the strongest
 * relation from each category weighs 1.
 *
 * It is an aggregate meant to leave the models (for contextual ads, ADR 0012):
 * a pair that fewer than `minSubjects` distinct subjects bought together is
 * dropped, weights are rounded, and the output names categories only.
 *
 * @example
 * categoryRelations([[['jewellery/rings', 'wedding/dresses']], …], { minSubjects: 10 });
 * // [{ from: 'jewellery', to: 'wedding', weight: 1 }, { from: 'jewellery/rings', to: 'wedding/dresses', weight: 1 }, …]
 */
export function categoryRelations(
  subjects: Iterable<Iterable<readonly string[]>>,
  options: CategoryRelationsOptions = {},
): CategoryComplement[] {
  const minSubjects = Math.max(1, options.minSubjects ?? 10);
  const shrink = options.shrink ?? 5;
  const maxPerCategory = options.maxPerCategory ?? 10;
  const exclude = options.exclude;
  const totals = new Map<string, number>();
  const together = new Map<string, { baskets: number; subjects: number }>();
  let n = 0;
  for (const baskets of subjects) {
    const seen = new Set<string>();
    for (const basket of baskets) {
      const cats = new Set<string>();
      for (const c of basket) {
        for (const a of categoryAncestors(c)) if (!exclude?.(a)) cats.add(a);
      }
      if (cats.size === 0) continue;
      n++;
      const sorted = [...cats].sort();
      for (const c of sorted) totals.set(c, (totals.get(c) ?? 0) + 1);
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) {
          const a = sorted[i] as string;
          const b = sorted[j] as string;
          if (b.startsWith(`${a}/`)) continue; // a category and its own branch (sorted: a ancestor comes first)
          const key = `${a}\u0000${b}`;
          let t = together.get(key);
          if (!t) {
            t = { baskets: 0, subjects: 0 };
            together.set(key, t);
          }
          t.baskets++;
          if (!seen.has(key)) {
            seen.add(key);
            t.subjects++;
          }
        }
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
  for (const [key, t] of together) {
    if (t.subjects < minSubjects) continue;
    const [a, b] = key.split('\u0000') as [string, string];
    const expected = ((totals.get(a) ?? 0) * (totals.get(b) ?? 0)) / n;
    const lift = Math.log((t.baskets + shrink) / (expected + shrink));
    if (lift <= 0) continue;
    add(a, b, lift);
    add(b, a, lift);
  }
  const out: CategoryComplement[] = [];
  for (const [from, row] of [...lifts].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    row.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const top = row[0]?.[1] ?? 1;
    for (const [to, lift] of row.slice(0, maxPerCategory)) {
      const weight = Math.round((lift / top) * 100) / 100;
      if (weight > 0) out.push({ from, to, weight });
    }
  }
  return out;
}
