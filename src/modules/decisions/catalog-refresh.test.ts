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

describeEachStore('lists kept between decisions follow catalog changes', (getDb) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;
  let clock = Date.now();

  before(async () => {
    ({ app, services } = await testApp(getDb(), { now: () => clock }));
    shop = await createTestTenant(services);
    await services.catalog.bulkUpsert(shop.id, [
      { id: 'coat-1', title: 'Wool coat', category: 'clothing/coats' },
      { id: 'scarf-1', title: 'Wool scarf', category: 'clothing/scarves' },
      { id: 'gloves-1', title: 'Leather gloves', category: 'clothing/gloves' },
      { id: 'tea-1', title: 'Green tea', category: 'groceries/tea' },
    ]);
    await services.consent.registerPolicy(shop.id, { version: '1', noticeText: 'Test notice.' });
    // Shoppers who bought the coat with a scarf and gloves, and others who only bought tea:
    // the scarf and the gloves go with the coat (more often than chance), and are popular.
    const events: Record<string, unknown>[] = [];
    const teaDrinkers = Array.from({ length: 8 }, (_, n) => `tea-${n}`);
    for (const subjectId of ['ana', 'ben', 'cleo', 'dora', ...teaDrinkers]) {
      await services.consent.record(shop.id, {
        subjectId,
        policyVersion: '1',
        choices: [{ purpose: 'personalization', status: 'granted' }],
        source: 'test',
      });
      const occurredAt = new Date(clock - 86_400_000).toISOString();
      // dora bought only the coat: her personal answers (the personal model's, and the complements
      // of what she bought) hold the scarf and the gloves.
      const bought = teaDrinkers.includes(subjectId)
        ? ['tea-1']
        : subjectId === 'dora'
          ? ['coat-1']
          : ['coat-1', 'scarf-1', 'gloves-1'];
      for (const itemId of bought)
        events.push({ eventId: `${subjectId}-${itemId}`, subjectId, type: 'purchase', itemId, occurredAt });
    }
    await services.events.ingest(shop.id, events, { subjectFor: (r) => r as string, defaultSource: 'import' });
  });
  after(async () => {
    await app.close();
    await services.decisions.close();
  });

  /** A decision on a page, for an anonymous visitor unless a subject is given. */
  const visit = (context: { itemId?: string }, subjectId?: string) =>
    services.decisions.decide({
      tenantId: shop.id,
      placement: 'home',
      subjectId,
      context,
      limit: 5,
      exclude: [],
      gpc: false,
      knownMinor: false,
    });
  /** What the visitor is shown on the coat's page (complements of the coat, then popular items) and on the home page (popular items). */
  const shown = async () => {
    const ids = [];
    for (const context of [{ itemId: 'coat-1' }, {}])
      ids.push((await visit(context)).items.map((i) => i.itemId).sort());
    return ids;
  };

  test('an item no longer available leaves the complements, popular and personal lists the decisions keep', async () => {
    const before = await shown();
    assert.ok(before[0]?.includes('scarf-1') && before[1]?.includes('scarf-1'), JSON.stringify(before));
    // dora is asked for twice in all: her item cap (20 a day) must not be what takes the scarf away.
    const forDora = await visit({}, 'dora');
    assert.equal(forDora.mode, 'personalized');
    assert.ok(
      forDora.items.some((i) => i.itemId === 'scarf-1' && i.reasons.some((r) => r.code === 'bought')),
      `dora is shown the scarf because she bought the coat: ${JSON.stringify(forDora.items)}`,
    );
    const onCoatPage = await visit({ itemId: 'coat-1' });
    const scarf = onCoatPage.items.find((i) => i.itemId === 'scarf-1');
    assert.ok(
      scarf?.reasons.some((r) => r.code === 'goes_with_current'),
      `the scarf comes from the coat's complements: ${JSON.stringify(scarf)}`,
    );
    // Asked again, the kept lists answer (the same answer).
    assert.deepEqual(await shown(), before);

    await services.catalog.patchItem(shop.id, 'scarf-1', { available: false });
    clock += 31_000;
    let now = await shown();
    for (let tries = 0; tries < 30 && now.some((ids) => ids.includes('scarf-1')); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = await shown();
    }
    assert.ok(!now[0]?.includes('scarf-1'), `coat page: ${JSON.stringify(now[0])}`);
    assert.ok(!now[1]?.includes('scarf-1'), `home page: ${JSON.stringify(now[1])}`);
    const doraNow = (await visit({}, 'dora')).items.map((i) => i.itemId);
    assert.ok(!doraNow.includes('scarf-1'), `dora's home page: ${JSON.stringify(doraNow)}`);
    assert.ok(doraNow.includes('gloves-1'), "dora's personal answers still hold the gloves");
    assert.ok(now[0]?.includes('gloves-1'), 'the other complement is still shown');
  });
});
