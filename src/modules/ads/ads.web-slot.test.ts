import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant } from '../../platform/testing-app.ts';
import { postAs, useTestApp, weddingCampaign } from './ads.testing.ts';

/**
 * Web slots take the page's context — its category, its item, its search
 * words — and use it for relevance as a screen uses its venue's categories,
 * with no subject anywhere: a request that names one is refused.
 */
const T0 = Date.UTC(2026, 10, 23, 10, 0);

describeEachStore('web slots choose adverts from the page they are on', (getDb) => {
  const h = useTestApp(getDb, () => T0);

  /** An online shop (a venue kind with no built-in relations) with a sidebar slot, an outdoor and a cat-food campaign. */
  async function seedWebShop(): Promise<TestTenant> {
    const shop = await createTestTenant(h.services);
    await h.services.catalog.bulkUpsert(shop.id, [
      { id: 'boot-1', title: 'Trail boot', category: 'outdoor/footwear/hiking-boots', attributes: {} },
    ] as never);
    const put = async (url: string, payload: unknown) => {
      const res = await h.app.inject({ method: 'PUT', url, headers: bearer(shop.server), payload: payload as object });
      assert.ok(res.statusCode < 300, `${url}: ${res.body}`);
    };
    await put('/v1/ads/venues/site', {
      name: 'Le Comptoir',
      kind: 'online_shop',
      region: 'FR',
      timeZone: 'Europe/Paris',
    });
    await put('/v1/ads/placements/sidebar', { kind: 'web', venueId: 'site' });
    const web = { targeting: { placementKinds: ['web'] } };
    await put('/v1/ads/campaigns/cat-food', weddingCampaign('cat-food', 'pets/cat-food', T0, web));
    await put('/v1/ads/campaigns/trail', weddingCampaign('trail', 'outdoor', T0, web));
    return shop;
  }
  const slot = (shop: TestTenant, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/ads/decisions',
      headers: { ...bearer(shop.publishable), ...headers },
      payload: { placementId: 'sidebar', ...body },
    });
  const campaignOf = async (shop: TestTenant, body: Record<string, unknown>) => {
    const res = await slot(shop, body);
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json();
    return d.kind === 'advert' ? (d.advert.campaignId as string) : 'house';
  };

  test('a slot on a hiking-boots page gets the outdoor campaign, never the unrelated one, explained by the page', async () => {
    const shop = await seedWebShop();
    assert.equal(await campaignOf(shop, {}), 'house', 'without the page, nothing is relevant to an online shop');
    const page = { context: { categoryPath: 'outdoor/footwear/hiking-boots' } };
    const texts: string[] = [];
    for (const locale of ['en', 'fr', 'it']) {
      const d = (await slot(shop, { ...page, locale })).json();
      assert.equal(d.advert.campaignId, 'trail');
      texts.push(d.explanation.text);
      assert.ok(d.explanation.parameters.includes('page_context'));
    }
    assert.deepEqual(texts, [
      'Shown because you are looking at hiking boots',
      'Affiché parce que vous regardez hiking boots',
      'Mostrato perché stai guardando hiking boots',
    ]);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await campaignOf(shop, page));
    assert.deepEqual(seen, ['trail', 'trail', 'trail', 'trail'], 'the cat-food campaign is never shown there');
  });

  test("the page's item, search words or keywords say what it is about", async () => {
    const shop = await seedWebShop();
    assert.equal(await campaignOf(shop, { context: { itemId: 'boot-1' } }), 'trail');
    assert.equal(await campaignOf(shop, { context: { itemId: 'unknown-item' } }), 'house');
    assert.equal(await campaignOf(shop, { context: { query: 'Outdoor jackets' } }), 'trail');
    assert.equal(await campaignOf(shop, { context: { keywords: ['kitten', 'cat food'] } }), 'cat-food');
    assert.equal(await campaignOf(shop, { context: { query: 'teapots' } }), 'house');
  });

  test('a sensitive page is no reason to show an advert', async () => {
    const shop = await seedWebShop();
    await h.app.inject({
      method: 'PUT',
      url: '/v1/ads/relations',
      headers: bearer(shop.server),
      payload: { relations: [{ from: 'health/pregnancy', to: 'outdoor', weight: 1 }] },
    });
    assert.equal(await campaignOf(shop, { context: { categoryPath: 'health/pregnancy/tests' } }), 'house');
  });

  test('a subject id or token, or an unknown field, is refused with 400 and nothing is served or counted', async () => {
    const shop = await seedWebShop();
    const page = { categoryPath: 'outdoor/footwear/hiking-boots' };
    const refusals = [
      [{ subjectId: 'alice', context: page }, {}, 'ad_subject_not_allowed'],
      [{ context: { ...page, userId: 'u-1' } }, {}, 'ad_subject_not_allowed'],
      [{ context: page }, { 'x-subject-token': shop.token('alice') }, 'ad_subject_not_allowed'],
      [{ context: page, referrer: 'https://example.com' }, {}, 'invalid_request'],
      [{ context: { ...page, colour: 'red' } }, {}, 'invalid_request'],
    ] as const;
    for (const [body, headers, code] of refusals) {
      const res = await slot(shop, body, headers);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      const problem = res.json();
      assert.equal(problem.code, code, res.body);
      assert.ok(problem.hint, 'the problem says how to fix it');
      assert.doesNotMatch(res.body, /alice|u-1/, 'the refusal does not echo the identifier');
    }
    await h.services.ads.flush();
    const delivery = await h.app.inject({ url: '/v1/ads/campaigns/trail', headers: bearer(shop.server) });
    assert.equal(delivery.json().delivery.served, 0);
    const report = await h.app.inject({
      url: '/v1/ads/reports?from=2026-11-23&to=2026-11-23',
      headers: bearer(shop.server),
    });
    assert.deepEqual(report.json().rows, []);
    const play = await postAs(h.app, shop.publishable, '/v1/ads/plays', {
      playToken: 'x'.repeat(20),
      subjectId: 'alice',
    });
    assert.equal(play.json().code, 'ad_subject_not_allowed');
  });
});
