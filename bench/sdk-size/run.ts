/**
 * `npm run bench:sdk-size`: builds the browser bundles as Pertinent serves
 * them and writes their minified, gzip and brotli sizes to
 * bench/results/sdk-size.md and .json. The budget (SDK, minified + gzip) is
 * enforced by sdk-size.test.ts in `npm test`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleName } from '../../sdk/build.ts';
import { measureBundle, SDK_GZIP_BUDGET } from './measure.ts';

const root = join(import.meta.dirname, '..', '..');
const names: BundleName[] = ['pertinent.js', 'pertinent.mjs', 'privacy-center.js'];
const sizes = [];
for (const name of names) sizes.push(await measureBundle(name));
const esbuild = JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8'))
  .version as string;
const result = {
  command: 'npm run bench:sdk-size',
  at: new Date().toISOString(),
  node: process.version,
  esbuild,
  budget: { bundle: 'pertinent.js', gzipBytes: SDK_GZIP_BUDGET },
  bundles: sizes,
};
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
const md = `# Browser bundle sizes

Command: \`${result.command}\` (${result.at}, Node ${result.node}, esbuild ${esbuild}).
Minified with esbuild (ES2022, bundled, no source map); gzip level 9; brotli quality 11.
Budget: the SDK (\`/sdk/pertinent.js\`) minified + gzipped at most ${kb(SDK_GZIP_BUDGET)} — checked by \`bench/sdk-size/sdk-size.test.ts\` in \`npm test\`.

| bundle | served at | minified | gzip | brotli |
|---|---|---|---|---|
${sizes
  .map(
    (s) =>
      `| ${s.name} | ${s.name === 'privacy-center.js' ? '/privacy-center/app.js' : `/sdk/${s.name}`} | ${s.minified} B (${kb(s.minified)}) | ${s.gzip} B (${kb(s.gzip)}) | ${s.brotli} B (${kb(s.brotli)}) |`,
  )
  .join('\n')}
`;
const out = join(root, 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'sdk-size.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(out, 'sdk-size.md'), md);
console.log(md);
