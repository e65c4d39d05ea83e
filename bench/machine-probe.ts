/**
 * How fast the machine is at the moment, in two figures a benchmark records
 * beside its own, so that runs made on different days (or an hour apart) can
 * be told apart from changes of the code:
 *
 * - `integerStepNs`: one step of a chain of dependent integer multiply-adds
 *   (the CPU as this process gets it: clock, and time taken by other guests);
 * - `randomReadNs`: one read at a random place of a 64 MB array, each address
 *   depending on the previous read (memory latency, which the models' and the
 *   store's reads mostly wait on).
 *
 * Each is the best of a few rounds, so that a round interrupted by another
 * process does not count. On the shared 2-core machines both have been seen
 * to drift by half within an hour (docs/adr/0006-decision-pipeline.md).
 *
 * @example
 * const before = probeMachine(); // { integerStepNs: 1.6, randomReadNs: 150 }
 */
export interface MachineProbe {
  readonly integerStepNs: number;
  readonly randomReadNs: number;
}

export interface ProbeOptions {
  /** Steps of the integer chain per round. */
  readonly integerSteps?: number;
  /** Entries (4 bytes each) of the array read at random; 16M is 64 MB, far more than any cache. */
  readonly entries?: number;
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

/** Measures the machine now (two or three seconds); see {@link MachineProbe}. */
export function probeMachine(options: ProbeOptions = {}): MachineProbe {
  const steps = options.integerSteps ?? 20_000_000;
  const entries = options.entries ?? 16 * 1024 * 1024;
  const reads = options.reads ?? 2_000_000;
  const rounds = options.rounds ?? 3;
  let sink = 0;
  let integer = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    let x = r;
    for (let i = 0; i < steps; i++) x = (Math.imul(x, 31) + i) | 0;
    integer = Math.min(integer, performance.now() - t0);
    sink ^= x;
  }
  const next = singleCycle(entries, Math.random);
  let memory = Number.POSITIVE_INFINITY;
  let p = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reads; i++) p = next[p] as number;
    memory = Math.min(memory, performance.now() - t0);
  }
  sink ^= p;
  // The results feed `sink`, so that no loop is optimized away; it is never 0.5.
  if (sink === 0.5) console.log(sink);
  /** Nanoseconds per step, to a hundredth. */
  const round = (ms: number, n: number) => Math.round((ms * 1e8) / n) / 100;
  return { integerStepNs: round(integer, steps), randomReadNs: round(memory, reads) };
}
