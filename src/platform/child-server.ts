import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real `pertinent serve` in a child process, for crash tests and
 * benchmarks: same binary, same configuration path as production.
 */
export interface ChildServer {
  readonly url: string;
  readonly process: ChildProcess;
  /** Kills the process with `signal` and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/pertinent.mjs', import.meta.url));

/**
 * Starts `pertinent serve` on a free port with `env` added to this process's
 * environment; `nodeArgs` go to node itself (e.g. `--cpu-prof`).
 */
export function startChildServer(
  env: Record<string, string>,
  options: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<ChildServer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), BIN, 'serve', '--port', '0', '--host', '127.0.0.1'],
    {
      env: { ...process.env, PERTINENT_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pertinent serve did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ url: m[1] as string, process: child, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`pertinent serve exited (${signal ?? code}) before listening:\n${output}`));
    });
  });
}

/** Fields of /proc/<pid>/stat after the command name (state is [0], parent pid [1]), or undefined. */
function procStat(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // ended, or not Linux
  }
}

/** Pids of the live processes whose parent is `pid` (Linux /proc; empty elsewhere). */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    const fields = procStat(entry);
    return fields && Number(fields[1]) === pid && fields[0] !== 'Z' ? [Number(entry)] : [];
  });
}

/**
 * CPU time (user + system, ms) used so far by a process and its live children —
 * a server started with several workers included (Linux /proc; NaN elsewhere).
 */
export function processTreeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  let total = 0;
  for (const p of [pid, ...childPids(pid)]) {
    const fields = procStat(p);
    if (!fields) continue;
    total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }
  return total;
}
