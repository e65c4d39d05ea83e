import type { CapCounters } from './types.ts';

/**
 * The subject's counted impressions, indexed by scope and key, as the
 * pipeline counts them. The pipeline asks for every candidate item (a few
 * hundred per decision); scanning every impression row for each question
 * would cost candidates × rows, and a returning subject has hundreds of rows.
 *
 * @example
 * const counters = capCounters([{ scope: 'item', key: 'sku-1', at: 1000 }]);
 * counters.count('item', 'sku-1', 500); // 1
 */
export function capCounters(
  rows: Iterable<{ readonly scope: string; readonly key: string; readonly at: number }>,
): CapCounters {
  const times = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${r.scope}\u0000${r.key}`;
    const list = times.get(k);
    if (list) list.push(r.at);
    else times.set(k, [r.at]);
  }
  return {
    count: (scope, key, since) => {
      const list = times.get(`${scope}\u0000${key}`);
      if (!list) return 0;
      let n = 0;
      for (const at of list) if (at >= since) n++;
      return n;
    },
  };
}
