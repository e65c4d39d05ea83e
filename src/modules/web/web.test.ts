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

  test('a shop page may call the API with a publishable key only from an origin its tenant allows; server keys are unaffected', async () => {
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
    assert.match(String(pre.headers['access-control-allow-headers']), /x-subject-token/);
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);

    const shop = await createTestTenant(services);
    const browser = (origin: string, token: string | null = shop.token('web-1')) =>
      app.inject({
        method: 'GET',
        url: '/v1/consents/me',
        headers: {
          ...bearer(shop.publishable),
          ...(token === null ? {} : { 'x-subject-token': token }),
          origin,
          host: 'pertinent.example',
        },
      });

    // By default only the server's own origin (the privacy center) is allowed.
    const refused = await browser('https://shop.example');
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'origin_not_allowed');
    assert.match(refused.json().hint, /PUT \/v1\/allowed-origins/);
    assert.equal(refused.headers['access-control-allow-origin'], undefined, 'the page can read nothing');
    const own = await browser('https://pertinent.example');
    assert.equal(own.statusCode, 200);
    assert.equal(own.headers['access-control-allow-origin'], 'https://pertinent.example');

    // The admin sets the list; bad origins are refused and change nothing.
    const put = (origins: string[], key = shop.admin) =>
      app.inject({ method: 'PUT', url: '/v1/allowed-origins', headers: bearer(key), payload: { origins } });
    assert.equal((await put(['https://shop.example/path'])).json().code, 'invalid_origin');
    assert.equal((await put(['https://shop.example'], shop.server)).statusCode, 403);
    assert.deepEqual((await put(['https://shop.example', 'http://localhost:3000'])).json(), {
      origins: ['http://localhost:3000', 'https://shop.example'],
    });
    const listed = await app.inject({ method: 'GET', url: '/v1/allowed-origins', headers: bearer(shop.admin) });
    assert.deepEqual(listed.json().origins, ['http://localhost:3000', 'https://shop.example']);

    const ok = await browser('https://shop.example');
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['access-control-allow-origin'], 'https://shop.example');
    assert.equal(ok.headers.vary, 'Origin');
    const noToken = await browser('https://shop.example', null);
    assert.equal(noToken.statusCode, 401);
    assert.equal(noToken.headers['access-control-allow-origin'], 'https://shop.example', 'the page can read why');
    const other = await browser('https://evil.example');
    assert.equal(other.statusCode, 403);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    // Another tenant's list does not open this one.
    const second = await createTestTenant(services);
    const foreign = await app.inject({
      method: 'GET',
      url: '/v1/consents/me',
      headers: { ...bearer(second.publishable), 'x-subject-token': second.token('w'), origin: 'https://shop.example' },
    });
    assert.equal(foreign.json().code, 'origin_not_allowed');

    // Server keys are server to server: any origin, as before.
    const server = await app.inject({
      method: 'GET',
      url: '/v1/consents/web-1',
      headers: { ...bearer(shop.server), origin: 'https://evil.example' },
    });
    assert.equal(server.statusCode, 200);
    assert.equal(server.headers['access-control-allow-origin'], '*');
    const noOrigin = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
  });
});
