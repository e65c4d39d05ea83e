import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { BundleName } from '../../sdk/build.ts';
import { buildBundle } from '../../sdk/build.ts';

/** The SDK's budget: minified and gzipped, in bytes (10 KB). */
export const SDK_GZIP_BUDGET = 10 * 1024;

/** The sizes of one browser bundle, in bytes. */
export interface BundleSize {
  readonly name: BundleName;
  readonly minified: number;
  readonly gzip: number;
  readonly brotli: number;
}

/**
 * Builds a bundle as Pertinent serves it and measures it (gzip level 9, brotli quality 11).
 *
 * @example
 * const { gzip } = await measureBundle('pertinent.js'); // gzip <= SDK_GZIP_BUDGET
 */
export async function measureBundle(name: BundleName): Promise<BundleSize> {
  const js = Buffer.from(await buildBundle(name), 'utf8');
  return {
    name,
    minified: js.length,
    gzip: gzipSync(js, { level: 9 }).length,
    brotli: brotliCompressSync(js, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}
