import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../platform/config.ts';
import type { Services } from '../../platform/container.ts';
import { createServices } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';
import { flight, JEWELLER, seedJeweller, weddingCampaign } from './ads.testing.ts';

const T0 = Date.UTC(2026, 10, 23, 10, 0); // a Monday, 11:00 in Paris
const WEDDING = new Set(['photographer', 'chateau', 'bridal']);

describeEachStore('contextual ads over HTTP', (getDb, kind) => {
  let app: App;
  let services: Services;
  let clock = T0;

  before(async () => {
    ({ app, services } = await testApp(getDb(), { now: () => clock }));
  });
  after(async () => {
    await app.close();
    await services.ads.close();
  });

  const decide = (key: string, placementId = 'counter-screen', locale?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/ads/decisions',
      headers: bearer(key),
      payload: locale === undefined ? { placementId } : { placementId, locale },
    });

  test("a jeweller's screen gets wedding campaigns before unrelated ones, in rotation, explained in the viewer's language", async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, {
      'cat-food': weddingCampaign('cat-food', 'pets/cat-food', T0),
      photographer: weddingCampaign('photographer', 'wedding/photography', T0),
      chateau: weddingCampaign('chateau', 'wedding/venues', T0),
      bridal: weddingCampaign('bridal', 'wedding/bridal-wear', T0),
    });
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      // A publishable key with no subject token: there is no subject on this path.
      const res = await decide(shop.publishable);
      assert.equal(res.statusCode, 200, res.body);
      const d = res.json();
      assert.equal(d.kind, 'advert');
      seen.push(d.advert.campaignId);
      if (i === 0) {
        assert.equal(d.locale, 'fr');
        assert.equal(d.explanation.text, 'Affiché parce que vous êtes dans une bijouterie');
        assert.match(d.explanation.advertiser, /^Annonceur : /);
        assert.equal(typeof d.playToken, 'string');
      }
      clock += 15_000;
    }
    assert.ok(
      seen.every((c) => WEDDING.has(c)),
      `only wedding campaigns: ${seen.join(', ')}`,
    );
    for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], 'no advert twice in a row');
    assert.equal(new Set(seen.slice(0, 3)).size, 3);
    const en = (await decide(shop.publishable, 'counter-screen', 'en-GB')).json();
    assert.equal(en.explanation.text, "Shown because you are in a jeweller's");
    const it = (await decide(shop.publishable, 'counter-screen', 'it')).json();
    assert.equal(it.explanation.text, 'Mostrato perché ti trovi in una gioielleria');
  });

  test("with no eligible campaign the screen shows the venue's own content, never an unrelated advert", async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, { 'cat-food': weddingCampaign('cat-food', 'pets/cat-food', T0) });
    const d = (await decide(shop.publishable)).json();
    assert.equal(d.kind, 'house');
    assert.equal(d.house.headline, JEWELLER.houseContent[0]?.headline);
    assert.equal(d.explanation.text, 'De la part de Maison Or');
    assert.equal(d.playToken, null);
    assert.equal(d.advert, undefined);
    const more = { ...JEWELLER, houseContent: [{ headline: 'A' }, { headline: 'B' }, { headline: 'C' }] };
    await app.inject({ method: 'PUT', url: '/v1/ads/venues/maison-or', headers: bearer(shop.server), payload: more });
    const headlines: string[] = [];
    for (let i = 0; i < 9; i++) headlines.push((await decide(shop.publishable)).json().house.headline);
    assert.equal(new Set(headlines.slice(-3)).size, 3, `the venue's own contents rotate too: ${headlines.join('')}`);
  });

  test("a closed venue's screen shows the venue's own content", async () => {
    clock = T0; // Monday 11:00 in Paris
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, { photographer: weddingCampaign('photographer', 'wedding/photography', T0) });
    const hours = { ...JEWELLER, openingHours: { 1: [['14:00', '19:00']] } };
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/ads/venues/maison-or',
      headers: bearer(shop.server),
      payload: hours,
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((await decide(shop.publishable)).json().kind, 'house');
    clock = T0 + 3 * 3600_000; // 14:00
    assert.equal((await decide(shop.publishable)).json().kind, 'advert');
  });

  test('a campaign never exceeds its per-screen limit; the next window or another screen may show it again', async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, {
      photographer: weddingCampaign('photographer', 'wedding/photography', T0, {
        perScreen: { limit: 3, windowMinutes: 60 },
      }),
    });
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) {
      kinds.push((await decide(shop.publishable)).json().kind);
      clock += 60_000;
    }
    assert.deepEqual(kinds, ['advert', 'advert', 'advert', 'house', 'house', 'house', 'house', 'house']);
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/ads/placements/fitting-room',
      headers: bearer(shop.server),
      payload: { kind: 'screen', venueId: 'maison-or' },
    });
    assert.equal(res.statusCode, 201);
    assert.equal((await decide(shop.publishable, 'fitting-room')).json().kind, 'advert');
    clock = T0 + 3600_000;
    assert.equal((await decide(shop.publishable)).json().kind, 'advert');
  });

  test('a budget is never exceeded, even by concurrent decisions on several screens', async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    // A flight that ends in a minute: pacing allows (almost) the whole budget now.
    await seedJeweller(app, shop, {
      photographer: weddingCampaign('photographer', 'wedding/photography', T0, {
        flight: { start: new Date(T0 - 30 * 24 * 3600_000).toISOString(), end: new Date(T0 + 60_000).toISOString() },
        budget: { impressions: 5 },
      }),
    });
    for (const id of ['s2', 's3', 's4']) {
      await app.inject({
        method: 'PUT',
        url: `/v1/ads/placements/${id}`,
        headers: bearer(shop.server),
        payload: { kind: 'screen', venueId: 'maison-or' },
      });
    }
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => decide(shop.publishable, ['counter-screen', 's2', 's3', 's4'][i % 4])),
    );
    const adverts = results.map((r) => r.json()).filter((d) => d.kind === 'advert');
    assert.equal(adverts.length, 5);
    const got = await app.inject({ url: '/v1/ads/campaigns/photographer', headers: bearer(shop.server) });
    assert.equal(got.json().delivery.served, 5);
  });

  test('two nodes on one PostgreSQL database never exceed a budget or a per-screen cap together', {
    skip: kind === 'postgres' ? false : 'one process owns a SQLite file: a single node',
  }, async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, {
      photographer: weddingCampaign('photographer', 'wedding/photography', T0, {
        flight: { start: new Date(T0 - 30 * 24 * 3600_000).toISOString(), end: new Date(T0 + 60_000).toISOString() },
        budget: { impressions: 7 },
      }),
      chateau: weddingCampaign('chateau', 'wedding/venues', T0, { perScreen: { limit: 3, windowMinutes: 60 } }),
    });
    const other = await createServices(
      loadConfig({ PERTINENT_LOG_LEVEL: 'silent', PERTINENT_KEY_CACHE_SECONDS: '0' }),
      {
        db: getDb(),
        now: () => clock,
      },
    );
    const nodes = [services.ads, other.ads];
    const caller = { tenantId: shop.id, scope: 'server' as const, keyId: 'test' };
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (nodes[i % 2] as typeof services.ads).decide(caller, 'counter-screen')),
    );
    const count = (id: string) => answers.filter((d) => d.advert?.campaignId === id).length;
    assert.equal(count('chateau'), 3, 'the per-screen cap holds across nodes');
    assert.equal(count('photographer'), 7, 'and so does the budget');
    assert.equal(answers.filter((d) => d.kind === 'house').length, 30);
    // The budget is shared by every screen, the cap is per screen.
    await services.ads.putPlacement(shop.id, 'elsewhere', { kind: 'screen', venueId: 'maison-or' });
    const more = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (nodes[i % 2] as typeof services.ads).decide(caller, 'elsewhere')),
    );
    assert.equal(more.filter((d) => d.advert?.campaignId === 'photographer').length, 0);
    assert.equal(more.filter((d) => d.advert?.campaignId === 'chateau').length, 3);
    assert.equal((await services.ads.getCampaign(shop.id, 'photographer')).served, 7);
  });

  test('proof of play is counted once per decision; forged tokens are refused; reports are counts per campaign, venue and day', async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, { photographer: weddingCampaign('photographer', 'wedding/photography', T0) });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await decide(shop.publishable)).json().playToken);
    const play = (playToken: string, key = shop.publishable) =>
      app.inject({ method: 'POST', url: '/v1/ads/plays', headers: bearer(key), payload: { playToken } });
    assert.deepEqual((await play(tokens[0] as string)).json(), { counted: true });
    assert.deepEqual((await play(tokens[0] as string)).json(), { counted: false });
    assert.deepEqual((await play(tokens[1] as string)).json(), { counted: true });
    const forged = `${(tokens[2] as string).split('.')[0]}.${'A'.repeat(43)}`;
    const bad = await play(forged);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'ad_play_token_invalid');
    const other = await createTestTenant(services);
    assert.equal((await play(tokens[2] as string, other.publishable)).json().code, 'ad_play_token_invalid');

    const report = await app.inject({
      url: '/v1/ads/reports?from=2026-11-23&to=2026-11-23',
      headers: bearer(shop.server),
    });
    assert.equal(report.statusCode, 200);
    assert.deepEqual(report.json(), {
      rows: [{ day: '2026-11-23', campaignId: 'photographer', venueId: 'maison-or', served: 3, played: 2 }],
    });
    const badRange = await app.inject({
      url: '/v1/ads/reports?from=2026-11-24&to=2026-11-23',
      headers: bearer(shop.server),
    });
    assert.equal(badRange.json().code, 'ad_invalid_report_range');
  });

  test('bad input gets problem+json and writes nothing; sensitive targeting is refused', async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, {});
    const put = (url: string, payload: object) =>
      app.inject({ method: 'PUT', url, headers: bearer(shop.server), payload });
    const unknownField = await put('/v1/ads/campaigns/x', {
      ...weddingCampaign('x', 'wedding/photography', T0),
      targetAudience: 'brides-to-be',
    });
    assert.equal(unknownField.statusCode, 400);
    assert.equal(unknownField.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(unknownField.json().code, 'invalid_request');
    const sensitive = await put('/v1/ads/campaigns/x', weddingCampaign('x', 'health/fertility', T0));
    assert.equal(sensitive.statusCode, 422);
    assert.equal(sensitive.json().code, 'ad_sensitive_targeting');
    const pharmacy = await put('/v1/ads/campaigns/x', {
      ...weddingCampaign('x', 'wedding/photography', T0),
      targeting: { venueKinds: ['pharmacy'] },
    });
    assert.equal(pharmacy.json().code, 'ad_sensitive_targeting');
    const backwards = await put('/v1/ads/campaigns/x', {
      ...weddingCampaign('x', 'wedding/photography', T0),
      flight: { start: flight(T0).end, end: flight(T0).start },
    });
    assert.equal(backwards.json().code, 'ad_invalid_campaign');
    const list = await app.inject({ url: '/v1/ads/campaigns', headers: bearer(shop.server) });
    assert.deepEqual(list.json(), { campaigns: [] });

    const zone = await put('/v1/ads/venues/v2', { ...JEWELLER, timeZone: 'Mars/Olympus' });
    assert.equal(zone.json().code, 'ad_invalid_venue');
    const address = await put('/v1/ads/venues/v2', { ...JEWELLER, region: '12 rue de la Paix' });
    assert.equal(address.statusCode, 400);
    const orphan = await put('/v1/ads/placements/p2', { kind: 'screen', venueId: 'nowhere' });
    assert.equal(orphan.json().code, 'ad_venue_not_found');
    const venues = await app.inject({ url: '/v1/ads/venues', headers: bearer(shop.server) });
    assert.deepEqual(
      venues.json().venues.map((v: { id: string }) => v.id),
      ['maison-or'],
    );
    const unknown = await decide(shop.publishable, 'no-such-screen');
    assert.equal(unknown.json().code, 'ad_placement_not_found');
    const inUse = await app.inject({ method: 'DELETE', url: '/v1/ads/venues/maison-or', headers: bearer(shop.server) });
    assert.equal(inUse.json().code, 'ad_venue_in_use');
  });

  test('a screen authenticates with its own key, valid for its own placement only; a new key revokes the old one', async () => {
    clock = T0;
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, { photographer: weddingCampaign('photographer', 'wedding/photography', T0) });
    await app.inject({
      method: 'PUT',
      url: '/v1/ads/placements/window',
      headers: bearer(shop.server),
      payload: { kind: 'screen', venueId: 'maison-or' },
    });
    const issue = () =>
      app.inject({ method: 'POST', url: '/v1/ads/placements/counter-screen/screen-key', headers: bearer(shop.admin) });
    const byServer = await app.inject({
      method: 'POST',
      url: '/v1/ads/placements/counter-screen/screen-key',
      headers: bearer(shop.server),
    });
    assert.equal(byServer.json().code, 'insufficient_scope');
    const first = (await issue()).json();
    assert.match(first.url, /^\/screen\/counter-screen\?key=pub_/);
    assert.equal((await decide(first.secret)).statusCode, 200);
    const elsewhere = await decide(first.secret, 'window');
    assert.equal(elsewhere.statusCode, 403);
    assert.equal(elsewhere.json().code, 'ad_screen_key_mismatch');
    const manage = await app.inject({ url: '/v1/ads/campaigns', headers: bearer(first.secret) });
    assert.equal(manage.json().code, 'insufficient_scope');
    const second = (await issue()).json();
    assert.equal((await decide(second.secret)).statusCode, 200);
    assert.equal((await decide(first.secret)).json().code, 'unauthorized');
    const placements = await app.inject({ url: '/v1/ads/placements', headers: bearer(shop.server) });
    assert.equal(
      placements.json().placements.find((p: { id: string }) => p.id === 'counter-screen').hasScreenKey,
      true,
    );
  });

  test('the screen player page is served without a key and holds nothing secret', async () => {
    const res = await app.inject({ url: '/screen/counter-screen' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(String(res.headers['content-security-policy']), /connect-src 'self'/);
    assert.match(res.body, /\/v1\/ads\/decisions/);
    assert.match(res.body, /\/v1\/ads\/plays/);
  });
});
