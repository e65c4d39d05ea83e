import type { SweepCounts } from './rights.store.ts';

export interface SweepLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Runs the retention sweep once soon after start, then every `intervalMs`; a
 * sweep never overlaps the previous one. Timers do not keep the process
 * alive; `stop()` waits for a sweep in progress.
 *
 * @example
 * const sweeps = scheduleRetentionSweeps(() => services.rights.sweep(), 60 * 60_000, app.log);
 * await sweeps.stop();
 */
export function scheduleRetentionSweeps(
  sweep: () => Promise<SweepCounts>,
  intervalMs: number,
  log: SweepLog,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = sweep()
      .then((c) => {
        const { tenants: _tenants, ...counts } = c;
        log.info({ retention: counts }, 'retention sweep');
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'retention sweep failed; it runs again at the next interval');
      })
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(run, Math.min(1000, intervalMs));
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
