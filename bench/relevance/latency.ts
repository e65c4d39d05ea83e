/**
 * Latency percentiles (µs) of `fn` over `n` calls, each timed with
 * process.hrtime (wall clock) and process.cpuUsage (CPU time of this process,
 * which leaves out time the scheduler gave to other work on a shared machine).
 */
export function latency(
  n: number,
  fn: (i: number) => void,
): { p50: number; p99: number; max: number; cpuP50: number; cpuP99: number; calls: number } {
  for (let i = 0; i < Math.min(n, 500); i++) fn(i); // warm-up
  const wall = new Float64Array(n);
  const cpu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    fn(i);
    wall[i] = Number(process.hrtime.bigint() - t) / 1000;
    const used = process.cpuUsage(c);
    cpu[i] = used.user + used.system;
  }
  wall.sort();
  cpu.sort();
  const at = (a: Float64Array, q: number) => a[Math.min(n - 1, Math.floor(q * n))] as number;
  return {
    p50: at(wall, 0.5),
    p99: at(wall, 0.99),
    max: wall[n - 1] as number,
    cpuP50: at(cpu, 0.5),
    cpuP99: at(cpu, 0.99),
    calls: n,
  };
}
