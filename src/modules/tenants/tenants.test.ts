import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Services } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';

describeEachStore('tenants and keys', (getDb) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;
  let other: TestTenant;

  before(async () => {
    ({ app, services } = await testApp(getDb()));
    shop = await createTestTenant(services);
    other = await createTestTenant(services);
  });
  after(async () => {
    await app.close();
  });

  test('a tenant id is taken once', async () => {
    await assert.rejects(services.tenants.createTenant(shop.id, 'again'), { code: 'tenant_exists' });
    await assert.rejects(services.tenants.createTenant('Bad Id!', 'x'), { code: 'invalid_tenant_id' });
  });

  test('keys are stored hashed and never listed with their secret', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(shop.admin) });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { keys: { id: string; scope: string }[] };
    assert.deepEqual(body.keys.map((k) => k.scope).sort(), ['admin', 'publishable', 'server']);
    assert.ok(!res.body.includes(shop.admin.split('_')[2] as string));
    const stored = await services.tenants.listKeys(shop.id);
    assert.ok(stored.every((k) => !JSON.stringify(k).includes('_')));
  });

  test('a key created over HTTP works, is shown once, and stops working once revoked', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(shop.admin),
      payload: { scope: 'admin', label: 'ops' },
    });
    assert.equal(created.statusCode, 201);
    const { key, secret } = created.json() as { key: { id: string }; secret: string };
    assert.match(secret, /^adm_[a-z0-9]{12}_[a-f0-9]{40}$/);
    assert.equal((await app.inject({ url: '/v1/keys', headers: bearer(secret) })).statusCode, 200);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/keys/${key.id}`, headers: bearer(shop.admin) });
    assert.equal(revoked.statusCode, 204);
    const refused = await app.inject({ url: '/v1/keys', headers: bearer(secret) });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(refused.json().code, 'unauthorized');
    const again = await app.inject({ method: 'DELETE', url: `/v1/keys/${key.id}`, headers: bearer(shop.admin) });
    assert.equal(again.json().code, 'key_not_found');
  });

  test('missing, malformed, forged and wrong-scope keys are refused with problem+json', async () => {
    const none = await app.inject({ url: '/v1/keys' });
    assert.equal(none.statusCode, 401);
    assert.match(none.json().hint, /Authorization: Bearer/);
    assert.equal((await app.inject({ url: '/v1/keys', headers: bearer('nonsense') })).statusCode, 401);
    const forged = shop.admin.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    assert.equal((await app.inject({ url: '/v1/keys', headers: bearer(forged) })).statusCode, 401);
    const scoped = await app.inject({ url: '/v1/keys', headers: bearer(shop.server) });
    assert.equal(scoped.statusCode, 403);
    assert.equal(scoped.json().code, 'insufficient_scope');
  });

  test("one tenant's admin key cannot see or revoke another tenant's keys", async () => {
    const theirs = await services.tenants.listKeys(other.id);
    const target = theirs[0]?.id as string;
    const res = await app.inject({ method: 'DELETE', url: `/v1/keys/${target}`, headers: bearer(shop.admin) });
    assert.equal(res.statusCode, 404);
    assert.equal((await services.tenants.listKeys(other.id)).filter((k) => k.revokedAt !== null).length, 0);
    const listed = (await app.inject({ url: '/v1/keys', headers: bearer(shop.admin) })).json() as {
      keys: { id: string }[];
    };
    assert.ok(listed.keys.every((k) => !theirs.some((t) => t.id === k.id)));
  });

  test('bad bodies are refused, say what to fix, and create nothing', async () => {
    const before = (await services.tenants.listKeys(shop.id)).length;
    const cases = [
      { payload: '{"scope":', type: 'application/json', code: 'malformed_json' },
      { payload: JSON.stringify({ scope: 'root' }), type: 'application/json', code: 'invalid_request' },
      { payload: JSON.stringify({ scope: 'server', extra: 1 }), type: 'application/json', code: 'invalid_request' },
      { payload: JSON.stringify({ scope: 'server', label: 5 }), type: 'application/json', code: 'invalid_request' },
      { payload: 'scope=server', type: 'text/plain', code: 'unsupported_media_type' },
    ];
    for (const c of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: { ...bearer(shop.admin), 'content-type': c.type },
        payload: c.payload,
      });
      assert.equal(res.json().code, c.code, c.payload);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500);
      assert.ok(res.json().hint, 'every client error says how to fix it');
    }
    const unknownField = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(shop.admin),
      payload: { scope: 'server', extra: 1 },
    });
    assert.match(unknownField.json().detail, /unknown field "extra"/);
    assert.equal((await services.tenants.listKeys(shop.id)).length, before);
  });

  test('the OpenAPI document and reference page are served', async () => {
    const doc = await app.inject({ url: '/openapi.json' });
    assert.equal(doc.statusCode, 200);
    assert.equal(doc.json().openapi, '3.1.0');
    assert.ok(doc.json().paths['/v1/keys']);
    const page = await app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
    const missing = await app.inject({ url: '/v1/nope' });
    assert.equal(missing.json().code, 'route_not_found');
  });
});
