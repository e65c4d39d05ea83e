/**
 * Relevance benchmark: runs the evaluation protocols on every public data set
 * in the shared data directory and prints our figures beside the published
 * ones, then writes bench/results/relevance.md and relevance.json.
 *
 *   node --import tsx bench/relevance/run.ts
 *
 * The data directory is ../shared/data relative to the repository root, or
 * PERTINENT_SHARED_DATA. Data are read in place, never copied.
 * Set RELEVANCE_QUICK=1 to skip the hyper-parameter search (defaults only).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ComplementsModel } from '../../src/core/recommend/complements.ts';
import { runBasketExperiment, runSequenceExperiment } from '../../src/core/recommend/eval/experiments.ts';
import {
  type Keyset,
  parseBaskets,
  parseItemAttributes,
  parseKeyset,
  parseSequences,
} from '../../src/core/recommend/eval/parsers.ts';
import { trainOnSequences } from '../../src/core/recommend/eval/sequence-trainer.ts';
import { ItemIndex } from '../../src/core/recommend/item-index.ts';
import { NextBasketModel } from '../../src/core/recommend/next-basket.ts';
import { latency } from './latency.ts';

const root = new URL('../../', import.meta.url).pathname;
const dataDir = process.env.PERTINENT_SHARED_DATA ?? join(root, '..', 'shared', 'data');
const tune = process.env.RELEVANCE_QUICK !== '1';
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Published figures, copied from the data README (test set / five keysets). */
const PUBLISHED = {
  Beauty: [
    ['PopRec', 0.0152, 0.0068, 0.0217, 0.0084],
    ['SASRec', 0.0605, 0.0318, 0.0902, 0.0394],
    ['S3-Rec', 0.0647, 0.0327, 0.0994, 0.0414],
    ['ICLRec', 0.0744, 0.0403, 0.1058, 0.0483],
  ],
  Sports: [
    ['PopRec', 0.0094, 0.0053, 0.0192, 0.0078],
    ['SASRec', 0.035, 0.0192, 0.0507, 0.0231],
    ['S3-Rec', 0.0385, 0.0204, 0.0607, 0.026],
    ['ICLRec', 0.0437, 0.0238, 0.0646, 0.0291],
  ],
  TaFeng: [
    ['global top-frequency', 0.0813, 0.0861],
    ['personal top-frequency', 0.1072, 0.0957],
    ['personal then global top-frequency', 0.1212, 0.1014],
    ['UP-CF@r', 0.1151, 0.0989],
    ['TIFU-KNN (paper, own split)', 0.1301, 0.1011],
  ],
} as const;

const f4 = (x: number | undefined) => (x ?? 0).toFixed(4);
const results: Record<string, unknown> = {};
const md: string[] = [];
const started = new Date();
const t0 = performance.now();

// ---------------------------------------------------------------- Amazon
for (const [name, file] of [
  ['Beauty', 'Beauty.txt'],
  ['Sports', 'Sports_and_Outdoors.txt'],
] as const) {
  const path = join(dataDir, 'amazon', file);
  if (!existsSync(path)) {
    log(`${name}: ${path} not found, skipped`);
    continue;
  }
  log(`${name}: leave-one-out${tune ? ', choosing settings on the validation target' : ''}…`);
  const data = parseSequences(readFileSync(path, 'utf8'), path);
  const attributesPath = join(dataDir, 'amazon', file.replace('.txt', '_item2attributes.json'));
  const attributes = existsSync(attributesPath)
    ? parseItemAttributes(readFileSync(attributesPath, 'utf8'), attributesPath)
    : undefined;
  const exp = runSequenceExperiment(data, {
    tune,
    ...(attributes ? { attributes } : {}),
    onTrial: (trial, r) =>
      log(`  validation NDCG@10 ${f4(trial.score)} HR@10 ${f4(r.hitRate[10])}  ${JSON.stringify(trial.options)}`),
  });
  // Serving latency: train the chosen model on everything before each test target
  // and time recommendForHistory(history, 10) for users' real histories.
  const items = new ItemIndex();
  const sequences = data.sequences.map((s) => s.map((i) => items.intern(i)));
  const train = sequences.map((s) => s.slice(0, -1));
  const tTrain = performance.now();
  const trained = trainOnSequences(
    train,
    items.size,
    exp.chosen,
    (exp.chosen.blend?.similarWeight ?? 0) > 0,
    attributes ? (i) => attributes.get(items.idOf(i)) : undefined,
  );
  trained.recommender.prepare();
  const fullTrainMs = performance.now() - tTrain;
  const histories = train.map((s) => s.map(String));
  const rec = trained.recommender;
  const lat = latency(20000, (i) => rec.recommendForHistory(histories[(i * 7919) % histories.length] as string[], 10));
  log(`  test HR@10 ${f4(exp.test.hitRate[10])} NDCG@10 ${f4(exp.test.ndcg[10])}; top-10 p99 ${lat.p99.toFixed(0)} µs`);
  results[name] = { ...exp, trials: exp.trials, fullTrainMs, latencyTop10Micros: lat };
  md.push(`### ${name} — leave-one-out, full ranking (${data.users.length} users, ${exp.itemCount} items)`, '');
  md.push('| model | HR@10 | NDCG@10 | HR@20 | NDCG@20 |', '|---|---|---|---|---|');
  for (const [model, ...v] of PUBLISHED[name]) md.push(`| ${model} (published) | ${v.map(f4).join(' | ')} |`);
  md.push(
    `| **Pertinent, test** | **${f4(exp.test.hitRate[10])}** | **${f4(exp.test.ndcg[10])}** | **${f4(exp.test.hitRate[20])}** | **${f4(exp.test.ndcg[20])}** |`,
    `| Pertinent, validation (chosen settings) | ${f4(exp.validation.hitRate[10])} | ${f4(exp.validation.ndcg[10])} | ${f4(exp.validation.hitRate[20])} | ${f4(exp.validation.ndcg[20])} |`,
    '',
    `Settings chosen on the validation target (${exp.trials.length} tried): \`${JSON.stringify(exp.chosen)}\`.`,
    `Training before the test target: ${(exp.test.trainMs / 1000).toFixed(2)} s (transition counts${(exp.chosen.blend?.similarWeight ?? 0) > 0 || tune ? ' and co-interaction similarity' : ''}); ` +
      `ranking all items for every user: ${(exp.test.scoreMs / 1000).toFixed(1)} s. ` +
      `Serving model trained in ${(fullTrainMs / 1000).toFixed(2)} s; \`recommendForHistory(history, 10)\` over ${lat.calls} real histories: ` +
      `p50 ${lat.p50.toFixed(0)} µs, **p99 ${lat.p99.toFixed(0)} µs**, max ${lat.max.toFixed(0)} µs wall clock; ` +
      `CPU time p50 ${lat.cpuP50.toFixed(0)} µs, p99 ${lat.cpuP99.toFixed(0)} µs.`,
    '',
  );
}

// ---------------------------------------------------------------- Ta-Feng
const tafeng = join(dataDir, 'tafeng');
if (existsSync(join(tafeng, 'tafeng_history.json'))) {
  log(`Ta-Feng: next basket over five keysets${tune ? ', choosing settings on each keyset’s validation users' : ''}…`);
  const histories = parseBaskets(readFileSync(join(tafeng, 'tafeng_history.json'), 'utf8'), 'tafeng_history.json');
  const futures = new Map<string, string[]>();
  for (const [u, b] of parseBaskets(readFileSync(join(tafeng, 'tafeng_future.json'), 'utf8'), 'tafeng_future.json')) {
    const last = b[b.length - 1];
    if (last) futures.set(u, last);
  }
  const keysets: [string, Keyset][] = [];
  for (let k = 0; k < 5; k++) {
    const p = join(tafeng, 'keyset', `tafeng_keyset_${k}.json`);
    if (existsSync(p)) keysets.push([`keyset ${k}`, parseKeyset(readFileSync(p, 'utf8'), p)]);
  }
  const exp = runBasketExperiment(histories, futures, keysets, {
    tune,
    onTrial: (name, trial, r) =>
      log(
        `  [${name}] validation NDCG@10 ${f4(trial.score)} Recall@10 ${f4(r.recall[10])}  ${JSON.stringify(trial.options)}`,
      ),
  });
  // Serving latency of nextBasketFor with the settings of keyset 0.
  const model = new NextBasketModel({ ...exp.keysets[0]?.chosen });
  const tTrain = performance.now();
  const users = [...histories.keys()];
  for (const u of users) {
    (histories.get(u) ?? []).forEach((basket, b) => {
      for (const itemId of basket) model.add({ subjectId: u, itemId, kind: 'purchase', at: b, basketId: `${u}:${b}` });
    });
  }
  model.nextBasketFor(users[0] as string, 10); // builds the vectors
  const fullTrainMs = performance.now() - tTrain;
  const lat = latency(5000, (i) => model.nextBasketFor(users[(i * 7919) % users.length] as string, 10));
  log(
    `  test Recall@10 ${f4(exp.mean.test.recall[10])} NDCG@10 ${f4(exp.mean.test.ndcg[10])}; next-basket p99 ${lat.p99.toFixed(0)} µs`,
  );
  results.TaFeng = { ...exp, fullTrainMs, latencyTop10Micros: lat };
  md.push(`### Ta-Feng — next basket, five keysets (${histories.size} users)`, '');
  md.push('| model | Recall@10 | NDCG@10 |', '|---|---|---|');
  for (const [model, r, n] of PUBLISHED.TaFeng) md.push(`| ${model} (published) | ${f4(r)} | ${f4(n)} |`);
  md.push(
    `| **Pertinent, test users, mean of 5 keysets** | **${f4(exp.mean.test.recall[10])}** | **${f4(exp.mean.test.ndcg[10])}** |`,
    `| Pertinent, validation users (chosen settings) | ${f4(exp.mean.validation.recall[10])} | ${f4(exp.mean.validation.ndcg[10])} |`,
    '',
    '| keyset | test users | Recall@10 | NDCG@10 | NDCG@10 (ideal truncated at 10) | Recall@20 | NDCG@20 | chosen settings |',
    '|---|---|---|---|---|---|---|---|',
    ...exp.keysets.map(
      (k) =>
        `| ${k.keyset} | ${k.test.users} | ${f4(k.test.recall[10])} | ${f4(k.test.ndcg[10])} | ${f4(k.test.ndcgTruncated[10])} | ${f4(k.test.recall[20])} | ${f4(k.test.ndcg[20])} | \`${JSON.stringify(k.chosen)}\` |`,
    ),
    '',
    `NDCG takes the ideal DCG over all target items, as the reference figures do. The model learns from every user's history and from the target baskets of each keyset's training users; validation and test users' targets are never seen. ` +
      `Training (vectors of all users): ${(fullTrainMs / 1000).toFixed(2)} s; \`nextBasketFor(subject, 10)\`: p50 ${lat.p50.toFixed(0)} µs, **p99 ${lat.p99.toFixed(0)} µs** wall clock (CPU time p99 ${lat.cpuP99.toFixed(0)} µs).`,
    '',
  );
}

// ---------------------------------------------------------------- Groceries
const groceries = join(dataDir, 'groceries', 'groceries.csv');
if (existsSync(groceries)) {
  log('Groceries: complements…');
  const lines = readFileSync(groceries, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const model = new ComplementsModel();
  const tTrain = performance.now();
  lines.forEach((line, n) => {
    for (const item of line.split(','))
      model.add({ subjectId: `b${n}`, itemId: item.trim(), kind: 'purchase', at: n, basketId: 'b' });
  });
  const trainMs = performance.now() - tTrain;
  const names = [...new Set(lines.flatMap((l) => l.split(',').map((s) => s.trim())))];
  const lat = latency(5000, (i) => model.complementsOf(names[i % names.length] as string, 10));
  const anchors = [
    'whole milk',
    'flour',
    'frankfurter',
    'coffee',
    'bottled beer',
    'root vegetables',
    'butter',
    'white wine',
    'hamburger meat',
    'baking powder',
  ];
  const shown = anchors.map(
    (a) => [a, model.complementsOf(a, 5).map((r) => `${r.itemId} (${r.score.toFixed(2)})`)] as const,
  );
  const counts = new Map<string, number>();
  for (const n of names)
    for (const r of model.complementsOf(n, 5)) counts.set(r.itemId, (counts.get(r.itemId) ?? 0) + 1);
  const share = (item: string) => (counts.get(item) ?? 0) / names.length;
  results.Groceries = {
    baskets: lines.length,
    items: names.length,
    trainMs,
    complements: Object.fromEntries(shown),
    shareOfTop5Lists: Object.fromEntries(['whole milk', 'other vegetables', 'rolls/buns'].map((i) => [i, share(i)])),
    latencyTop10Micros: lat,
  };
  md.push(`### Groceries — complements (${lines.length} baskets, ${names.length} items)`, '');
  md.push('| anchor | top-5 complements (shrunk log-lift) |', '|---|---|');
  for (const [a, list] of shown) md.push(`| ${a} | ${list.join(', ')} |`);
  md.push(
    '',
    `The three most frequent items appear in this share of all ${names.length} top-5 complement lists: ` +
      ['whole milk', 'other vegetables', 'rolls/buns'].map((i) => `${i} ${(share(i) * 100).toFixed(0)}%`).join(', ') +
      `. Trained in ${(trainMs / 1000).toFixed(2)} s; \`complementsOf(item, 10)\` p50 ${lat.p50.toFixed(0)} µs, p99 ${lat.p99.toFixed(0)} µs wall clock (CPU time p99 ${lat.cpuP99.toFixed(0)} µs).`,
    '',
  );
}

const totalMs = performance.now() - t0;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
const command = `node --import tsx bench/relevance/run.ts${tune ? '' : ' (RELEVANCE_QUICK=1)'}`;
const header = [
  '# Relevance benchmark',
  '',
  `Command: \`${command}\` (data: \`${process.env.PERTINENT_SHARED_DATA ? '$PERTINENT_SHARED_DATA' : '../shared/data'}\`).`,
  `Date: ${started.toISOString()}. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}). ` +
    `Whole run: ${(totalMs / 1000).toFixed(0)} s, peak RSS ${peakRssMiB} MiB. The machine was shared with other work, so timings are upper bounds.`,
  '',
  'Protocols: Amazon — leave-one-out, the last item of each sequence is the test target and the second-last the validation target; ' +
    'every setting is chosen on the validation target (trained on what precedes it), then the model is retrained on everything before the test target and the test target is used once; ' +
    'all items are ranked, items the user already had are excluded, ties count against us. Ta-Feng — the five fixed keysets; settings chosen on each keyset’s validation users. ' +
    'Models: non-neural, pure TypeScript (src/core/recommend); see docs in the source.',
  '',
];
writeFileSync(join(root, 'bench', 'results', 'relevance.md'), `${[...header, ...md].join('\n')}\n`);
writeFileSync(
  join(root, 'bench', 'results', 'relevance.json'),
  `${JSON.stringify({ command, date: started.toISOString(), machine, totalMs, peakRssMiB, tuned: tune, results }, null, 2)}\n`,
);
process.stdout.write(`${[...header, ...md].join('\n')}\n`);
log(`Wrote bench/results/relevance.md and relevance.json (${(totalMs / 1000).toFixed(0)} s).`);
