import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_SENSITIVE_TAXONOMY } from '../../core/taxonomy.ts';
import type { Services } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';

const PROBLEM = 'application/problem+json; charset=utf-8';

const coat = {
  title: 'Wool coat',
  category: 'Clothing/Outerwear/Coats',
  attributes: { brand: 'Acme', colour: 'navy', sizes: ['S', 'M'], wool: 80, lined: true },
  price: 189.5,
  currency: 'EUR',
};

describeEachStore('catalog', (getDb) => {
  let app: App;
  let small: App;
  let services: Services;
  let shop: TestTenant;
  let other: TestTenant;

  const put = (t: TestTenant, id: string, payload: unknown) =>
    app.inject({
      method: 'PUT',
      url: `/v1/items/${encodeURIComponent(id)}`,
      headers: bearer(t.server),
      payload: payload as object,
    });

  before(async () => {
    ({ app, services } = await testApp(getDb()));
    ({ app: small } = await testApp(getDb(), { config: { PERTINENT_BODY_LIMIT: '2048' } }));
    shop = await createTestTenant(services);
    other = await createTestTenant(services);
  });
  after(async () => {
    await app.close();
    await small.close();
  });

  test('an item is created, read, replaced, patched and deleted', async () => {
    const created = await put(shop, 'coat-1', coat);
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    assert.equal(body.id, 'coat-1');
    assert.equal(body.category, 'clothing/outerwear/coats', 'paths are normalized');
    assert.deepEqual(body.attributes, coat.attributes);
    assert.equal(body.available, true);
    assert.equal(body.sensitiveClass, null);

    const read = await app.inject({
      url: '/v1/items/coat-1',
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('s1') },
    });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().price, 189.5);

    const replaced = await put(shop, 'coat-1', { id: 'coat-1', title: 'Coat', category: 'clothing/coats' });
    assert.equal(replaced.statusCode, 200);
    assert.deepEqual(replaced.json().attributes, {}, 'PUT replaces the whole item');
    assert.equal(replaced.json().price, null);

    await put(shop, 'coat-1', coat);
    const patched = await app.inject({
      method: 'PATCH',
      url: '/v1/items/coat-1',
      headers: { ...bearer(shop.server), 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ available: false, attributes: { colour: 'black', wool: null } }),
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().available, false);
    assert.deepEqual(patched.json().attributes, { brand: 'Acme', colour: 'black', sizes: ['S', 'M'], lined: true });
    assert.equal(patched.json().title, 'Wool coat');

    const cleared = await app.inject({
      method: 'PATCH',
      url: '/v1/items/coat-1',
      headers: bearer(shop.server),
      payload: { price: null, currency: null },
    });
    assert.equal(cleared.json().price, null);

    const deleted = await app.inject({ method: 'DELETE', url: '/v1/items/coat-1', headers: bearer(shop.server) });
    assert.equal(deleted.statusCode, 204);
    const gone = await app.inject({ url: '/v1/items/coat-1', headers: bearer(shop.server) });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().code, 'item_not_found');
    const again = await app.inject({ method: 'DELETE', url: '/v1/items/coat-1', headers: bearer(shop.server) });
    assert.equal(again.json().code, 'item_not_found');
    const patchMissing = await app.inject({
      method: 'PATCH',
      url: '/v1/items/nope',
      headers: bearer(shop.server),
      payload: { title: 'x' },
    });
    assert.equal(patchMissing.statusCode, 404);
  });

  test('concurrent patches of one item all take effect', async () => {
    const tenant = await createTestTenant(services);
    await services.catalog.putItem(tenant.id, 'busy', { title: 'Busy', category: 'x' });
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    await Promise.all(names.map((n) => services.catalog.patchItem(tenant.id, 'busy', { attributes: { [n]: n } })));
    const item = await services.catalog.getItem(tenant.id, 'busy');
    assert.deepEqual(Object.keys(item.attributes).sort(), names);
    const found = await services.catalog.findItems(tenant.id, ['busy', 'busy', 'none']);
    assert.deepEqual(
      found.map((i) => i.id),
      ['busy'],
    );
  });

  test('item ids may hold any printable character, including "/" when encoded', async () => {
    const res = await put(shop, 'SKU 12/B:ä', { title: 'Odd id', category: 'misc' });
    assert.equal(res.statusCode, 201, res.body);
    const read = await app.inject({
      url: `/v1/items/${encodeURIComponent('SKU 12/B:ä')}`,
      headers: bearer(shop.server),
    });
    assert.equal(read.json().id, 'SKU 12/B:ä');
  });

  test('writes need a server key; a publishable key may read', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/items/x',
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('s1') },
      payload: coat,
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'insufficient_scope');
    assert.equal(await services.catalog.findItem(shop.id, 'x'), undefined);
  });

  test('items are listed a page at a time, by category subtree', async () => {
    const tenant = await createTestTenant(services);
    const items = [
      { id: 'a1', title: 'Coat', category: 'clothing/outerwear/coats' },
      { id: 'a2', title: 'Parka', category: 'clothing/outerwear' },
      { id: 'a3', title: 'Shirt', category: 'clothing/shirts' },
      { id: 'a4', title: 'Outerwear-ish', category: 'clothing/outerwear-sale' },
      { id: 'a5', title: 'Lamp', category: 'home' },
    ];
    assert.equal(
      (await app.inject({ method: 'POST', url: '/v1/items/bulk', headers: bearer(tenant.server), payload: { items } }))
        .statusCode,
      200,
    );
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/items?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ url, headers: bearer(tenant.server) })).json() as {
        items: { id: string }[];
        nextCursor: string | null;
      };
      assert.ok(page.items.length <= 2);
      all.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(all, ['a1', 'a2', 'a3', 'a4', 'a5']);
    const outer = await app.inject({ url: '/v1/items?category=Clothing/Outerwear', headers: bearer(tenant.server) });
    assert.deepEqual(
      outer.json().items.map((i: { id: string }) => i.id),
      ['a1', 'a2'],
      'the subtree, not the sibling that shares a prefix',
    );
    const bad = await app.inject({ url: '/v1/items?cursor=!!', headers: bearer(tenant.server) });
    assert.equal(bad.json().code, 'invalid_cursor');
    const big = await app.inject({ url: '/v1/items?limit=100000', headers: bearer(tenant.server) });
    assert.equal(big.json().code, 'invalid_request');
  });

  test('bulk import is all or nothing and lists every rejected item', async () => {
    const tenant = await createTestTenant(services);
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/items/bulk',
      headers: bearer(tenant.server),
      payload: {
        items: [
          { id: 'b1', title: 'One', category: 'x' },
          { id: 'b2', title: 'Two', category: 'x' },
        ],
      },
    });
    assert.deepEqual(ok.json(), { created: 2, updated: 0 });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/items/bulk',
      headers: bearer(tenant.server),
      payload: {
        items: [
          { id: 'b1', title: 'One, renamed', category: 'x' },
          { id: 'b3', title: 'Three', category: 'x', price: 'cheap' },
          { id: 'b4', category: 'x' },
          { id: 'b1', title: 'Again', category: 'x' },
          'not an object',
        ],
      },
    });
    assert.equal(res.statusCode, 422);
    assert.equal(res.headers['content-type'], PROBLEM);
    const problem = res.json();
    assert.equal(problem.code, 'invalid_items');
    assert.ok(problem.hint);
    assert.deepEqual(
      problem.details.rejected.map((r: { index: number }) => r.index),
      [1, 2, 3, 4],
    );
    assert.match(JSON.stringify(problem.details.rejected[0].errors), /items\.1\.price/);
    assert.equal((await services.catalog.getItem(tenant.id, 'b1')).title, 'One', 'nothing was written');
    assert.equal(await services.catalog.findItem(tenant.id, 'b3'), undefined);
    const again = await app.inject({
      method: 'POST',
      url: '/v1/items/bulk',
      headers: bearer(tenant.server),
      payload: {
        items: [
          { id: 'b1', title: 'One, renamed', category: 'x' },
          { id: 'b5', title: 'Five', category: 'x' },
        ],
      },
    });
    assert.deepEqual(again.json(), { created: 1, updated: 1 });
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: `m${i}`, title: 'M', category: 'x' }));
    await assert.rejects(services.catalog.bulkUpsert(tenant.id, tooMany), { code: 'too_many_items' });
  });

  test('bad input gets problem+json that says how to fix it, and writes nothing', async () => {
    const tenant = await createTestTenant(services);
    const cases: { payload: string; type?: string; code: string; status: number }[] = [
      { payload: '{"title":', code: 'malformed_json', status: 400 },
      { payload: JSON.stringify({ title: 5, category: 'x' }), code: 'invalid_request', status: 400 },
      { payload: JSON.stringify({ title: 'T', category: 'x', colour: 'red' }), code: 'invalid_request', status: 400 },
      {
        payload: JSON.stringify({ title: 'T', category: 'x', price: -1, currency: 'EUR' }),
        code: 'invalid_request',
        status: 400,
      },
      { payload: JSON.stringify({ title: 'T', category: 'x', price: 10 }), code: 'invalid_item', status: 400 },
      { payload: JSON.stringify({ title: 'T', category: 'a//b' }), code: 'invalid_item', status: 400 },
      { payload: JSON.stringify({ id: 'other', title: 'T', category: 'x' }), code: 'invalid_item', status: 400 },
      {
        payload: JSON.stringify({ title: 'T', category: 'x', attributes: { 'bad name!': 1 } }),
        code: 'invalid_request',
        status: 400,
      },
      {
        payload: JSON.stringify({ title: 'T', category: 'x', attributes: { a: { nested: 1 } } }),
        code: 'invalid_request',
        status: 400,
      },
      { payload: 'title=T', type: 'text/plain', code: 'unsupported_media_type', status: 415 },
    ];
    for (const c of cases) {
      const res = await app.inject({
        method: 'PUT',
        url: '/v1/items/bad-1',
        headers: { ...bearer(tenant.server), 'content-type': c.type ?? 'application/json' },
        payload: c.payload,
      });
      assert.equal(res.statusCode, c.status, `${c.payload}: ${res.body}`);
      assert.equal(res.headers['content-type'], PROBLEM);
      assert.equal(res.json().code, c.code, c.payload);
      assert.ok(res.json().hint, 'every client error says how to fix it');
    }
    const big = await small.inject({
      method: 'PUT',
      url: '/v1/items/bad-1',
      headers: bearer(tenant.server),
      payload: { title: 'x'.repeat(4000), category: 'x' },
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'body_too_large');
    const bigBulk = await small.inject({
      method: 'POST',
      url: '/v1/items/bulk',
      headers: bearer(tenant.server),
      payload: { items: Array.from({ length: 100 }, (_, i) => ({ id: `z${i}`, title: 'Z', category: 'x' })) },
    });
    assert.equal(bigBulk.statusCode, 413);
    const badPatch = await app.inject({
      method: 'PATCH',
      url: '/v1/items/bad-1',
      headers: bearer(tenant.server),
      payload: { nope: 1 },
    });
    assert.equal(badPatch.json().code, 'invalid_request');
    assert.equal((await services.catalog.listItems(tenant.id)).items.length, 0);
  });

  test("one tenant cannot read, change or delete another tenant's items", async () => {
    await put(shop, 'private-1', coat);
    const read = await app.inject({ url: '/v1/items/private-1', headers: bearer(other.server) });
    assert.equal(read.statusCode, 404);
    const listed = (await app.inject({ url: '/v1/items', headers: bearer(other.server) })).json();
    assert.ok(listed.items.every((i: { id: string }) => i.id !== 'private-1'));
    const patch = await app.inject({
      method: 'PATCH',
      url: '/v1/items/private-1',
      headers: bearer(other.server),
      payload: { title: 'Stolen' },
    });
    assert.equal(patch.statusCode, 404);
    const del = await app.inject({ method: 'DELETE', url: '/v1/items/private-1', headers: bearer(other.server) });
    assert.equal(del.statusCode, 404);
    // Writing the same id in the other tenant creates the other tenant's own item.
    assert.equal((await put(other, 'private-1', { title: 'Theirs', category: 'x' })).statusCode, 201);
    assert.equal((await services.catalog.getItem(shop.id, 'private-1')).title, 'Wool coat');
    assert.deepEqual(await services.catalog.findMissingItems(other.id, ['coat-1', 'private-1']), ['coat-1']);
  });

  test('findMissingItems answers for a batch in one call', async () => {
    const tenant = await createTestTenant(services);
    await services.catalog.bulkUpsert(
      tenant.id,
      Array.from({ length: 600 }, (_, i) => ({ id: `f${i}`, title: 'F', category: 'x' })),
    );
    const ids = [...Array.from({ length: 1000 }, (_, i) => `f${i}`), 'f1', 'f999'];
    const missing = await services.catalog.findMissingItems(tenant.id, ids);
    assert.equal(missing.length, 400);
    assert.equal(missing[0], 'f600');
    assert.deepEqual(await services.catalog.findMissingItems(tenant.id, []), []);
  });

  test('the catalog version rises with every change to items or categories, and with nothing else', async () => {
    const tenant = await createTestTenant(services);
    const bystander = await createTestTenant(services);
    const version = () => services.catalog.catalogVersion(tenant.id);
    assert.equal(await version(), 0, 'no catalog yet');
    const seen = [0];
    /** Runs `change` and checks that the version rose (`rises`) or stayed. */
    const expect = async (rises: boolean, what: string, change: () => Promise<unknown>) => {
      await change();
      const now = await version();
      const before = seen.at(-1) as number;
      if (rises) assert.ok(now > before, `${what} raises the version (${before} → ${now})`);
      else assert.equal(now, before, `${what} leaves the version alone`);
      seen.push(now);
    };
    await expect(true, 'creating an item', () => services.catalog.putItem(tenant.id, 'v1', coat));
    await expect(true, 'replacing it', () => services.catalog.putItem(tenant.id, 'v1', { ...coat, price: 99 }));
    await expect(true, 'patching it', () => services.catalog.patchItem(tenant.id, 'v1', { available: false }));
    await expect(true, 'a bulk import', () =>
      services.catalog.bulkUpsert(tenant.id, [{ id: 'v2', title: 'V2', category: 'clothing/hats' }]),
    );
    await expect(false, 'reading', async () => {
      await services.catalog.listItems(tenant.id, {});
      await services.catalog.getItem(tenant.id, 'v1');
      await services.catalog.listCategories(tenant.id);
    });
    await expect(true, 'tagging a category', () =>
      services.catalog.putCategory(tenant.id, 'clothing/hats', { sensitiveClass: 'health' }),
    );
    await expect(true, 'deleting a category', () => services.catalog.deleteCategory(tenant.id, 'clothing/hats'));
    await expect(true, 'deleting an item', () => services.catalog.deleteItem(tenant.id, 'v2'));
    await expect(false, "another tenant's changes", () => services.catalog.putItem(bystander.id, 'v1', coat));
    assert.ok((await services.catalog.catalogVersion(bystander.id)) > 0);
  });

  test('an item inherits the class of its nearest tagged ancestor', async () => {
    const tenant = await createTestTenant(services);
    const h = bearer(tenant.server);
    const cat = (path: string, payload: object) =>
      app.inject({ method: 'PUT', url: `/v1/categories/${path}`, headers: h, payload });
    assert.equal((await cat('beauty', { name: 'Beauty', sensitiveClass: null })).statusCode, 201);
    const tagged = await cat('beauty/intimate', { name: 'Intimate care', sensitiveClass: 'sexual_life' });
    assert.equal(tagged.statusCode, 201, tagged.body);
    assert.equal(tagged.json().effectiveSensitiveClass, 'sexual_life');
    await cat('beauty/intimate/lotions', { sensitiveClass: 'health' });
    await services.catalog.bulkUpsert(tenant.id, [
      { id: 'i1', title: 'Lip balm', category: 'beauty/lips' },
      { id: 'i2', title: 'Gel', category: 'beauty/intimate/gels' },
      { id: 'i3', title: 'Lotion', category: 'Beauty/Intimate/Lotions/Unscented' },
      { id: 'i4', title: 'Vitamins', category: 'health/vitamins' },
      { id: 'i5', title: 'Test', category: 'health/pregnancy-tests' },
    ]);
    const classes = await services.catalog.sensitiveClassesOf(tenant.id, ['i1', 'i2', 'i3', 'i4', 'i5', 'nope']);
    assert.deepEqual(Object.fromEntries(classes), {
      i1: null,
      i2: 'sexual_life',
      i3: 'health',
      i4: 'health',
      i5: 'pregnancy_baby',
    });
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'i2'), 'sexual_life');
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'nope'), undefined);
    assert.equal(await services.catalog.sensitiveClassOfCategory(tenant.id, 'beauty/intimate/x'), 'sexual_life');
    const item = await app.inject({ url: '/v1/items/i2', headers: h });
    assert.equal(item.json().sensitiveClass, 'sexual_life');

    // Retagging takes effect at once on this node (the cache is cleared on write).
    await cat('beauty/intimate', { name: 'Intimate care', sensitiveClass: null });
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'i2'), null);
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'i3'), 'health');
    const del = await app.inject({ method: 'DELETE', url: '/v1/categories/beauty/intimate/lotions', headers: h });
    assert.equal(del.statusCode, 204);
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'i3'), null);

    const one = await app.inject({ url: '/v1/categories/beauty%2Fintimate', headers: h });
    assert.equal(one.json().path, 'beauty/intimate');
    const missing = await app.inject({ url: '/v1/categories/nothing/here', headers: h });
    assert.equal(missing.json().code, 'category_not_found');
    const badClass = await cat('x', { sensitiveClass: 'astrology' });
    assert.equal(badClass.json().code, 'invalid_request');
    const badPath = await cat('a/%20/b', { sensitiveClass: null });
    assert.equal(badPath.json().code, 'invalid_category_path');
  });

  test('the default taxonomy is applied on the first catalog write, once', async () => {
    const tenant = await createTestTenant(services);
    assert.equal((await services.catalog.listCategories(tenant.id)).length, 0, 'nothing before the first write');
    // The tenant tags one default path its own way before anything else.
    await services.catalog.putCategory(tenant.id, 'toys', { name: 'Toys for all ages', sensitiveClass: null });
    const categories = await services.catalog.listCategories(tenant.id);
    assert.equal(categories.length, DEFAULT_SENSITIVE_TAXONOMY.length);
    const byPath = new Map(categories.map((c) => [c.path, c]));
    assert.equal(byPath.get('health')?.sensitiveClass, 'health');
    assert.equal(byPath.get('toys')?.sensitiveClass, null, "the tenant's own choice is kept");
    for (const d of DEFAULT_SENSITIVE_TAXONOMY) {
      if (d.path !== 'toys') assert.equal(byPath.get(d.path)?.sensitiveClass, d.sensitiveClass, d.path);
    }
    // Deleted defaults are not re-added by later writes, only on request.
    await services.catalog.deleteCategory(tenant.id, 'kids');
    await services.catalog.putItem(tenant.id, 'k1', { title: 'Kite', category: 'kids/outdoor' });
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'k1'), null);
    const res = await app.inject({ method: 'POST', url: '/v1/taxonomy/defaults', headers: bearer(tenant.server) });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().added, ['kids']);
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'k1'), 'children');
    const listed = await app.inject({ url: '/v1/categories', headers: bearer(tenant.server) });
    assert.equal(listed.json().categories.length, DEFAULT_SENSITIVE_TAXONOMY.length);
  });

  test('importItems writes the good records and reports the bad ones', async () => {
    const tenant = await createTestTenant(services);
    const results = await services.catalog.importItems(tenant.id, [
      { id: 'p1', title: 'One', category: 'x' },
      { id: 'p2', title: 'Two', category: 'x', currency: 'eur', price: 1 },
      { id: 'p1', title: 'One again', category: 'x' },
      { id: 'p3', title: 'Three', category: 'x' },
    ]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false, true, true],
    );
    assert.deepEqual(results[0], { ok: true, created: true });
    assert.equal((await services.catalog.getItem(tenant.id, 'p1')).title, 'One again', 'the later line wins');
    assert.equal(await services.catalog.findItem(tenant.id, 'p2'), undefined);
  });
});
