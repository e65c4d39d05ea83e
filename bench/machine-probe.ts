/**
 * How fast the machine is at the moment, in figures a benchmark records
 * beside its own, so that runs made on different days (or an hour apart) can
 * be told apart from changes of the code:
 *
 * - `integerStepNs`: one step of a chain of dependent integer multiply-adds
 *   (the CPU as this process gets it: clock, and time taken by other guests);
 * - `cacheReadNs`: one read at a random place of a 4 MB array, each address
 *   depending on the previous read. On the benchmark machines that fits the
 *   shared last-level cache when the process has it to itself; it rises
 *   towards `memoryReadNs` as other processes or guests take that cache;
 * - `memoryReadNs`: the same in 64 MB, far more than any cache (memory
 *   latency, which the models' and the store's reads mostly wait on).
 *
 * Each is the best of a few rounds, so that a round interrupted by another
 * process does not count. On the shared 2-core machines the same code's
 * figures have been seen to drift by half within an hour
 * (docs/adr/0006-decision-pipeline.md).
 *
 * @example
 * const before = probeMachine(); // { integerStepNs: 1.6, cacheReadNs: 28, memoryReadNs: 160 }
 */
export interface MachineProbe {
  readonly integerStepNs: number;
  readonly cacheReadNs: number;
  readonly memoryReadNs: number;
}

export interface ProbeOptions {
  /** Steps of the integer chain per round. */
  readonly integerSteps?: number;
  /** Entries (4 bytes each) of the array of `cacheReadNs`: 1M is 4 MB. */
  readonly cacheEntries?: number;
  /** Entries of the array of `memoryReadNs`: 16M is 64 MB. */
  readonly memoryEntries?: number;
  /** Reads per round. */
  readonly reads?: number;
  readonly rounds?: number;
}

/**
 * A chase array over 0..n-1 that is one single cycle: the entries are put in
 * a random order and each points to the one after it (the last to the
 * first), so that following `next[i]` from any entry visits every entry
 * before coming back, and never settles in a small loop a cache would hold.
 *
 * @example
 * singleCycle(4, Math.random); // e.g. Int32Array [2, 0, 3, 1]: 0 → 2 → 3 → 1 → 0
 */
export function singleCycle(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[order[i] as number] = order[(i + 1) % n] as number;
  return next;
}

/** Measures the machine now (a few seconds); see {@link MachineProbe}. */
export function probeMachine(options: ProbeOptions = {}): MachineProbe {
  const steps = options.integerSteps ?? 20_000_000;
  const reads = options.reads ?? 2_000_000;
  const rounds = options.rounds ?? 3;
  /** Nanoseconds per step, to a hundredth. */
  const perStep = (ms: number, n: number) => Math.round((ms * 1e8) / n) / 100;
  let sink = 0;
  let integer = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    let x = r;
    for (let i = 0; i < steps; i++) x = (Math.imul(x, 31) + i) | 0;
    integer = Math.min(integer, performance.now() - t0);
    sink ^= x;
  }
  /** Best time of `reads` dependent reads at random places of `entries` entries. */
  const chase = (entries: number) => {
    const next = singleCycle(entries, Math.random);
    let best = Number.POSITIVE_INFINITY;
    let p = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      for (let i = 0; i < reads; i++) p = next[p] as number;
      best = Math.min(best, performance.now() - t0);
    }
    sink ^= p;
    return perStep(best, reads);
  };
  const cacheReadNs = chase(options.cacheEntries ?? 1024 * 1024);
  const memoryReadNs = chase(options.memoryEntries ?? 16 * 1024 * 1024);
  // The results feed `sink`, so that no loop is optimized away; it is never 0.5.
  if (sink === 0.5) console.log(sink);
  return { integerStepNs: perStep(integer, steps), cacheReadNs, memoryReadNs };
}
