import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Services } from '../../platform/container.ts';
import { freshSqlite } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';

describe('web: SDK, privacy center and browser access', () => {
  let app: App;
  let services: Services;
  let cleanup: () => Promise<void>;
  before(async () => {
    const fresh = await freshSqlite();
    cleanup = fresh.cleanup;
    ({ app, services } = await testApp(fresh.db));
  });
  after(async () => {
    await app.close();
    await services.close();
    await cleanup();
  });

  test('the SDK is built on demand, minified, with a global Pertinent, and revalidates by ETag', async () => {
    const res = await app.inject({ method: 'GET', url: '/sdk/pertinent.js' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/javascript/);
    assert.ok(res.body.includes('var Pertinent='), 'an IIFE assigning the global Pertinent');
    assert.ok(res.body.length < 40000, 'minified');
    const again = await app.inject({
      method: 'GET',
      url: '/sdk/pertinent.js',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    const esm = await app.inject({ method: 'GET', url: '/sdk/pertinent.mjs' });
    assert.equal(esm.statusCode, 200);
    assert.match(esm.body, /export\{/);
  });

  test('the privacy center is served without a key, with a strict content security policy', async () => {
    const page = await app.inject({ method: 'GET', url: '/privacy-center' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<main id="main"/);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    for (const url of ['/privacy-center/', '/privacy-center/app.js', '/privacy-center/style.css']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
    const legacy = await app.inject({ method: 'GET', url: '/privacy' });
    assert.equal(legacy.statusCode, 302);
    assert.equal(legacy.headers.location, '/privacy-center');
  });

  test('a shop page on another origin may call the API: preflight and responses allow any origin, no credentials', async () => {
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/v1/events',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, x-subject-token, content-type',
      },
    });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(String(pre.headers['access-control-allow-headers']), /x-subject-token/);
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);

    const shop = await createTestTenant(services);
    const ok = await app.inject({
      method: 'GET',
      url: '/v1/consents/me',
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('web-1'), origin: 'https://shop.example' },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['access-control-allow-origin'], '*');
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/consents/me',
      headers: { ...bearer(shop.publishable), origin: 'https://shop.example' },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['access-control-allow-origin'], '*', 'the page can read why it was refused');
    const noOrigin = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
  });
});
