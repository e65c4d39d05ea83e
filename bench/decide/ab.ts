/**
 * Two versions of the decision code compared in one process, where the
 * machine's drift falls on both alike (on this machine the same code's cost
 * moves by 20-30 % within an hour, and runs one after the other could not
 * tell 5 % apart: docs/adr/0006-decision-pipeline.md, stops 17, 19 and 21).
 *
 * Each checkout's services open their own copy of a data directory seeded by
 * bench/decide/run.ts (`--keep DIR`). After a warm-up, every round runs the
 * same batch of decisions on one version, then on the other (A first in even
 * rounds, B first in odd ones), each decision durable as in the server, and
 * adds up the process's CPU time per version. The version loaded second ran
 * about 4 % faster in stop 17's measurements even when both were the same
 * code (its models are built second), so the comparison runs twice, in
 * child processes, loading and building A first, then B first; the result
 * is the mean of the two ratios.
 *
 *   node --max-semi-space-size=64 --import tsx bench/decide/ab.ts --a DIR --b DIR --seeded DIR [--batch 500] [--rounds 10] [--data FILE]
 *
 * --a / --b: checkouts of Pertinent with their dependencies installed (for
 * instance `git worktree add ../base <ref>`, with `node_modules` linked or
 * installed). --seeded: a data directory left by `bench/decide/run.ts --keep`
 * (it is copied, never changed). Results go to bench/results/decide-ab.md
 * (and decide-ab.json).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { seededRandom } from '../../src/core/decision/random.ts';
import { benchOptions, exitWithUsage, numberOption } from '../options.ts';
import { type Comparison, roundOrder, summarize } from './compare.ts';
import { decideInput, decisionRequests, readSubjects } from './workload.ts';

const USAGE =
  'node --max-semi-space-size=64 --import tsx bench/decide/ab.ts --a DIR --b DIR --seeded DIR [--batch 500] [--rounds 10] [--data FILE]';
const values = benchOptions(
  {
    a: { type: 'string' },
    b: { type: 'string' },
    seeded: { type: 'string' },
    batch: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '10' },
    data: { type: 'string', default: '/work/shared/data/amazon/Sports_and_Outdoors.txt' },
    /** Set by the parent in its two child processes: which version is loaded first. */
    first: { type: 'string' },
  },
  USAGE,
);
const BATCH = numberOption('batch', values.batch, USAGE, { min: 1 });
const ROUNDS = numberOption('rounds', values.rounds, USAGE, { min: 2 });
const fail = (message: string): never => exitWithUsage(message, USAGE);
const checkout = (name: 'a' | 'b'): string => {
  const dir = values[name] ?? fail(`--${name} is required: a checkout of Pertinent.`);
  if (!existsSync(join(dir, 'src/platform/container.ts')) || !existsSync(join(dir, 'node_modules'))) {
    fail(
      `--${name} ${dir} is not a checkout of Pertinent with node_modules (src/platform/container.ts and node_modules/ are missing).`,
    );
  }
  return resolve(dir);
};
const dirs = { a: checkout('a'), b: checkout('b') };
const seeded = values.seeded ?? fail('--seeded is required: a data directory left by bench/decide/run.ts --keep DIR.');
if (!existsSync(join(seeded, 'bench-key.txt'))) {
  fail(`--seeded ${seeded} was not seeded by bench/decide/run.ts --keep (no bench-key.txt).`);
}

interface OrderResult {
  readonly first: 'a' | 'b';
  readonly aMs: number[];
  readonly bMs: number[];
}

/** A child process: loads both versions (`first` first), warms them up, runs the rounds, prints its times as JSON. */
async function runRounds(first: 'a' | 'b'): Promise<OrderResult> {
  const { users, itemIds } = readSubjects(values.data);
  // The same requests on every run, in both child processes.
  const next = decisionRequests(users, itemIds, seededRandom('bench/decide/ab'));
  const copies: string[] = [];
  const load = async (dir: string) => {
    const data = mkdtempSync(join(tmpdir(), 'pertinent-bench-ab-'));
    copies.push(data);
    cpSync(seeded, data, { recursive: true });
    const { loadConfig } = await import(pathToFileURL(join(dir, 'src/platform/config.ts')).href);
    const { createServices } = await import(pathToFileURL(join(dir, 'src/platform/container.ts')).href);
    return createServices(loadConfig({ PERTINENT_DATA_DIR: data, PERTINENT_LOG_LEVEL: 'silent' }));
  };
  const services: Record<'a' | 'b', Awaited<ReturnType<typeof load>>> = {} as never;
  const order = first === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const);
  const decide = (v: 'a' | 'b', request: ReturnType<typeof next>) =>
    services[v].decisions.decide(decideInput('bench', request));
  try {
    // Each version's first decision builds its models: "loaded first" means opened and built first.
    for (const v of order) {
      services[v] = await load(dirs[v]);
      await decide(v, next());
    }
    // Warm-up: lets the JIT compile both versions' hot paths, taking turns at going first.
    for (let i = 0; i < 2000; i++) {
      const request = next();
      for (const v of roundOrder(i)) await decide(v, request);
    }
    const times: Record<'a' | 'b', number[]> = { a: [], b: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const batch = Array.from({ length: BATCH }, next);
      for (const v of roundOrder(r)) {
        const start = process.cpuUsage();
        for (const request of batch) await decide(v, request);
        const used = process.cpuUsage(start);
        times[v].push((used.user + used.system) / 1000);
      }
    }
    return { first, aMs: times.a, bMs: times.b };
  } finally {
    await services.a?.close();
    await services.b?.close();
    for (const data of copies) rmSync(data, { recursive: true, force: true });
  }
}

if (values.first !== undefined) {
  if (values.first !== 'a' && values.first !== 'b') fail('--first must be a or b.');
  console.log(JSON.stringify(await runRounds(values.first as 'a' | 'b')));
  process.exit(0);
}

/** The commit of a checkout, marked when it has uncommitted changes. */
const revision = (dir: string): string => {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') === '' ? '' : ' with uncommitted changes'}`;
  } catch {
    return 'not a git checkout';
  }
};
const orders: { result: OrderResult; comparison: Comparison }[] = [];
for (const first of ['a', 'b'] as const) {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--first', first],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    console.error(`The run loading ${first.toUpperCase()} first failed (exit ${child.status}).`);
    process.exit(1);
  }
  const result = JSON.parse(last) as OrderResult;
  const comparison = summarize(result.aMs, result.bMs, BATCH);
  orders.push({ result, comparison });
  console.log(`${first.toUpperCase()} loaded first`, comparison);
}
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const mean = orders.reduce((s, o) => s + o.comparison.ratio, 0) / orders.length;
const revisions = { a: revision(dirs.a), b: revision(dirs.b) };
const v8Flags = process.execArgv.filter((a) => a.startsWith('--max-semi-space-size')).map((a) => `${a} `);
const command = `node ${v8Flags.join('')}--import tsx bench/decide/ab.ts --a ${values.a} --b ${values.b} --seeded ${seeded} --batch ${BATCH} --rounds ${ROUNDS}`;
console.log(`B costs ${round3(mean)} of A's CPU per decision (mean of both loading orders)`);
writeFileSync(
  'bench/results/decide-ab.json',
  `${JSON.stringify({ date: new Date().toISOString(), command, revisions, batch: BATCH, rounds: ROUNDS, orders, ratio: mean }, null, 2)}\n`,
);
writeFileSync(
  'bench/results/decide-ab.md',
  `# Decision code, A against B in one process

${new Date().toISOString().slice(0, 10)} — \`${command}\`

A: ${values.a} (${revisions.a}). B: ${values.b} (${revisions.b}).
Each round runs the same ${BATCH} decisions on each version (in-process, each
durable), A first in even rounds and B first in odd ones; ${ROUNDS} rounds, after
a warm-up of 2,000 decisions on each. Figures are CPU time per decision.

| loaded first | A | B | B / A | rounds' B / A, lowest and highest |
|---|---|---|---|---|
${orders
  .map(
    ({ result, comparison: c }) =>
      `| ${result.first.toUpperCase()} | ${round3(c.a)} ms | ${round3(c.b)} ms | ${round3(c.ratio)} | ${round3(c.low)} – ${round3(c.high)} |`,
  )
  .join('\n')}

B costs **${round3(mean)}** of A's CPU per decision (mean of the two loading orders).
${
  // The same commit and neither with uncommitted changes: otherwise B may differ from A.
  revisions.a === revisions.b && !revisions.a.includes(' ')
    ? 'A and B are the same commit: this is an A/A run, and how far its ratio is from 1 is the noise of the method.'
    : 'An A/A run (the same commit as A and B) gives the noise of the method to read this against.'
} The version loaded and built second costs less whatever its code (see
docs/adr/0006-decision-pipeline.md, stop 21), hence the two loading orders.
`,
);
