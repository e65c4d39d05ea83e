/**
 * `pertinent eval` — measures the recommendation models on public data with
 * the protocols of the published tables: leave-one-out full ranking (HR@k,
 * NDCG@k) for sequences, next-basket Recall@k / NDCG@k for baskets.
 *
 * Runnable on its own: `node --import tsx src/cli/eval.ts --help`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runBasketExperiment, runSequenceExperiment } from '../core/recommend/eval/experiments.ts';
import {
  DataFormatError,
  type Keyset,
  parseBaskets,
  parseInteractionsCsv,
  parseItemAttributes,
  parseKeyset,
  parseSequences,
  rowsToSequences,
  type SequenceData,
} from '../core/recommend/eval/parsers.ts';

export const EVAL_USAGE = `Usage:
  pertinent eval --sequences FILE [--attributes FILE] [--tune] [--k 10,20] [--out result.json]
  pertinent eval --interactions FILE.csv [--tune] [--k 10,20] [--out result.json]
  pertinent eval --baskets HISTORY.json [--future FUTURE.json] [--keyset K.json ...] [--tune] [--out result.json]

Inputs (generic formats):
  --sequences FILE      one line per user: "user item item ..." in time order
  --attributes FILE     JSON {"item": [attribute, ...]} (category, brand ids...) for sequences/interactions
  --interactions FILE   CSV "user,item,timestamp[,event]" (header optional); sorted by time per user
  --baskets FILE        JSON {"user": [[item, ...], [item, ...], ...]} in time order; [-1] sentinel baskets are ignored
  --future FILE         JSON of each user's target basket (same format; the last basket is the target).
                        Without it, the last basket of each history is the target.
  --keyset FILE         JSON {"train": [...], "val": [...], "test": [...]}: a fixed user split; repeat for several.
                        Without one, every user with a target is a test user and no target basket is used for training.

Protocols:
  sequences   leave-one-out full ranking: last item = test target, second-last = validation target;
              items the user already had are excluded; ALL items are ranked; HR@k and NDCG@k averaged over users.
  baskets     next-basket: Recall@k and NDCG@k (ideal DCG over all target items) of the test users,
              averaged over the keysets.

Options:
  --tune        choose the settings on the validation target/users (coordinate search), then test once
  --k LIST      cutoffs, comma-separated (default 10,20; 10 is always included)
  --out FILE    also write the full result as JSON
  -h, --help    this text

Exit codes: 0 done, 1 a file could not be read or is malformed, 2 wrong usage.`;

const print = (line = '') => process.stdout.write(`${line}\n`);
const printErr = (line = '') => process.stderr.write(`${line}\n`);

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFormatError(
      path,
      undefined,
      code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(error)})`,
      `Check the path given to --${flag}`,
    );
  }
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toFixed(4) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => `| ${r.map((c, i) => String(c).padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    line(cells[0] as string[]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

function machine(): Record<string, unknown> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function memory(): { peakRssMiB: number; heapUsedMiB: number } {
  return {
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 1048576),
  };
}

/**
 * Runs `pertinent eval` with the given arguments; returns the exit code.
 *
 * @example
 * await runEvalCommand(['--sequences', '../shared/data/amazon/Beauty.txt', '--tune', '--out', 'beauty.json']);
 */
export async function runEvalCommand(argv: string[]): Promise<number> {
  let flags: ReturnType<typeof parse>;
  const parse = (args: string[]) =>
    parseArgs({
      args,
      options: {
        sequences: { type: 'string' },
        interactions: { type: 'string' },
        attributes: { type: 'string' },
        baskets: { type: 'string' },
        future: { type: 'string' },
        keyset: { type: 'string', multiple: true },
        tune: { type: 'boolean' },
        k: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  try {
    flags = parse(argv);
  } catch (error) {
    printErr(`pertinent eval: ${(error as Error).message}\n\n${EVAL_USAGE}`);
    return 2;
  }
  const v = flags.values;
  if (v.help) {
    print(EVAL_USAGE);
    return 0;
  }
  const inputs = [v.sequences, v.interactions, v.baskets].filter((x) => x !== undefined);
  if (inputs.length !== 1) {
    printErr(`pertinent eval: give exactly one of --sequences, --interactions or --baskets.\n\n${EVAL_USAGE}`);
    return 2;
  }
  if (v.attributes !== undefined && v.baskets !== undefined) {
    printErr('pertinent eval: --attributes only applies to --sequences and --interactions.');
    return 2;
  }
  if ((v.future !== undefined || v.keyset !== undefined) && v.baskets === undefined) {
    printErr('pertinent eval: --future and --keyset only apply to --baskets.');
    return 2;
  }
  const ks = [...new Set([10, ...(v.k ?? '10,20').split(',').map((x) => Number(x.trim()))])].sort((a, b) => a - b);
  if (ks.some((k) => !Number.isInteger(k) || k <= 0)) {
    printErr(`pertinent eval: --k must be positive integers separated by commas (got "${v.k}").`);
    return 2;
  }
  const started = new Date();
  const t0 = performance.now();
  try {
    let report: Record<string, unknown>;
    if (v.baskets !== undefined) {
      const histories = parseBaskets(readText(v.baskets, 'baskets'), v.baskets);
      const futures = new Map<string, string[]>();
      if (v.future !== undefined) {
        for (const [u, baskets] of parseBaskets(readText(v.future, 'future'), v.future)) {
          const last = baskets[baskets.length - 1];
          if (last) futures.set(u, last);
        }
      } else {
        for (const [u, baskets] of histories) {
          const last = baskets.pop();
          if (last) futures.set(u, last);
        }
      }
      const keysets: [string, Keyset][] = (v.keyset ?? []).map((p) => [p, parseKeyset(readText(p, 'keyset'), p)]);
      if (keysets.length === 0) {
        keysets.push(['all users', { train: [], validation: [...futures.keys()], test: [...futures.keys()] }]);
      }
      const result = runBasketExperiment(histories, futures, keysets, {
        tune: v.tune === true,
        ks,
        onTrial: (name, trial, r) =>
          printErr(
            `  [${name}] validation NDCG@10 ${trial.score.toFixed(4)} Recall@10 ${(r.recall[10] ?? 0).toFixed(4)} ${JSON.stringify(trial.options)}`,
          ),
      });
      const header = [
        'keyset',
        'split',
        'users',
        ...ks.flatMap((k) => [`Recall@${k}`, `NDCG@${k}`]),
        'train s',
        'score s',
      ];
      const rows: (string | number)[][] = [];
      for (const k of [...result.keysets, { keyset: 'mean', ...result.mean }]) {
        for (const split of ['validation', 'test'] as const) {
          const r = k[split];
          rows.push([
            k.keyset,
            split,
            String(Math.round(r.users)),
            ...ks.flatMap((c) => [r.recall[c] ?? 0, r.ndcg[c] ?? 0]),
            (r.trainMs / 1000).toFixed(1),
            (r.scoreMs / 1000).toFixed(1),
          ]);
        }
      }
      print(table(header, rows));
      report = {
        protocol: 'next-basket',
        input: { baskets: v.baskets, future: v.future ?? null, keysets: v.keyset ?? [] },
        ...result,
      };
    } else {
      let data: SequenceData;
      let source: string;
      if (v.sequences !== undefined) {
        source = v.sequences;
        data = parseSequences(readText(source, 'sequences'), source);
      } else {
        source = v.interactions as string;
        data = rowsToSequences(parseInteractionsCsv(readText(source, 'interactions'), source));
      }
      const attributes =
        v.attributes === undefined
          ? undefined
          : parseItemAttributes(readText(v.attributes, 'attributes'), v.attributes);
      const result = runSequenceExperiment(data, {
        tune: v.tune === true,
        ks,
        ...(attributes ? { attributes } : {}),
        onTrial: (trial, r) =>
          printErr(
            `  validation NDCG@10 ${trial.score.toFixed(4)} HR@10 ${(r.hitRate[10] ?? 0).toFixed(4)} ${JSON.stringify(trial.options)}`,
          ),
      });
      const header = ['split', 'users', ...ks.flatMap((k) => [`HR@${k}`, `NDCG@${k}`]), 'train s', 'score s'];
      const rows = (['validation', 'test'] as const).map((split) => {
        const r = result[split];
        return [
          split,
          String(r.users),
          ...ks.flatMap((c) => [r.hitRate[c] ?? 0, r.ndcg[c] ?? 0]),
          (r.trainMs / 1000).toFixed(1),
          (r.scoreMs / 1000).toFixed(1),
        ];
      });
      print(table(header, rows));
      report = {
        protocol: 'leave-one-out',
        input: source,
        attributes: v.attributes ?? null,
        users: data.users.length,
        ...result,
      };
    }
    const mem = memory();
    const totalMs = performance.now() - t0;
    print(`\nTotal ${(totalMs / 1000).toFixed(1)} s, peak RSS ${mem.peakRssMiB} MiB.`);
    if (v.out !== undefined) {
      const full = {
        command: `pertinent eval ${argv.join(' ')}`,
        date: started.toISOString(),
        machine: machine(),
        totalMs,
        memory: mem,
        ...report,
      };
      writeFileSync(v.out, `${JSON.stringify(full, null, 2)}\n`);
      print(`Wrote ${v.out}.`);
    }
    return 0;
  } catch (error) {
    if (error instanceof DataFormatError) {
      printErr(`pertinent eval: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * The command as the `pertinent` command table expects it.
 *
 * @example
 * await evalCommand.run(['--help']);
 */
export const evalCommand = {
  name: 'eval',
  summary: 'Measure recommendation relevance on public data (leave-one-out, next basket)',
  usage: EVAL_USAGE,
  run: runEvalCommand,
} as const;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runEvalCommand(process.argv.slice(2));
}
