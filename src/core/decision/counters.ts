import type { CapCounters } from './types.ts';

/**
 * The subject's counted impressions, indexed by scope and key, as the
 * pipeline counts them. The pipeline asks for every candidate item (a few
 * hundred per decision); scanning every impression row for each question
 * would cost candidates × rows, and a returning subject has hundreds of rows.
 * Keys are looked up per scope, so neither the rows nor the questions build a
 * string (perf at 2,000 decisions/s: indexing the rows by a key made of scope
 * and item took 12 µs of a decision, and each question made one again).
 *
 * @example
 * const counters = capCounters([{ scope: 'item', key: 'sku-1', at: 1000 }]);
 * counters.count('item', 'sku-1', 500); // 1
 */
export function capCounters(
  rows: Iterable<{ readonly scope: string; readonly key: string; readonly at: number }>,
): CapCounters {
  const scopes = new Map<string, Map<string, number[]>>();
  for (const r of rows) {
    let times = scopes.get(r.scope);
    if (!times) {
      times = new Map();
      scopes.set(r.scope, times);
    }
    const list = times.get(r.key);
    if (list) list.push(r.at);
    else times.set(r.key, [r.at]);
  }
  return {
    count: (scope, key, since) => {
      const list = scopes.get(scope)?.get(key);
      if (!list) return 0;
      let n = 0;
      for (const at of list) if (at >= since) n++;
      return n;
    },
  };
}
