/**
 * The SDK and the privacy center in a real headless Chromium, against the real
 * server on a temporary SQLite database, with a demo shop page served from
 * another origin (as a shop embeds the SDK). Screenshots of the banner, the
 * widget and the privacy center in English, French and Italian are saved under
 * test-artifacts/browser/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { seedDemoShop } from '../src/modules/decisions/demo-shop.ts';
import type { Services } from '../src/platform/container.ts';
import { freshSqlite } from '../src/platform/db/testing.ts';
import type { App } from '../src/platform/http.ts';
import type { TestTenant } from '../src/platform/testing-app.ts';
import { createTestTenant, testApp } from '../src/platform/testing-app.ts';
import { CENTER_MESSAGES } from './privacy-center/messages.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts', 'browser');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (CI installs the chromium package)`;

/** The demo shop's page: the SDK from Pertinent's origin, a product, a cart button and the widget. */
const shopPage = (api: string, key: string, token: string, lang: string) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0}header,main{padding:16px;max-width:900px;margin:auto}
header{border-bottom:1px solid #ddd}</style></head>
<body><header><strong>Demo shop</strong> · <a id="privacy" href="#">Privacy</a></header>
<main><h1>Wool coat</h1><p>189 €</p><button id="cart" type="button">Add to cart</button>
<div id="recs"></div></main>
<script src="${api}/sdk/pertinent.js"></script>
<script>
Pertinent.init({ endpoint: ${JSON.stringify(api)}, key: ${JSON.stringify(key)}, token: ${JSON.stringify(token)} })
  .then(function (p) {
    window.shop = p;
    p.track({ type: 'view', itemId: 'coat-wool' });
    var show = function () { return p.recommend(document.getElementById('recs'), { placement: 'home', href: function (id) { return '#' + id; } }); };
    show();
    p.consent.onChange(show);
    document.getElementById('cart').onclick = function () { p.track({ type: 'cart', itemId: 'coat-wool', quantity: 1 }); };
    document.getElementById('privacy').onclick = function (e) { e.preventDefault(); location.href = p.privacyCenterUrl(); };
  });
</script></body></html>`;

describe('browser: banner, tracking, widget and privacy center in Chromium', { skip }, () => {
  let app: App;
  let services: Services;
  let cleanup: () => Promise<void>;
  let shop: TestTenant;
  let api: string;
  let shopServer: Server;
  let shopUrl: string;
  let browser: Browser;
  const tenants = new Map<string, TestTenant>();

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const fresh = await freshSqlite();
    cleanup = fresh.cleanup;
    ({ app, services } = await testApp(fresh.db));
    shop = await createTestTenant(services);
    await seedDemoShop(services, shop.id);
    api = await app.listen({ host: '127.0.0.1', port: 0 });
    shopServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://shop');
      const subject = url.searchParams.get('subject') ?? 'nobody';
      const tenant = tenants.get(url.searchParams.get('tenant') ?? '') ?? shop;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      if (url.pathname === '/embed') {
        // A shop page that embeds the privacy center in a frame.
        const center = `${api}/privacy-center#${new URLSearchParams({ key: tenant.publishable, token: tenant.token(subject), lang: 'en' })}`;
        res.end(`<!doctype html><html lang="en"><title>Account</title><h1>My account</h1>
<iframe title="Privacy center" src="${center}" style="width:100%;height:600px;border:1px solid #ccc"></iframe>`);
        return;
      }
      res.end(shopPage(api, tenant.publishable, tenant.token(subject), url.searchParams.get('lang') ?? 'en'));
    });
    await new Promise<void>((resolve) => shopServer.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shopServer.address() as AddressInfo).port}`;
    // The shop's pages are on another origin than Pertinent: the tenant allows it.
    await services.tenants.setAllowedOrigins(shop.id, [shopUrl]);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => shopServer?.close(resolve));
    await app?.close();
    await services?.close();
    await cleanup?.();
  });

  /** A subject with one earlier purchase, stored server side, that only consent lets Pertinent use. */
  const shopperWhoBoughtACoat = async (subjectId: string) => {
    await services.events.ingest(
      shop.id,
      [
        {
          eventId: `${subjectId}-p1`,
          subjectId,
          type: 'purchase',
          itemId: 'coat-wool',
          occurredAt: new Date().toISOString(),
        },
      ],
      { subjectFor: (s) => s as string, defaultSource: 'import' },
    );
    services.decisions.invalidate(shop.id);
  };

  const open = async (subject: string, lang: string, viewport = { width: 1024, height: 800 }) => {
    const context: BrowserContext = await browser.newContext({ viewport, locale: lang });
    const page: Page = await context.newPage();
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
    await page.goto(`${shopUrl}/?subject=${subject}&lang=${lang}`);
    return { context, page, requests };
  };
  const toEvents = (requests: Request[]) => requests.filter((r) => new URL(r.url()).pathname === '/v1/events');

  test('the banner offers refuse and accept with equal weight; refusing sends no tracking request at all', async () => {
    const { context, page, requests } = await open('refuser', 'en');
    const banner = page.locator('[data-pt=banner]');
    await banner.waitFor();
    const refuse = banner.getByRole('button', { name: 'Refuse all' });
    const accept = banner.getByRole('button', { name: 'Accept all' });
    const look = (b: typeof refuse) =>
      b.evaluate((el) => {
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return [r.width, r.height, s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderWidth].join('|');
      });
    assert.equal(await look(refuse), await look(accept), 'same size and style');
    // The banner comes first in the page: the first Tab reaches "Refuse all".
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Refuse all');
    await banner.getByRole('button', { name: 'Choose per purpose' }).click();
    assert.equal(await banner.getByRole('checkbox', { name: /Personalized recommendations/ }).isChecked(), false);
    await banner.getByRole('button', { name: 'Choose per purpose' }).click();

    await refuse.focus();
    const recorded = page.waitForResponse((r) => r.url().endsWith('/v1/consents') && r.request().method() === 'POST');
    await page.keyboard.press('Enter');
    assert.equal((await recorded).status(), 201);
    await banner.waitFor({ state: 'detached' });
    await page.locator('.pt-widget').waitFor();
    assert.notEqual(await page.locator('.pt-widget').getAttribute('data-mode'), 'personalized');
    await page.locator('#cart').click();
    await page.locator('.pt-item a').first().click();
    assert.equal(
      await page.evaluate(() =>
        (window as unknown as { shop: { track: (e: object) => string } }).shop.track({
          type: 'view',
          itemId: 'hat-beanie',
        }),
      ),
      'dropped',
    );
    await page.waitForTimeout(800);
    // Leaving the page flushes whatever would be sent.
    await page.goto('about:blank');
    assert.deepEqual(
      toEvents(requests).map((r) => r.url()),
      [],
      'no request to /v1/events after refusing',
    );
    const stored = await services.events.listEvents(shop.id, 'refuser', {});
    assert.equal(stored.length, 0);
    await context.close();
  });

  test('with Global Privacy Control on, the banner says so and does not offer the purposes GPC refuses', async () => {
    // As a browser with GPC on: the property for scripts, the header for servers.
    const context = await browser.newContext({
      viewport: { width: 1024, height: 800 },
      extraHTTPHeaders: { 'sec-gpc': '1' },
    });
    await context.addInitScript(() => Object.defineProperty(navigator, 'globalPrivacyControl', { value: true }));
    const page = await context.newPage();
    await page.goto(`${shopUrl}/?subject=gpc-visitor&lang=en`);
    const banner = page.locator('[data-pt=banner]');
    await banner.locator('[data-pt=gpc]').waitFor();
    await banner.locator('button.pt-link').click();
    const offered = await banner
      .getByRole('checkbox')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    assert.deepEqual(offered, ['personalization', 'measurement', 'marketing_messages']);
    await page.screenshot({ path: join(ARTIFACTS, 'banner-gpc-en.png') });
    await context.close();
  });

  test('after the policy changes, the banner asks again and says why; the privacy center also works inside a frame', async () => {
    const other = await createTestTenant(services);
    tenants.set(other.id, other);
    await services.tenants.setAllowedOrigins(other.id, [shopUrl]);
    await services.consent.registerPolicy(other.id, { version: 'v1', noticeText: 'First notice.' });
    await services.consent.record(other.id, {
      subjectId: 'returning',
      policyVersion: 'v1',
      choices: [{ purpose: 'personalization', status: 'granted' }],
      source: 'test',
    });
    await services.consent.registerPolicy(other.id, { version: 'v2', noticeText: 'Second notice.' });
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${shopUrl}/?subject=returning&lang=en&tenant=${other.id}`);
    await page.locator('[data-pt=banner] [data-pt=renew]').waitFor();
    // A shop with its own consent UI records through the SDK and it acts at once.
    const granted = await page.evaluate(async () => {
      const p = (window as unknown as { shop: import('../sdk/index.ts').Pertinent }).shop;
      await p.setConsents({ measurement: true });
      return p.consent.granted('measurement');
    });
    assert.equal(granted, true);
    const measured = await services.consent.consentsOf(other.id, 'returning');
    assert.equal(measured.purposes.find((p) => p.purpose === 'measurement')?.status, 'granted');

    await page.goto(`${shopUrl}/embed?subject=returning&tenant=${other.id}`);
    const frame = page.frameLocator('iframe');
    await frame.locator('[data-purpose=personalization] .state-needs_renewal').waitFor();
    await frame.locator('#allow-personalization').click();
    await frame.locator('[data-purpose=personalization] .state-granted').waitFor();
    const consents = await services.consent.consentsOf(other.id, 'returning');
    assert.equal(consents.purposes.find((p) => p.purpose === 'personalization')?.status, 'granted');
    await page.screenshot({ path: join(ARTIFACTS, 'privacy-center-embedded-en.png') });
    await context.close();
  });

  test('without a link from the shop, or with an expired one, the privacy center says to open it from the shop again', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${api}/privacy-center?lang=it`);
    await page.getByRole('alert').getByText('Apri di nuovo il centro privacy dal negozio').waitFor();
    const expired = shop.token('late', -60);
    await page.goto(`${api}/privacy-center#key=${shop.publishable}&token=${expired}&lang=en`);
    await page.getByRole('alert').getByText('Open the privacy center from the shop again').waitFor();
    await context.close();
  });

  const decisionOf = (page: Page) =>
    page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/decisions' && r.request().method() === 'POST');

  for (const lang of ['en', 'fr', 'it'] as const) {
    test(`[${lang}] accepting personalizes the widget, "Why?" shows the reason, the privacy center changes a consent`, async () => {
      const subject = `buyer-${lang}`;
      await shopperWhoBoughtACoat(subject);
      const { context, page, requests } = await open(subject, lang);
      const banner = page.locator('[data-pt=banner]');
      await banner.waitFor();
      await page.locator('.pt-widget').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `banner-${lang}.png`) });
      await page.setViewportSize({ width: 360, height: 780 });
      await page.screenshot({ path: join(ARTIFACTS, `banner-phone-${lang}.png`) });
      await page.setViewportSize({ width: 1024, height: 800 });
      await banner.locator('button.pt-link').click();
      await page.screenshot({ path: join(ARTIFACTS, `banner-choices-${lang}.png`) });

      const personal = decisionOf(page);
      // Listen before accepting: the held view may be sent before the widget has re-rendered.
      const heldViewSent = page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/events');
      await banner.locator('[data-pt=accept]').click();
      const decision = await (await personal).json();
      assert.equal(decision.mode, 'personalized', 'accepting personalization makes the widget personalized');
      await page.locator('.pt-widget[data-mode=personalized]').waitFor();

      // The view held while undecided is sent now that personalization is granted.
      await heldViewSent;
      assert.ok(toEvents(requests).length >= 1);

      const explained = page.waitForResponse((r) => r.url().includes('/explanation'));
      await page.locator('[data-pt=why]').first().click();
      const explanation = await (await explained).json();
      const first = decision.items[0];
      const reason = explanation.items.find((i: { itemId: string }) => i.itemId === first.itemId).reasons[0].text;
      const pop = page.locator('[data-pt=explanation]').first();
      await pop.getByText(reason).waitFor();
      if (lang === 'en') assert.match((await pop.textContent()) ?? '', /Because you bought Wool coat/);
      await page.screenshot({ path: join(ARTIFACTS, `widget-${lang}.png`) });
      // Escape closes the explanation and gives the focus back to its button.
      await pop.locator('a').focus();
      await page.keyboard.press('Escape');
      await pop.waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-pt')), 'why');

      // "Not interested" on the last item: it goes, and the privacy center lists it.
      const last = decision.items.at(-1);
      const declared = page.waitForResponse((r) => r.url().endsWith('/preferences') && r.request().method() === 'PUT');
      await page.locator(`[data-item="${last.itemId}"] [data-pt=not-interested]`).click();
      assert.equal((await declared).status(), 200);
      await page.locator(`[data-item="${last.itemId}"]`).waitFor({ state: 'detached' });
      const prefs = await services.events.getPreferences(shop.id, subject);
      assert.deepEqual(
        prefs.preferences.notInterested.map((n) => n.itemId),
        [last.itemId],
      );

      // The privacy center, on a phone-sized screen.
      await page.setViewportSize({ width: 360, height: 780 });
      await page.locator('#privacy').click();
      await page.waitForURL(/privacy-center/);
      const personalization = page.locator('[data-purpose=personalization]');
      await personalization.locator('.state-granted').waitFor();
      assert.ok(!page.url().includes('token='), 'the token is removed from the address bar');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 360), true, 'no sideways scroll');
      // The recent recommendations come from the server (nothing passed in the link): the one the
      // shop showed is there with why each item was shown, in the page's language.
      const recent = page.getByRole('region', { name: CENTER_MESSAGES[lang].recentTitle });
      const shown = recent.locator(`article[data-decision="${decision.decisionId}"]`);
      await shown.waitFor();
      assert.match(
        (await shown.getByRole('heading', { level: 3 }).textContent()) ?? '',
        new RegExp(`\\(${decision.placement}\\)$`),
      );
      assert.ok(
        ((await shown.locator(`[data-item="${first.itemId}"] .why`).textContent()) ?? '').includes(reason),
        'the reason shown in the widget is in the privacy center too',
      );
      assert.equal(await shown.getAttribute('aria-labelledby'), `d-${decision.decisionId}`);
      await page.locator('#prefs .chips li', { hasText: last.title }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `privacy-center-${lang}.png`), fullPage: true });

      const withdrawn = page.waitForResponse(
        (r) => r.url().endsWith('/v1/consents') && r.request().method() === 'POST',
      );
      await personalization.locator('#refuse-personalization').click();
      assert.equal((await withdrawn).status(), 201);
      await personalization.locator('.state-withdrawn').waitFor();
      assert.equal(await page.locator('#refuse-personalization').getAttribute('aria-pressed'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'refuse-personalization', 'focus stays');
      const consents = await services.consent.consentsOf(shop.id, subject);
      assert.equal(consents.purposes.find((p) => p.purpose === 'personalization')?.status, 'withdrawn');
      await context.close();
    });
  }

  test('the privacy center edits declared interests, switches language, downloads the data, objects to profiling and erases it', async () => {
    assert.ok(app.hasRoute({ method: 'POST', url: '/v1/subjects/:subjectId/erasure' }), 'the rights routes are served');
    const subject = 'eraser';
    await shopperWhoBoughtACoat(subject);
    const { context, page } = await open(subject, 'en', { width: 1024, height: 900 });
    await page.locator('[data-pt=banner] [data-pt=accept]').click();
    await page.locator('.pt-widget[data-mode=personalized]').waitFor();
    await page.locator('#privacy').click();
    await page.locator('[data-purpose=personalization] .state-granted').waitFor();
    // Landmarks and named regions for screen readers; a visible focus for the keyboard.
    await page.getByRole('main').waitFor();
    await page.getByRole('banner').waitFor();
    for (const name of ['Your consents', 'What you told us', 'Your recent recommendations', 'Your data']) {
      await page.getByRole('region', { name }).waitFor();
    }
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'skip', 'the skip link comes first');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    assert.equal(ring, 'solid', 'the focused control shows a focus ring');
    await page.screenshot({ path: join(ARTIFACTS, 'privacy-center-keyboard-focus-en.png') });

    // Declared interests: add one, see it saved, remove it again.
    await page.getByLabel('Add an interest').fill('hiking');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Remove hiking' }).waitFor();
    const declared = await services.events.getPreferences(shop.id, subject);
    assert.deepEqual(declared.preferences.interests.topics, ['hiking']);
    await page.getByRole('button', { name: 'Remove hiking' }).click();
    await page.getByText('You have not told us any interests.').waitFor();

    // The language can be switched in the page.
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { level: 1, name: 'Votre centre de confidentialité' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
    await page.getByLabel('Langue').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Your privacy center' }).waitFor();

    const download = page.waitForEvent('download');
    await page.locator('#download').click();
    const file = await (await download).path();
    const exported = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(exported.subjectId, subject);
    assert.ok(exported.events.length >= 1, 'the export holds the purchase');
    await page.locator('#data .note').first().waitFor();

    await page.locator('#object').click();
    await page
      .getByText('You object to profiling: recommendations are not personal.', { exact: false })
      .first()
      .waitFor();

    await page.locator('#erase').click();
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'erase-cancel',
      'the safe choice has the focus',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'privacy-center-erase-confirm-en.png'), fullPage: true });
    await page.locator('#erase-yes').click();
    await page.locator('#erase-done').waitFor();
    const said = await page.locator('#erase-done').textContent();
    await page.waitForFunction((text) => document.getElementById('announce')?.textContent === text, said);
    assert.equal((await services.events.listEvents(shop.id, subject, {})).length, 0, 'nothing of the subject remains');
    await context.close();
  });
});
