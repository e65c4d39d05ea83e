/**
 * The screen player in a real headless Chromium, against the real server on a
 * temporary SQLite database: a kiosk opens its screen URL, shows at least
 * three different adverts in rotation with the reason each was shown, and
 * reports each play. Screenshots are kept in test-artifacts/ads/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Services } from '../../platform/container.ts';
import { freshSqlite } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';
import { seedJeweller, weddingCampaign } from './ads.testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'ads');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (CI installs the chromium package)`;

describe('screen player in Chromium', { skip }, () => {
  let app: App;
  let services: Services;
  let cleanup: () => Promise<void>;
  let shop: TestTenant;
  let base: string;
  let browser: Browser;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const fresh = await freshSqlite();
    cleanup = fresh.cleanup;
    ({ app, services } = await testApp(fresh.db));
    shop = await createTestTenant(services);
    const now = Date.now();
    const quick = (id: string, category: string, headline: string, background: string) =>
      weddingCampaign(id, category, now, {
        creatives: [{ id: `${id}-1`, headline, body: `${id} & Co`, background, durationSeconds: 1 }],
      });
    await seedJeweller(app, shop, {
      photographer: quick(
        'photographer',
        'wedding/photography',
        'Studio Lumière — your wedding in pictures',
        '#553366',
      ),
      chateau: quick('chateau', 'wedding/venues', 'Château de Vaux — say yes in a castle', '#1d4d3a'),
      bridal: quick('bridal', 'wedding/bridal-wear', 'Atelier Blanc — bridal gowns made to measure', '#7a5a2b'),
      'cat-food': quick('cat-food', 'pets/cat-food', 'Crunchy cat food', '#aa0000'),
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await services?.ads.close();
    await cleanup?.();
  });

  test('a kiosk shows three different adverts in rotation, explains each, and reports the plays', async () => {
    const issued = await app.inject({
      method: 'POST',
      url: '/v1/ads/placements/counter-screen/screen-key',
      headers: bearer(shop.admin),
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (r) => sent.push(`${r.method()} ${new URL(r.url()).pathname} ${r.postData() ?? ''}`));
    await page.goto(`${base}${issued.json().url}`);
    const seen: string[] = [];
    for (let shown = 1; shown <= 4; shown++) {
      await page.waitForFunction((n) => Number(document.body.dataset.shown) >= n, shown, { timeout: 10_000 });
      const campaign = await page.evaluate(() => document.body.dataset.campaign ?? '');
      seen.push(campaign);
      assert.equal(await page.textContent('#why'), "Shown because you are in a jeweller's");
      assert.match((await page.textContent('#advertiser')) ?? '', /^Advertiser: /);
      await page.screenshot({ path: join(ARTIFACTS, `screen-${shown}-${campaign}.png`) });
    }
    assert.ok(!seen.includes('cat-food'), `unrelated advert shown: ${seen.join(', ')}`);
    assert.ok(new Set(seen).size >= 3, `three different adverts in rotation: ${seen.join(', ')}`);
    await page.waitForFunction(() => Number(document.body.dataset.shown) >= 5, undefined, { timeout: 10_000 });
    await context.close();

    // The page sent nothing but the placement, a language and play tokens.
    const bodies = sent.filter((s) => s.startsWith('POST'));
    assert.ok(bodies.some((s) => s.startsWith('POST /v1/ads/plays')));
    for (const s of bodies)
      assert.match(
        s,
        /^POST \/v1\/ads\/(decisions \{"placementId":"counter-screen","locale":"en"\}|plays \{"playToken":"[^"]+"\})$/,
      );
    const day = new Date().toISOString().slice(0, 10);
    const report = await app.inject({ url: `/v1/ads/reports?from=${day}&to=${day}`, headers: bearer(shop.server) });
    const played = report.json().rows.reduce((n: number, r: { played: number }) => n + r.played, 0);
    assert.ok(played >= 4, `plays reported: ${played}`);
  });
});
