import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { paceBurst } from '../../core/ads/pacing.ts';
import type { Services } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import { createTestTenant, testApp } from '../../platform/testing-app.ts';
import { seedJeweller, weddingCampaign } from './ads.testing.ts';

const DAY0 = Date.UTC(2026, 10, 24, 0, 0);
const HOUR = 3600_000;
const STEP = 4 * 60_000; // each screen asks every four minutes

describeEachStore('budgets are paced evenly over a simulated day', (getDb) => {
  let app: App;
  let services: Services;
  let clock = DAY0;

  before(async () => {
    ({ app, services } = await testApp(getDb(), { now: () => clock, config: { PERTINENT_KEY_CACHE_SECONDS: '3600' } }));
  });
  after(async () => {
    await app.close();
    await services.ads.close();
  });

  test('three screens asking every four minutes for a day deliver each budget along a straight line', async () => {
    const shop = await createTestTenant(services);
    const oneDay = { start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 24 * HOUR).toISOString() };
    const budgets = { photographer: 360, chateau: 120 };
    await seedJeweller(app, shop, {
      photographer: weddingCampaign('photographer', 'wedding/photography', DAY0, {
        flight: oneDay,
        budget: { impressions: budgets.photographer },
        perScreen: { limit: 1000, windowMinutes: 60 },
      }),
      chateau: weddingCampaign('chateau', 'wedding/venues', DAY0, {
        flight: oneDay,
        budget: { impressions: budgets.chateau },
        perScreen: { limit: 1000, windowMinutes: 60 },
      }),
    });
    for (const id of ['s2', 's3'])
      await services.ads.putPlacement(shop.id, id, { kind: 'screen', venueId: 'maison-or' });
    const caller = { tenantId: shop.id, scope: 'server' as const, keyId: 'test' };
    const served = { photographer: 0, chateau: 0 };
    const worst = { photographer: 0, chateau: 0 };
    for (clock = DAY0; clock < DAY0 + 24 * HOUR; clock += STEP) {
      for (const screen of ['counter-screen', 's2', 's3']) {
        const d = await services.ads.decide(caller, screen);
        if (d.kind === 'advert') served[d.advert?.campaignId as keyof typeof served]++;
      }
      for (const [id, budget] of Object.entries(budgets) as [keyof typeof budgets, number][]) {
        const even = (budget * (clock + STEP - DAY0)) / (24 * HOUR);
        const gap = served[id] - even;
        worst[id] = Math.max(worst[id], Math.abs(gap));
        // Never ahead of the line by more than the burst; never behind by more than one step's share.
        assert.ok(gap <= paceBurst(budget) + 1e-9, `${id} ahead at ${new Date(clock).toISOString()}: ${gap}`);
        assert.ok(
          gap >= -((budget * STEP) / (24 * HOUR) + paceBurst(budget) + 1),
          `${id} behind at ${new Date(clock).toISOString()}: ${gap}`,
        );
      }
    }
    assert.deepEqual(served, budgets, 'each budget delivered in full by the end of the flight');
    for (const [id, budget] of Object.entries(budgets) as [keyof typeof budgets, number][]) {
      assert.ok(worst[id] <= 0.02 * budget + 2, `${id} strayed ${worst[id]} from the even line`);
    }
    const got = await services.ads.getCampaign(shop.id, 'photographer');
    assert.equal(got.served, budgets.photographer);
  });
});
