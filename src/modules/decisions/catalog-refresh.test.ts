import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Services } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { createTestTenant, testApp } from '../../platform/testing-app.ts';

describeEachStore('decisions follow catalog changes', (getDb) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;
  let clock = Date.now();
  /** Pages of items the decisions have read from the catalog so far. */
  let pagesRead = 0;

  before(async () => {
    ({ app, services } = await testApp(getDb(), { now: () => clock }));
    shop = await createTestTenant(services);
    await services.catalog.bulkUpsert(shop.id, [
      { id: 'hat-1', title: 'Felt hat', category: 'clothing/hats' },
      { id: 'coat-1', title: 'Wool coat', category: 'clothing/coats' },
    ]);
    const listItems = services.catalog.listItems.bind(services.catalog);
    services.catalog.listItems = (...args) => {
      pagesRead++;
      return listItems(...args);
    };
  });
  after(async () => {
    await app.close();
    await services.decisions.close();
  });

  /** An anonymous visitor on the hats page: the category's items, from the catalog held in memory. */
  const hats = async () => {
    const d = await services.decisions.decide({
      tenantId: shop.id,
      placement: 'category-page',
      subjectId: undefined,
      context: { category: 'clothing/hats' },
      limit: 5,
      exclude: [],
      gpc: false,
      knownMinor: false,
    });
    return d.items.map((i) => i.itemId).sort();
  };
  /** Lets the check started in the background by the last decision finish. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  /** The hats once the reading started in the background shows `expected` (tried for up to 3 s). */
  const eventually = async (expected: string[]) => {
    for (let tries = 0; tries < 30 && JSON.stringify(await hats()) !== JSON.stringify(expected); tries++)
      await settle();
    return hats();
  };

  test('an unchanged catalog is not read again; a change made elsewhere is, at the next check', async () => {
    assert.deepEqual(await hats(), ['hat-1']);
    const afterBuild = pagesRead;
    assert.ok(afterBuild > 0);

    clock += 31_000;
    await hats();
    await settle();
    assert.equal(pagesRead, afterBuild, 'the version was compared; nothing had changed, nothing was read');

    // Written through the catalog service, as another server process or node would.
    await services.catalog.putItem(shop.id, 'hat-2', { title: 'Straw hat', category: 'clothing/hats' });
    assert.deepEqual(await hats(), ['hat-1'], 'the catalog held is used until the next check');
    clock += 31_000;
    assert.deepEqual(await eventually(['hat-1', 'hat-2']), ['hat-1', 'hat-2']);
    assert.ok(pagesRead > afterBuild, 'the changed catalog was read again');

    await services.catalog.patchItem(shop.id, 'hat-1', { available: false });
    clock += 31_000;
    assert.deepEqual(await eventually(['hat-2']), ['hat-2'], 'an item no longer available leaves the decisions');
  });
});
