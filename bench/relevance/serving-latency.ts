/**
 * Serving latency of a top-10 in process, on its own: trains the recommender
 * on Amazon Beauty and Sports (everything before each test target) with the
 * settings the relevance benchmark chose on the validation targets
 * (bench/results/relevance.json), then times `recommendForHistory(history, 10)`
 * over real histories. Run it on a quiet machine:
 *
 *   node --import tsx bench/relevance/serving-latency.ts
 *
 * Writes bench/results/serving-latency.md and .json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseItemAttributes, parseSequences } from '../../src/core/recommend/eval/parsers.ts';
import { trainOnSequences } from '../../src/core/recommend/eval/sequence-trainer.ts';
import { ItemIndex } from '../../src/core/recommend/item-index.ts';
import type { RecommenderOptions } from '../../src/core/recommend/recommender.ts';
import { latency } from './latency.ts';

const root = new URL('../../', import.meta.url).pathname;
const dataDir = process.env.PERTINENT_SHARED_DATA ?? join(root, '..', 'shared', 'data');
const relevance = JSON.parse(readFileSync(join(root, 'bench/results/relevance.json'), 'utf8')) as {
  results: Record<string, { chosen: RecommenderOptions }>;
};
const rows: string[] = [];
const json: Record<string, unknown> = {};
const load = loadavg()[0]?.toFixed(1);
for (const [name, file] of [
  ['Beauty', 'Beauty.txt'],
  ['Sports', 'Sports_and_Outdoors.txt'],
] as const) {
  const path = join(dataDir, 'amazon', file);
  const chosen = relevance.results[name]?.chosen;
  if (!existsSync(path) || !chosen) {
    process.stderr.write(`${name}: data or chosen settings missing, skipped\n`);
    continue;
  }
  const data = parseSequences(readFileSync(path, 'utf8'), path);
  const attributes = parseItemAttributes(
    readFileSync(path.replace('.txt', '_item2attributes.json'), 'utf8'),
    path.replace('.txt', '_item2attributes.json'),
  );
  const items = new ItemIndex();
  const train = data.sequences.map((s) => s.slice(0, -1).map((i) => items.intern(i)));
  const t = performance.now();
  const { recommender } = trainOnSequences(train, items.size, chosen, (chosen.blend?.similarWeight ?? 0) > 0, (i) =>
    attributes.get(items.idOf(i)),
  );
  recommender.prepare();
  const trainMs = performance.now() - t;
  const histories = train.map((s) => s.map(String));
  const lat = latency(20000, (i) =>
    recommender.recommendForHistory(histories[(i * 7919) % histories.length] as string[], 10),
  );
  json[name] = { trainMs, ...lat };
  rows.push(
    `| ${name} | ${(trainMs / 1000).toFixed(1)} | ${lat.p50.toFixed(0)} | ${lat.p99.toFixed(0)} | ${lat.max.toFixed(0)} | ${lat.cpuP99.toFixed(0)} |`,
  );
  process.stderr.write(`${name}: top-10 p50 ${lat.p50.toFixed(0)} µs, p99 ${lat.p99.toFixed(0)} µs\n`);
}
const machine = `${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}, load average ${load} at start`;
const md = [
  '# Serving latency of a top-10, in process',
  '',
  'Command: `node --import tsx bench/relevance/serving-latency.ts`',
  `Date: ${new Date().toISOString()}. Machine: ${machine}.`,
  '',
  'The recommender trained on everything before each test target with the settings chosen on the validation',
  'targets (bench/results/relevance.json, all caches prepared), then `recommendForHistory(history, 10)` over',
  '20,000 real histories after 500 warm-up calls. Times in µs; wall clock unless named CPU.',
  '',
  '| data set | training s | p50 | p99 | max | CPU p99 |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
  '',
];
writeFileSync(join(root, 'bench/results/serving-latency.md'), md.join('\n'));
writeFileSync(
  join(root, 'bench/results/serving-latency.json'),
  `${JSON.stringify({ machine, date: new Date().toISOString(), results: json }, null, 2)}\n`,
);
process.stdout.write(md.join('\n'));
