import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Services } from '../../platform/container.ts';
import { byStore } from '../../platform/container.ts';
import type { Db } from '../../platform/db/database.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';
import { EventService } from './events.service.ts';
import { PostgresEventStore } from './events.store.postgres.ts';
import { SqliteEventStore } from './events.store.sqlite.ts';
import type { EventStore } from './events.store.ts';
import { seedItems, viewEvent } from './events.testing.ts';

const ITEMS = ['coat', 'gloves', 'scarf', 'hat'];

async function countEvents(db: Db, tenantId: string): Promise<number> {
  if (db.kind === 'sqlite') {
    return (db.sqlite.prepare('SELECT count(*) AS n FROM events WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
  }
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [tenantId]);
  return rows[0].n;
}

/** Every table's every value, as text, and every column name. */
async function everythingStored(db: Db): Promise<string> {
  const parts: string[] = [];
  if (db.kind === 'sqlite') {
    const tables = db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      parts.push(name, ...(db.sqlite.pragma(`table_info(${name})`) as { name: string }[]).map((c) => c.name));
      parts.push(JSON.stringify(db.sqlite.prepare(`SELECT * FROM "${name}"`).all()));
    }
    return parts.join('\n');
  }
  const { rows } = await db.pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
  );
  for (const { table_name } of rows) {
    const r = await db.pool.query(`SELECT * FROM "${table_name}"`);
    parts.push(table_name, ...r.fields.map((f) => f.name), JSON.stringify(r.rows));
  }
  return parts.join('\n');
}

describeEachStore('events and declared data', (getDb) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;
  let other: TestTenant;

  const post = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...bearer(key), ...headers },
      ...(typeof payload === 'string' ? { payload } : { payload: payload as object }),
    });

  before(async () => {
    ({ app, services } = await testApp(getDb()));
    shop = await createTestTenant(services);
    other = await createTestTenant(services);
    await seedItems(getDb(), shop.id, ITEMS);
    await seedItems(getDb(), other.id, ['other-item']);
  });
  after(async () => {
    await app.close();
  });

  test('a batch is stored once: a retry counts duplicates and stores nothing again', async () => {
    const batch = [
      viewEvent('e1', 'alice', 'coat', { context: { placement: 'home', page: '/p/coat?email=a@b.c#top' } }),
      {
        eventId: 'e2',
        subjectId: 'alice',
        type: 'purchase',
        itemId: 'coat',
        quantity: 1,
        price: 120,
        occurredAt: '2026-11-01T10:00:00+01:00',
      },
      { eventId: 'e3', subjectId: 'alice', type: 'search', query: 'wool gloves', occurredAt: '2026-11-01T09:00:00Z' },
      {
        eventId: 'e4',
        subjectId: 'alice',
        type: 'impression',
        itemId: 'hat',
        occurredAt: '2026-11-01T09:00:00Z',
        source: 'app',
      },
    ];
    const first = await post(shop.server, batch);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { received: 4, stored: 4, duplicates: 0 });
    const retry = await post(shop.server, { events: batch });
    assert.deepEqual(retry.json(), { received: 4, stored: 0, duplicates: 4 });
    const mixed = await post(shop.server, [...batch.slice(0, 2), viewEvent('e5', 'alice', 'scarf')]);
    assert.deepEqual(mixed.json(), { received: 3, stored: 1, duplicates: 2 });
    assert.equal(await countEvents(getDb(), shop.id), 5);

    const list = await services.events.listEvents(shop.id, 'alice');
    assert.deepEqual(
      list.map((e) => e.eventId),
      ['e2', 'e3', 'e4', 'e1', 'e5'],
    );
    const purchase = list.find((e) => e.eventId === 'e2');
    assert.equal(purchase?.occurredAt, Date.parse('2026-11-01T09:00:00Z'));
    assert.equal(purchase?.price, 120);
    assert.equal(purchase?.purpose, 'personalization');
    assert.equal(purchase?.provenance, 'observed');
    const view = list.find((e) => e.eventId === 'e1');
    assert.equal(view?.page, '/p/coat', 'query string and fragment are not kept');
    assert.equal(view?.placement, 'home');
    assert.equal(view?.source, 'web');
    const impression = list.find((e) => e.eventId === 'e4');
    assert.equal(impression?.purpose, 'measurement');
    assert.equal(impression?.source, 'app');
    const search = list.find((e) => e.eventId === 'e3');
    assert.equal(search?.query, 'wool gloves');
    assert.equal(search?.itemId, null);

    const filtered = await services.events.listEvents(shop.id, 'alice', {
      types: ['view', 'purchase', 'search'],
      since: Date.parse('2026-11-01T09:30:00Z'),
      limit: 2,
    });
    assert.deepEqual(
      filtered.map((e) => e.eventId),
      ['e1', 'e5'],
    );
    // What decisions read: the same events, the latest when there are more than the limit (a
    // subject's recent purchase must not be cut off by older ones), with only the fields a decision uses.
    const matching = await services.events.listEvents(shop.id, 'alice', {
      types: ['view', 'purchase', 'search'],
      since: Date.parse('2026-11-01T09:30:00Z'),
    });
    assert.ok(matching.length > 1, 'more events match than the limit');
    const interactions = await services.events.listInteractions(shop.id, 'alice', {
      types: ['view', 'purchase', 'search'],
      since: Date.parse('2026-11-01T09:30:00Z'),
      limit: 1,
    });
    assert.deepEqual(
      interactions,
      matching.slice(-1).map((e) => ({
        eventId: e.eventId,
        type: e.type,
        itemId: e.itemId,
        occurredAt: e.occurredAt,
        purpose: e.purpose,
      })),
    );
  });

  test('concurrent batches share commits yet each is counted on its own; a repeated id in a batch is one event', async () => {
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => viewEvent(`c${b % 3}-${i}`, `conc-${i % 5}`, ITEMS[i % 4] as string)),
    );
    const results = await Promise.all(batches.map((batch) => post(shop.server, batch)));
    const bodies = results.map((r) => r.json() as { stored: number; duplicates: number });
    assert.equal(
      bodies.reduce((n, b) => n + b.stored, 0),
      150,
    );
    assert.ok(bodies.every((b) => b.stored + b.duplicates === 50 && (b.stored === 50 || b.stored === 0)));
    const twice = await post(shop.server, [viewEvent('twice', 'kim', 'coat'), viewEvent('twice', 'kim', 'coat')]);
    assert.deepEqual(twice.json(), { received: 2, stored: 1, duplicates: 1 });
  });

  test('NDJSON batches are accepted, and a bad line is named', async () => {
    const lines = [viewEvent('n1', 'bob', 'hat'), viewEvent('n2', 'bob', 'gloves')].map((e) => JSON.stringify(e));
    const ok = await post(shop.server, `${lines.join('\n')}\n`, { 'content-type': 'application/x-ndjson' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { received: 2, stored: 2, duplicates: 0 });
    const before = await countEvents(getDb(), shop.id);
    const bad = await post(shop.server, `${JSON.stringify(viewEvent('n3', 'bob', 'hat'))}\n{"eventId": "n4",\n`, {
      'content-type': 'application/x-ndjson',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(bad.json().code, 'malformed_ndjson');
    assert.match(bad.json().detail, /Line 2/);
    assert.equal(await countEvents(getDb(), shop.id), before);
  });

  test('a batch with any bad event is refused whole, listing each bad event and why', async () => {
    const before = await countEvents(getDb(), shop.id);
    const good = viewEvent('g1', 'carol', 'coat');
    const cases: { payload: unknown; code: string; status: number; type?: string }[] = [
      { payload: '[{"eventId": "x1",', code: 'malformed_json', status: 400, type: 'application/json' },
      { payload: 'eventId=x1', code: 'unsupported_media_type', status: 415, type: 'text/plain' },
      { payload: { event: [good] }, code: 'invalid_batch', status: 400 },
      { payload: [], code: 'empty_batch', status: 400 },
      {
        payload: [good, { ...viewEvent('w1', 'carol', 'coat'), quantity: 'two' }],
        code: 'invalid_events',
        status: 422,
      },
      { payload: [good, { ...viewEvent('w2', 'carol', 'coat'), colour: 'red' }], code: 'invalid_events', status: 422 },
      { payload: [good, viewEvent('w3', 'carol', 'no-such-item')], code: 'invalid_events', status: 422 },
      { payload: [good, viewEvent('w4', 'carol', 'other-item')], code: 'invalid_events', status: 422 },
      { payload: [good, { ...viewEvent('w5', 'carol', 'coat'), type: 'like' }], code: 'invalid_events', status: 422 },
      {
        payload: [good, { ...viewEvent('w6', 'carol', 'coat'), occurredAt: 'yesterday' }],
        code: 'invalid_events',
        status: 422,
      },
      {
        payload: [good, { ...viewEvent('w7', 'carol', 'coat'), purpose: 'sensitive:health' }],
        code: 'invalid_events',
        status: 422,
      },
      {
        payload: [good, { eventId: 'w8', type: 'view', itemId: 'coat', occurredAt: good.occurredAt }],
        code: 'invalid_events',
        status: 422,
      },
      {
        payload: [good, { ...viewEvent('w9', 'carol', 'coat'), occurredAt: '2099-01-01T00:00:00Z' }],
        code: 'invalid_events',
        status: 422,
      },
      { payload: [good, 'not an event'], code: 'invalid_events', status: 422 },
    ];
    for (const c of cases) {
      const res = await post(shop.server, c.payload, c.type ? { 'content-type': c.type } : {});
      assert.equal(res.statusCode, c.status, `${JSON.stringify(c.payload)}: ${res.body}`);
      assert.equal(res.json().code, c.code, JSON.stringify(c.payload));
      assert.ok(res.json().hint, 'every client error says how to fix it');
      if (c.code === 'invalid_events') {
        const listed = res.json().details.events as { index: number; eventId: string | null; errors: string[] }[];
        assert.equal(listed.length, 1, res.body);
        assert.equal(listed[0]?.index, 1);
        assert.ok((listed[0]?.errors.length ?? 0) > 0);
      }
    }
    const many = await post(shop.server, [
      { ...viewEvent('m1', 'carol', 'coat'), colour: 'red', itemId: 5 },
      good,
      viewEvent('m3', 'carol', 'nope'),
    ]);
    const listed = many.json().details.events as { index: number; eventId: string; errors: string[] }[];
    assert.deepEqual(
      listed.map((e) => [e.index, e.eventId]),
      [
        [0, 'm1'],
        [2, 'm3'],
      ],
    );
    assert.equal(listed[0]?.errors.length, 2, 'every mistake of an event is listed');
    assert.match(listed[1]?.errors[0] ?? '', /not in the catalog/);
    assert.equal(await countEvents(getDb(), shop.id), before, 'nothing was written');
  });

  test('oversized bodies and batches are refused and write nothing', async () => {
    const small = await testApp(getDb(), { config: { PERTINENT_BODY_LIMIT: '4096', PERTINENT_MAX_BATCH: '3' } });
    try {
      const t = await createTestTenant(small.services);
      await seedItems(getDb(), t.id, ITEMS);
      const inject = (payload: unknown) =>
        small.app.inject({ method: 'POST', url: '/v1/events', headers: bearer(t.server), payload: payload as object });
      const tooMany = await inject([1, 2, 3, 4].map((i) => viewEvent(`b${i}`, 's', 'coat')));
      assert.equal(tooMany.statusCode, 413);
      assert.equal(tooMany.json().code, 'batch_too_large');
      const huge = await inject([{ ...viewEvent('h1', 's', 'coat'), context: { page: `/${'x'.repeat(5000)}` } }]);
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().code, 'body_too_large');
      assert.equal(await countEvents(getDb(), t.id), 0);
    } finally {
      await small.app.close();
    }
  });

  test('a publishable key sends events only for the subject of its token', async () => {
    const token = shop.token('dave');
    const headers = { 'x-subject-token': token };
    const own = await post(
      shop.publishable,
      [viewEvent('p1', 'dave', 'coat'), { ...viewEvent('p2', 'x', 'hat'), subjectId: undefined }],
      headers,
    );
    assert.equal(own.statusCode, 200, own.body);
    const stored = await services.events.listEvents(shop.id, 'dave');
    assert.deepEqual(
      stored.map((e) => e.subjectId),
      ['dave', 'dave'],
    );

    const before = await countEvents(getDb(), shop.id);
    const foreign = await post(
      shop.publishable,
      [viewEvent('p3', 'dave', 'coat'), viewEvent('p4', 'erin', 'coat')],
      headers,
    );
    assert.equal(foreign.statusCode, 422);
    const listed = foreign.json().details.events;
    assert.deepEqual(
      listed.map((e: { index: number; eventId: string }) => [e.index, e.eventId]),
      [[1, 'p4']],
    );
    assert.match(listed[0].errors[0], /subject of the subject token/);

    const noToken = await post(shop.publishable, [viewEvent('p5', 'dave', 'coat')]);
    assert.equal(noToken.statusCode, 401);
    assert.equal(noToken.json().code, 'subject_token_required');
    const expired = await post(shop.publishable, [viewEvent('p6', 'dave', 'coat')], {
      'x-subject-token': shop.token('dave', -10),
    });
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().code, 'invalid_subject_token');
    const foreignToken = await post(shop.publishable, [viewEvent('p7', 'dave', 'coat')], {
      'x-subject-token': other.token('dave'),
    });
    assert.equal(foreignToken.statusCode, 401);
    const serverWithoutSubject = await post(shop.server, [{ ...viewEvent('p8', 'x', 'coat'), subjectId: undefined }]);
    assert.equal(serverWithoutSubject.statusCode, 422);
    assert.match(serverWithoutSubject.json().details.events[0].errors[0], /subjectId/);
    assert.equal(await countEvents(getDb(), shop.id), before);

    const mine = await app.inject({
      url: '/v1/subjects/me/events',
      headers: { ...bearer(shop.publishable), ...headers },
    });
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().events.length, 2);
    const theirs = await app.inject({
      url: '/v1/subjects/alice/events',
      headers: { ...bearer(shop.publishable), ...headers },
    });
    assert.equal(theirs.statusCode, 403);
    assert.equal(theirs.json().code, 'subject_mismatch');
  });

  test("one tenant never reads or writes another tenant's events", async () => {
    const same = await post(other.server, [viewEvent('e1', 'alice', 'other-item')]);
    assert.deepEqual(same.json(), { received: 1, stored: 1, duplicates: 0 }, 'event ids are per tenant');
    const res = await app.inject({ url: '/v1/subjects/alice/events', headers: bearer(other.server) });
    assert.deepEqual(
      res.json().events.map((e: { eventId: string; itemId: string }) => [e.eventId, e.itemId]),
      [['e1', 'other-item']],
    );
    const ours = await app.inject({
      url: '/v1/subjects/alice/events?types=view&limit=10',
      headers: bearer(shop.server),
    });
    assert.ok(ours.json().events.every((e: { itemId: string }) => e.itemId !== 'other-item'));
    assert.ok(ours.json().events.length >= 2);
  });

  test('no IP address is stored, whatever the request says about it', async () => {
    const ip = '203.0.113.77';
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      remoteAddress: ip,
      headers: { ...bearer(shop.server), 'x-forwarded-for': ip, 'x-real-ip': ip },
      payload: [viewEvent('ip1', 'frank', 'coat')],
    });
    assert.equal(res.statusCode, 200);
    const pref = await app.inject({
      method: 'PUT',
      url: '/v1/subjects/frank/preferences',
      remoteAddress: ip,
      headers: { ...bearer(shop.server), 'x-forwarded-for': ip },
      payload: { locale: 'fr' },
    });
    assert.equal(pref.statusCode, 200);
    const everything = await everythingStored(getDb());
    assert.ok(everything.includes('ip1'), 'the scan sees the events');
    assert.ok(!everything.includes(ip), 'the address is nowhere');
    assert.ok(!everything.includes('203.0.113'), 'not even in part');
    const columns = everything.split('\n').filter((l) => /^[a-z_]+$/.test(l));
    assert.ok(!columns.some((c) => /(^|_)(ip|address|user_agent)($|_)/.test(c)), columns.join(','));
  });

  test('declared preferences: replaced, read with provenance, withdrawn; "me" for the browser', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/subjects/grace/preferences',
      headers: bearer(shop.server),
      payload: {
        interests: { categories: ['clothing/winter', 'clothing/winter'], topics: ['hiking'] },
        notInterested: [
          { itemId: 'hat' },
          { category: 'pets', until: '2099-01-01T00:00:00Z' },
          { category: 'toys', until: '2000-01-01T00:00:00Z' },
        ],
        channels: ['email', 'push'],
        quietHours: { start: '22:00', end: '07:30', timeZone: 'Europe/Paris' },
        locale: 'fr-fr',
        source: 'app',
      },
    });
    assert.equal(put.statusCode, 200, put.body);
    const view = put.json();
    assert.deepEqual(view.preferences.interests, { categories: ['clothing/winter'], topics: ['hiking'] });
    assert.deepEqual(view.preferences.notInterested, [
      { itemId: 'hat' },
      { category: 'pets', until: '2099-01-01T00:00:00Z' },
    ]);
    assert.equal(view.preferences.locale, 'fr-FR');
    assert.deepEqual(view.preferences.quietHours, { start: '22:00', end: '07:30', timeZone: 'Europe/Paris' });
    const byKind = Object.fromEntries(view.declarations.map((d: { kind: string }) => [d.kind, d]));
    assert.equal(byKind.channels.purpose, 'marketing_messages');
    assert.equal(byKind.interests.purpose, 'personalization');
    assert.ok(
      view.declarations.every(
        (d: { provenance: string; source: string }) => d.provenance === 'declared' && d.source === 'app',
      ),
    );

    const headers = { ...bearer(shop.publishable), 'x-subject-token': shop.token('grace') };
    const mine = await app.inject({ url: '/v1/subjects/me/preferences', headers });
    assert.deepEqual(mine.json().preferences, view.preferences);
    const replaced = await app.inject({
      method: 'PUT',
      url: '/v1/subjects/me/preferences',
      headers,
      payload: { locale: 'it' },
    });
    assert.equal(replaced.statusCode, 200);
    assert.equal(replaced.json().preferences.locale, 'it');
    assert.deepEqual(replaced.json().preferences.channels, [], 'fields left out are withdrawn');
    assert.equal(replaced.json().declarations[0].source, 'web');

    const notMine = await app.inject({ url: '/v1/subjects/grace2/preferences', headers });
    assert.equal(notMine.statusCode, 403);
    const serverMe = await app.inject({ url: '/v1/subjects/me/preferences', headers: bearer(shop.server) });
    assert.equal(serverMe.statusCode, 400);

    const otherTenant = await app.inject({ url: '/v1/subjects/grace/preferences', headers: bearer(other.server) });
    assert.equal(otherTenant.json().declarations.length, 0, "another tenant sees nothing of this tenant's subject");
    const otherDelete = await app.inject({
      method: 'DELETE',
      url: '/v1/subjects/grace/preferences',
      headers: bearer(other.server),
    });
    assert.equal(otherDelete.statusCode, 204);
    assert.equal((await services.events.getPreferences(shop.id, 'grace')).preferences.locale, 'it');

    const del = await app.inject({ method: 'DELETE', url: '/v1/subjects/me/preferences', headers });
    assert.equal(del.statusCode, 204);
    assert.equal((await services.events.getPreferences(shop.id, 'grace')).declarations.length, 0);
  });

  test('bad preferences are refused, say what to fix, and change nothing', async () => {
    await services.events.putPreferences(shop.id, 'heidi', { locale: 'en' }, 'web');
    const cases = [
      { quietHours: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } },
      { quietHours: { start: '25:00', end: '07:00', timeZone: 'UTC' } },
      { locale: 'not a locale!' },
      { notInterested: [{ itemId: 'hat', category: 'hats' }] },
      { channels: ['fax'] },
      { colour: 'blue' },
      { notInterested: [{ itemId: 'hat', until: 'soon' }] },
    ];
    for (const payload of cases) {
      const res = await app.inject({
        method: 'PUT',
        url: '/v1/subjects/heidi/preferences',
        headers: bearer(shop.server),
        payload,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.ok(['invalid_preferences', 'invalid_request'].includes(res.json().code), res.body);
      assert.ok(res.json().hint);
    }
    const tz = await app.inject({
      method: 'PUT',
      url: '/v1/subjects/heidi/preferences',
      headers: bearer(shop.server),
      payload: cases[0] as object,
    });
    assert.match(tz.json().detail, /Mars\/Olympus.*IANA time zone/);
    assert.equal((await services.events.getPreferences(shop.id, 'heidi')).preferences.locale, 'en');
  });

  test('a batch sent with Sec-GPC: 1 records the objection in the consent ledger for its subject', async () => {
    const headers = { 'x-subject-token': shop.token('gpc-subject'), 'sec-gpc': '1' };
    const res = await post(shop.publishable, [viewEvent('gpc1', 'gpc-subject', 'coat')], headers);
    assert.equal(res.statusCode, 200, res.body);
    const history = await services.consent.history(shop.id, 'gpc-subject');
    assert.ok(history.length > 0, 'the GPC signal was recorded');
    assert.ok(history.every((e) => e.method === 'gpc' && e.status === 'denied'));
    const none = await post(shop.server, [viewEvent('gpc2', 'no-gpc-subject', 'coat')]);
    assert.equal(none.statusCode, 200);
    assert.equal((await services.consent.history(shop.id, 'no-gpc-subject')).length, 0);
  });

  test('Sec-GPC: 1 reaches the consent hook for each subject of the batch', async () => {
    const calls: string[] = [];
    const store = byStore<EventStore>(getDb(), {
      sqlite: (d) => new SqliteEventStore(d),
      postgres: (d) => new PostgresEventStore(d),
    });
    const service = new EventService(store, {
      maxBatch: 10,
      onGpc: async (tenantId, subjectId) => {
        calls.push(`${tenantId}/${subjectId}`);
      },
    });
    const subjectFor = (s: string | undefined) => s ?? 'nobody';
    await service.ingest(
      shop.id,
      [viewEvent('g1', 'ivan', 'coat'), viewEvent('g2', 'ivan', 'hat'), viewEvent('g3', 'judy', 'hat')],
      {
        subjectFor,
        gpc: true,
      },
    );
    assert.deepEqual(calls, [`${shop.id}/ivan`, `${shop.id}/judy`]);
    await service.ingest(shop.id, [viewEvent('g4', 'ivan', 'coat')], { subjectFor });
    assert.equal(calls.length, 2, 'no signal, no call');
  });
});
