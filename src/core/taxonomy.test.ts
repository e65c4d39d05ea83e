import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSensitiveClass, SENSITIVE_CLASSES } from './sensitive.ts';
import {
  categoryAncestors,
  categoryPathProblem,
  DEFAULT_SENSITIVE_TAXONOMY,
  nearestSensitiveClass,
  normalizeCategoryPath,
} from './taxonomy.ts';

test('paths are validated and normalized', () => {
  assert.equal(normalizeCategoryPath(' Clothing / Outerwear/  Winter   Coats '), 'clothing/outerwear/winter coats');
  for (const bad of ['', '/a', 'a/', 'a//b', 'a/ /b', 'a\nb', 'x'.repeat(501), Array(13).fill('a').join('/')]) {
    assert.ok(categoryPathProblem(bad), JSON.stringify(bad));
  }
  assert.equal(categoryPathProblem('health/pregnancy-tests'), undefined);
  assert.deepEqual(categoryAncestors('a/b/c'), ['a/b/c', 'a/b', 'a']);
});

test('the nearest tagged ancestor wins; no tag means not sensitive', () => {
  const tags = new Map(DEFAULT_SENSITIVE_TAXONOMY.map((d) => [d.path, d.sensitiveClass]));
  assert.equal(nearestSensitiveClass('health/pregnancy-tests/digital', tags), 'pregnancy_baby');
  assert.equal(nearestSensitiveClass('health/vitamins', tags), 'health');
  assert.equal(nearestSensitiveClass('clothing/kids/coats', tags), 'children');
  assert.equal(nearestSensitiveClass('clothing/outerwear', tags), null);
  assert.equal(nearestSensitiveClass('healthy-snacks', tags), null, 'a shared prefix is not an ancestor');
});

test('a tag applies to exactly the subtree under it (property)', () => {
  const segment = fc.constantFrom('a', 'b', 'c');
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  fc.assert(
    fc.property(path, path, fc.constantFrom(...SENSITIVE_CLASSES), (tagged, item, cls) => {
      const got = nearestSensitiveClass(item, new Map([[tagged, cls]]));
      const under = item === tagged || item.startsWith(`${tagged}/`);
      assert.equal(got, under ? cls : null);
    }),
  );
});

test('the default taxonomy is well formed, covers every class, and is documented', () => {
  const paths = DEFAULT_SENSITIVE_TAXONOMY.map((d) => d.path);
  assert.equal(new Set(paths).size, paths.length, 'no path twice');
  for (const d of DEFAULT_SENSITIVE_TAXONOMY) {
    assert.equal(categoryPathProblem(d.path), undefined, d.path);
    assert.equal(normalizeCategoryPath(d.path), d.path, `${d.path} is in normal form`);
    assert.ok(isSensitiveClass(d.sensitiveClass));
  }
  assert.deepEqual(
    [...new Set(DEFAULT_SENSITIVE_TAXONOMY.map((d) => d.sensitiveClass))].sort(),
    [...SENSITIVE_CLASSES].sort(),
  );
  const doc = readFileSync(new URL('../../docs/reference/sensitive-categories.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `([^`]+)` \| [^|]+ \| `([a-z_]+)` \|$/gm)].map((m) => `${m[1]}=${m[2]}`);
  assert.deepEqual(documented.sort(), DEFAULT_SENSITIVE_TAXONOMY.map((d) => `${d.path}=${d.sensitiveClass}`).sort());
});
