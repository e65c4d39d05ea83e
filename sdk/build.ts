import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The browser bundles Pertinent serves: the SDK (IIFE and ESM) and the privacy center's script.
 *
 * @example
 * BUNDLES['pertinent.js'].format; // 'iife'
 */
export const BUNDLES = {
  'pertinent.js': { entry: 'sdk/index.ts', format: 'iife' },
  'pertinent.mjs': { entry: 'sdk/index.ts', format: 'esm' },
  'privacy-center.js': { entry: 'web/privacy-center/app.ts', format: 'iife' },
} as const;
/**
 * The name of one of {@link BUNDLES}.
 *
 * @example
 * const name: BundleName = 'pertinent.mjs';
 */
export type BundleName = keyof typeof BUNDLES;

/**
 * Builds one browser bundle in memory: minified, for browsers since 2021
 * (ES2022: private fields stay native), no source map.
 *
 * @example
 * const js = await buildBundle('pertinent.js'); // the minified SDK, global `Pertinent`
 */
export async function buildBundle(name: BundleName): Promise<string> {
  const { entry, format } = BUNDLES[name];
  const out = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    minify: true,
    format,
    ...(format === 'iife' && name === 'pertinent.js' ? { globalName: 'Pertinent' } : {}),
    target: 'es2022',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
}

/** `npm run build:sdk`: writes the bundles to dist/sdk/ (git-ignored; the server builds its own on demand). */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(root, 'dist', 'sdk');
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(BUNDLES) as BundleName[]) {
    const js = await buildBundle(name);
    writeFileSync(join(dir, name), js);
    console.log(`dist/sdk/${name}  ${js.length} bytes`);
  }
}
