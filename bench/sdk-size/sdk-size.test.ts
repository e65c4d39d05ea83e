import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureBundle, SDK_GZIP_BUDGET } from './measure.ts';

test(`the browser SDK stays within its budget: minified + gzipped at most ${SDK_GZIP_BUDGET} bytes`, async () => {
  const size = await measureBundle('pertinent.js');
  assert.ok(
    size.gzip <= SDK_GZIP_BUDGET,
    `sdk/ builds to ${size.gzip} bytes gzipped (${size.minified} minified), over the ${SDK_GZIP_BUDGET}-byte budget; see npm run bench:sdk-size`,
  );
});
