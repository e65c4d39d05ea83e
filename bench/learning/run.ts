/**
 * Learning benchmark: what a complements query, and a personal query (a
 * subject's last ten purchases, k = 30), cost right after the models learned
 * a purchase (as a decision does when the subject bought something since the
 * models were built), on the Amazon Sports and Outdoors data (18k items, 35k
 * subjects, 296k purchases; 60 catalog categories).
 *
 *   node --import tsx bench/learning/run.ts [--purchases 200] [--label NAME]
 *
 * Results go to bench/results/learning.json (by label) and learning.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Recommender } from '../../src/core/recommend/recommender.ts';
import { benchOptions } from '../options.ts';

const values = benchOptions(
  {
    purchases: { type: 'string', default: '200' },
    label: { type: 'string', default: 'latest' },
    data: { type: 'string', default: '/work/shared/data/amazon/Sports_and_Outdoors.txt' },
  },
  'node --import tsx bench/learning/run.ts [--purchases 200] [--label NAME] [--data FILE]',
);
const PURCHASES = Number(values.purchases);
if (!Number.isInteger(PURCHASES) || PURCHASES < 1) {
  console.error('--purchases must be a whole number of at least 1');
  process.exit(2);
}

const lines = readFileSync(values.data, 'utf8').split('\n').filter(Boolean);
const users = lines.map((l) => {
  const [u, ...items] = l.trim().split(/\s+/);
  return { id: `u${u}`, items: items.map((i) => `p${i}`) };
});
const items = [...new Set(users.flatMap((u) => u.items))];
const rec = new Recommender();
for (const id of items) rec.setItemAttributes({ itemId: id, category: `sports/c${Number(id.slice(1)) % 60}` });
for (const u of users) {
  u.items.forEach((itemId, k) => {
    rec.add({ subjectId: u.id, itemId, kind: 'purchase', at: k, basketId: `${u.id}@${k}` });
  });
}
rec.prepare();
for (const id of items) rec.complementsOf(id, 30);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
const round = (x: number) => Math.round(x * 1000) / 1000;
let seed = 5;
const pick = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return items[Math.floor((seed / 2147483648) * items.length)] as string;
};
const unchanged: number[] = [];
for (let n = 0; n < PURCHASES; n++) {
  const s = performance.now();
  rec.complementsOf(pick(), 30);
  unchanged.push(performance.now() - s);
}
const afterPurchase: number[] = [];
for (let n = 0; n < PURCHASES; n++) {
  rec.add({ subjectId: `new${n}`, itemId: pick(), kind: 'purchase', at: 1e12 + n, basketId: `new${n}` });
  const s = performance.now();
  rec.complementsOf(pick(), 30);
  afterPurchase.push(performance.now() - s);
}
// The personal query of a decision: a subject's most recent purchases.
const pickSubject = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return users[Math.floor((seed / 2147483648) * users.length)] as (typeof users)[number];
};
const personal = () => rec.recommendForHistory(pickSubject().items.slice(-10), 30);
for (let n = 0; n < 200; n++) personal();
const personalUnchanged: number[] = [];
for (let n = 0; n < PURCHASES; n++) {
  const s = performance.now();
  personal();
  personalUnchanged.push(performance.now() - s);
}
const personalAfterPurchase: number[] = [];
for (let n = 0; n < PURCHASES; n++) {
  const u = pickSubject();
  rec.add({ subjectId: u.id, itemId: pick(), kind: 'purchase', at: 2e12 + n, basketId: `more${n}` });
  const s = performance.now();
  personal();
  personalAfterPurchase.push(performance.now() - s);
}
const result = {
  label: values.label,
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim(),
  command: `node --import tsx bench/learning/run.ts --purchases ${PURCHASES} --label ${values.label}`,
  machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
  unchangedMs: { p50: round(pct(unchanged, 0.5)), p99: round(pct(unchanged, 0.99)) },
  afterPurchaseMs: { p50: round(pct(afterPurchase, 0.5)), p99: round(pct(afterPurchase, 0.99)) },
  personalUnchangedMs: { p50: round(pct(personalUnchanged, 0.5)), p99: round(pct(personalUnchanged, 0.99)) },
  personalAfterPurchaseMs: {
    p50: round(pct(personalAfterPurchase, 0.5)),
    p99: round(pct(personalAfterPurchase, 0.99)),
  },
};
/** A run's figures, or a dash for runs recorded before the personal query was measured. */
const figures = (m: { p50: number; p99: number } | undefined) => (m ? `${m.p50} / ${m.p99} ms` : '—');
console.log(result);

const jsonFile = 'bench/results/learning.json';
const runs: (typeof result)[] = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')).runs : [];
const kept = runs.filter((r) => r.label !== result.label);
kept.push(result);
writeFileSync(jsonFile, `${JSON.stringify({ runs: kept }, null, 2)}\n`);
writeFileSync(
  'bench/results/learning.md',
  `# Learning: queries right after the models learned a purchase

A decision asks for the complements of the page's item and of recent purchases.
When the subject bought something since the models were built, the decision
first adds it to the models, and the next complements query must reflect it.
This measures that query (k = 30) on the Amazon Sports and Outdoors data (60
catalog categories), in process: "unchanged" with no purchase since the last
query, "after a purchase" right after one was learned. The personal query
(a random subject's last ten purchases, k = 30) is measured the same way.

| label | commit | complements unchanged p50 / p99 | complements after a purchase p50 / p99 | personal unchanged p50 / p99 | personal after a purchase p50 / p99 | date |
|---|---|---|---|---|---|---|
${kept.map((r) => `| ${r.label} | ${r.commit} | ${figures(r.unchangedMs)} | ${figures(r.afterPurchaseMs)} | ${figures(r.personalUnchangedMs)} | ${figures(r.personalAfterPurchaseMs)} | ${r.date.slice(0, 16).replace('T', ' ')} UTC |`).join('\n')}

Machine: ${result.machine}. Commands:

${[...new Set(kept.map((r) => `    ${r.command}`))].join('\n')}

"before" is the code before the category statistics were kept up to date
basket by basket: each learned purchase made the next query rebuild them from
every pair count. "personal-before" is the code before a learned purchase
updated the personal and similar-items models in place: each one made the
next query sort again the array rows of the items it touched (thousands of
entries for a popular item) and recompute a damping term for every item.
`,
);
console.log('Wrote bench/results/learning.json and learning.md');
