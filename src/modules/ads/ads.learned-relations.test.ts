import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant } from '../../platform/testing-app.ts';
import { postAs, useTestApp, weddingCampaign } from './ads.testing.ts';

/**
 * The category relations the recommendation models learn from consented
 * baskets reach the ad path on their own (ADR 0012): no PUT /v1/ads/relations,
 * a venue kind with no built-in relations, and only pairs bought together by
 * at least PERTINENT_AD_RELATIONS_MIN_SUBJECTS (10) distinct consenting people.
 */
const T0 = Date.UTC(2026, 10, 23, 10, 0); // a Monday, 11:00 in Paris
const DAY = 24 * 3600_000;
const POLICY = 'p1';

/** A goldsmith: a kind the built-in venue table does not know, so only learned relations can make adverts relevant. */
const GOLDSMITH = {
  name: 'Atelier Dor',
  kind: 'goldsmith',
  categories: ['jewellery/rings'],
  region: 'FR-75',
  timeZone: 'Europe/Paris',
  locale: 'en',
  houseContent: [{ headline: 'Our rings' }],
};

describeEachStore('category relations learned by the models feed the ad path', (getDb) => {
  const h = useTestApp(getDb, () => T0);

  /**
   * A shop where `brides` consenting people each bought a ring with a veil (in
   * `basketsEach` baskets), 20 consenting people bought garden tools or milk,
   * and 15 people who refused personalization bought rings with garden tools.
   */
  async function seedShop(brides: number, basketsEach = 1): Promise<TestTenant> {
    const shop = await createTestTenant(h.services);
    await h.services.catalog.bulkUpsert(
      shop.id,
      [
        ['ring', 'Gold ring', 'jewellery/rings'],
        ['veil', 'Lace veil', 'wedding/veils'],
        ['trowel', 'Trowel', 'garden/tools'],
        ['milk', 'Milk', 'groceries/milk'],
      ].map(([id, title, category]) => ({ id, title, category, price: 10, currency: 'EUR', attributes: {} })) as never,
    );
    await h.services.consent.registerPolicy(shop.id, { version: POLICY, noticeText: 'We use your purchases.' });
    const events: Record<string, unknown>[] = [];
    const person = async (subjectId: string, status: 'granted' | 'denied', baskets: string[][]) => {
      await h.services.consent.record(shop.id, {
        subjectId,
        policyVersion: POLICY,
        choices: [{ purpose: 'personalization', status }],
        source: 'test',
      });
      baskets.forEach((items, b) => {
        for (const itemId of items) {
          events.push({
            eventId: `${subjectId}-${b}-${itemId}`,
            subjectId,
            type: 'purchase',
            itemId,
            occurredAt: new Date(T0 - (b + 1) * DAY).toISOString(),
          });
        }
      });
    };
    for (let i = 0; i < brides; i++)
      await person(
        `bride-${i}`,
        'granted',
        Array.from({ length: basketsEach }, () => ['ring', 'veil']),
      );
    for (let i = 0; i < 20; i++) await person(`other-${i}`, 'granted', [[i % 2 ? 'trowel' : 'milk']]);
    for (let i = 0; i < 15; i++) await person(`refuser-${i}`, 'denied', [['ring', 'trowel']]);
    await h.services.events.ingest(shop.id, events, {
      subjectFor: (requested) => requested as string,
      defaultSource: 'import',
    });
    const put = async (url: string, payload: unknown) => {
      const res = await h.app.inject({ method: 'PUT', url, headers: bearer(shop.server), payload: payload as object });
      assert.ok(res.statusCode < 300, `${url}: ${res.body}`);
    };
    await put('/v1/ads/venues/atelier', GOLDSMITH);
    await put('/v1/ads/placements/window', { kind: 'screen', venueId: 'atelier' });
    await put('/v1/ads/campaigns/bridal', weddingCampaign('bridal', 'wedding', T0));
    await put('/v1/ads/campaigns/garden', weddingCampaign('garden', 'garden/tools', T0));
    // The models are built at the tenant's first decision, and publish what they learned.
    const decision = await postAs(h.app, shop.server, '/v1/decisions', { placement: 'home' });
    assert.equal(decision.statusCode, 200, decision.body);
    await h.services.decisions.publishCategoryRelations();
    return shop;
  }

  const screen = async (shop: TestTenant, n: number) => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await postAs(h.app, shop.publishable, '/v1/ads/decisions', { placementId: 'window' });
      assert.equal(res.statusCode, 200, res.body);
      const d = res.json();
      seen.push(d.kind === 'advert' ? d.advert.campaignId : 'house');
    }
    return seen;
  };
  const learned = async (shop: TestTenant) => {
    const res = await h.app.inject({ url: '/v1/ads/relations', headers: bearer(shop.server) });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { relations: unknown[]; learned: { from: string; to: string; weight: number }[] };
    assert.deepEqual(body.relations, [], 'no manual relations');
    return body.learned;
  };

  test("with ten people buying jewellery with wedding items, a goldsmith's screen shows the wedding campaign, never the unrelated one", async () => {
    const shop = await seedShop(10);
    const table = await learned(shop);
    assert.ok(
      table.some((r) => r.from === 'jewellery' && r.to === 'wedding'),
      `jewellery → wedding learned: ${JSON.stringify(table)}`,
    );
    assert.ok(
      !table.some((r) => r.from.startsWith('jewellery') && r.to.startsWith('garden')),
      'baskets of people who refused personalization teach nothing',
    );
    assert.deepEqual(await screen(shop, 4), ['bridal', 'bridal', 'bridal', 'bridal']);
  });

  test('with nine people, however many baskets, the relation does not appear and the screen shows its own content', async () => {
    const shop = await seedShop(9, 3);
    const table = await learned(shop);
    assert.ok(
      !table.some((r) => r.from.startsWith('jewellery') || r.to.startsWith('jewellery')),
      JSON.stringify(table),
    );
    assert.deepEqual(await screen(shop, 2), ['house', 'house']);
  });

  test('erasing one of the ten withdraws the relation from the ad path', async () => {
    const shop = await seedShop(10);
    assert.deepEqual(await screen(shop, 1), ['bridal']);
    await h.services.rights.eraseSubject(shop.id, 'bride-0', 'server');
    assert.ok(!(await learned(shop)).some((r) => r.from === 'jewellery'), 'nine people left: below the threshold');
    assert.deepEqual(await screen(shop, 1), ['house']);
  });

  test("the operator's table overrides a learned pair (weight 0 removes it) and adds to it", async () => {
    const shop = await seedShop(10);
    const put = (relations: unknown[]) =>
      h.app.inject({ method: 'PUT', url: '/v1/ads/relations', headers: bearer(shop.server), payload: { relations } });
    const off = ['jewellery', 'jewellery/rings'].flatMap((from) =>
      ['wedding', 'wedding/veils'].map((to) => ({ from, to, weight: 0 })),
    );
    assert.equal((await put(off)).statusCode, 200);
    assert.deepEqual(await screen(shop, 1), ['house']);
    assert.equal((await put([{ from: 'jewellery/rings', to: 'garden', weight: 0.5 }])).statusCode, 200);
    assert.deepEqual(new Set(await screen(shop, 4)), new Set(['bridal', 'garden']));
  });
});
