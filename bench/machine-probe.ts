import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
 *   latency, which the models' and the store's reads mostly wait on);
 * - `systemCallNs`: one read of one byte of a small file (`readSync`, a
 *   `pread`): what entering the kernel costs, as the store's page reads and
 *   writes, its locks and the sockets' reads and writes pay it;
 * - `systemCallAfterNs`: what one such call costs the reads that follow it
 *   besides itself: the 4 MB chase, with a call every 1,000 reads, less the
 *   chase alone and the calls. On a virtual machine whose kernel entries
 *   flush the address translations (or the caches), the process pays again
 *   for every page it touches next; where a kernel entry leaves them in
 *   place, it is near 0. A difference of two timings, it is the noisiest
 *   figure: read it for its order of magnitude.
 *
 * Each is the best of a few rounds, so that a round interrupted by another
 * process does not count. On the shared 2-core machines the same code's
 * figures have been seen to drift by half within an hour
 * (docs/adr/0006-decision-pipeline.md).
 *
 * @example
 * const before = probeMachine(); // { integerStepNs: 1.6, cacheReadNs: 28, memoryReadNs: 160, systemCallNs: 2500, systemCallAfterNs: 15000 }
 */
export interface MachineProbe {
  readonly integerStepNs: number;
  readonly cacheReadNs: number;
  readonly memoryReadNs: number;
  readonly systemCallNs: number;
  readonly systemCallAfterNs: number;
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
  /** System calls per round of `systemCallNs`. */
  readonly systemCalls?: number;
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

/** Reads between two system calls in the chase of `systemCallAfterNs`. */
const CALL_EVERY = 1000;

/** Measures the machine now (a few seconds); see {@link MachineProbe}. */
export function probeMachine(options: ProbeOptions = {}): MachineProbe {
  const steps = options.integerSteps ?? 20_000_000;
  const reads = options.reads ?? 2_000_000;
  const rounds = options.rounds ?? 3;
  /** Nanoseconds per step, to a hundredth. */
  const perStep = (ms: number, n: number) => Math.round((ms * 1e8) / n) / 100;
  let sink = 0;
  /** The shortest of `rounds` timings of `round` (ms): a round another process interrupted does not count. */
  const bestOf = (round: (r: number) => void) => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      round(r);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const integer = bestOf((r) => {
    let x = r;
    for (let i = 0; i < steps; i++) x = (Math.imul(x, 31) + i) | 0;
    sink ^= x;
  });
  const dir = mkdtempSync(join(tmpdir(), 'pertinent-probe-'));
  const file = join(dir, 'one-byte');
  writeFileSync(file, 'x');
  const fd = openSync(file, 'r');
  const byte = Buffer.alloc(1);
  /** Enters the kernel once: reads one byte of the file (a `pread`). */
  const systemCall = () => readSync(fd, byte, 0, 1, 0);
  try {
    const calls = options.systemCalls ?? 50_000;
    const call = bestOf(() => {
      for (let i = 0; i < calls; i++) systemCall();
    });
    /** Best time of `reads` dependent reads at random places of `next`, with a system call every `every` reads (0: none). */
    const chase = (next: Int32Array, every: number) => {
      let p = 0;
      const best = bestOf(() => {
        if (every === 0) for (let i = 0; i < reads; i++) p = next[p] as number;
        else
          for (let i = 0; i < reads; i++) {
            p = next[p] as number;
            if (i % every === 0) systemCall();
          }
      });
      sink ^= p;
      return best;
    };
    const cache = singleCycle(options.cacheEntries ?? 1024 * 1024, Math.random);
    const cacheBest = chase(cache, 0);
    const withCalls = chase(cache, CALL_EVERY);
    const callsInChase = Math.ceil(reads / CALL_EVERY);
    const memoryBest = chase(singleCycle(options.memoryEntries ?? 16 * 1024 * 1024, Math.random), 0);
    // The results feed `sink`, so that no loop is optimized away; it is never 0.5.
    if (sink === 0.5) console.log(sink);
    const systemCallNs = Math.round((call * 1e6) / calls);
    return {
      integerStepNs: perStep(integer, steps),
      cacheReadNs: perStep(cacheBest, reads),
      memoryReadNs: perStep(memoryBest, reads),
      systemCallNs,
      // The difference of two timings: noise can make it slightly negative where the true cost is 0.
      systemCallAfterNs: Math.max(0, Math.round(((withCalls - cacheBest) * 1e6) / callsInChase - systemCallNs)),
    };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
