import type { CapCounters, CounterIncrement, PlacementConfig } from './types.ts';

const DAY = 24 * 3600 * 1000;

/** What a frequency counter counts: a placement, campaign, item or channel cap, or retargeting impressions. */
export type CounterScope = CounterIncrement['scope'];

/** Every scope a counter may have. */
export const COUNTER_SCOPES: readonly CounterScope[] = ['placement', 'campaign', 'item', 'channel', 'retarget'];

/** The impressions of one scope a decision needs: those at or after `since`. */
export interface CounterWindow {
  readonly scope: CounterScope;
  readonly since: number;
}

/**
 * The impressions a decision in `placement` at `now` counts: each cap's
 * scope over the cap's window (the longest, when several caps share a scope),
 * and retargeted items over the retargeting age when retargeting is on.
 * Nothing else is read, so that a returning subject's item caps of a day do
 * not make every decision read the fortnight of impressions that only the
 * retargeting limit looks at.
 *
 * @example
 * counterWindows(defaultPlacement('home'), now); // [{ scope: 'item', since: now - DAY }, { scope: 'retarget', since: now - 14 * DAY }]
 */
export function counterWindows(placement: PlacementConfig, now: number): CounterWindow[] {
  const windows: CounterWindow[] = [];
  for (const cap of placement.caps) widen(windows, cap.scope, now - cap.windowMs);
  if (placement.retargeting.enabled) widen(windows, 'retarget', now - placement.retargeting.maxAgeDays * DAY);
  return windows;
}

/** Makes `windows` start for `scope` no later than `since`. */
function widen(windows: CounterWindow[], scope: CounterScope, since: number): void {
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i] as CounterWindow;
    if (w.scope !== scope) continue;
    if (since < w.since) windows[i] = { scope, since };
    return;
  }
  windows.push({ scope, since });
}

/**
 * The subject's counted impressions, indexed by scope and key, as the
 * pipeline counts them. The pipeline asks for every candidate item (a few
 * hundred per decision); scanning every impression for each question would
 * cost candidates × impressions, and a returning subject has hundreds. Keys
 * are looked up per scope, so neither the impressions nor the questions build
 * a string (perf at 2,000 decisions/s: indexing by a key made of scope and
 * item took 12 µs of a decision, and each question made one again).
 *
 * An index knows which windows it was filled for ({@link CounterWindow}):
 * asking for a scope it did not read, or for an earlier start, is a
 * programming error and throws, instead of answering 0 and letting a cap be
 * exceeded.
 *
 * @example
 * const counters = new CounterIndex([{ scope: 'item', since: 0 }]);
 * counters.add('item', 'sku-1', 1000);
 * counters.count('item', 'sku-1', 500); // 1
 */
export class CounterIndex implements CapCounters {
  /** The windows the index holds, as given. */
  readonly windows: readonly CounterWindow[];
  /** Each window's impressions by key (made on the first one). */
  readonly #times: (Map<string, number[]> | undefined)[];

  constructor(windows: readonly CounterWindow[]) {
    this.windows = windows;
    this.#times = new Array(windows.length).fill(undefined);
  }

  /** An index of every scope's impressions at or after `since`. */
  static since(since: number): CounterIndex {
    return new CounterIndex(COUNTER_SCOPES.map((scope) => ({ scope, since })));
  }

  /** The position of `scope`'s window (a few at most: a scan, no map), or -1. */
  #slot(scope: string): number {
    for (let i = 0; i < this.windows.length; i++) if ((this.windows[i] as CounterWindow).scope === scope) return i;
    return -1;
  }

  /** Whether an impression of `scope` at `at` is in the index's windows. */
  wants(scope: string, at: number): boolean {
    const i = this.#slot(scope);
    return i >= 0 && at >= (this.windows[i] as CounterWindow).since;
  }

  /** Counts one impression; those outside the index's windows are left out. */
  add(scope: CounterScope, key: string, at: number): void {
    const i = this.#slot(scope);
    if (i < 0 || at < (this.windows[i] as CounterWindow).since) return;
    let times = this.#times[i];
    if (times === undefined) {
      times = new Map();
      this.#times[i] = times;
    }
    const list = times.get(key);
    if (list) list.push(at);
    else times.set(key, [at]);
  }

  /** Every impression held, scope by scope in window order, each key's in the order added. */
  impressions(): { scope: CounterScope; key: string; at: number }[] {
    const out: { scope: CounterScope; key: string; at: number }[] = [];
    this.windows.forEach(({ scope }, i) => {
      for (const [key, list] of this.#times[i] ?? []) for (const at of list) out.push({ scope, key, at });
    });
    return out;
  }

  count(scope: CounterScope, key: string, since: number): number {
    const i = this.#slot(scope);
    if (i < 0 || since < (this.windows[i] as CounterWindow).since) {
      throw new Error(`The ${scope} impressions since ${since} were not read for this decision (counterWindows).`);
    }
    const list = this.#times[i]?.get(key);
    if (!list) return 0;
    let n = 0;
    for (const at of list) if (at >= since) n++;
    return n;
  }
}
