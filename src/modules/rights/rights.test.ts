import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeTestTcString } from '../../core/consent/tcf-testing.ts';
import type { Services } from '../../platform/container.ts';
import type { Db } from '../../platform/db/database.ts';
import { describeEachStore, testDatabaseUrl } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { asSubject, bearer, createTestTenant, demoShopSuite, testApp } from '../../platform/testing-app.ts';
import { DEMO_POLICY_VERSION, seedDemoShop } from '../decisions/demo-shop.ts';

const DAY = 24 * 3600 * 1000;
const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../bin/pertinent.mjs', import.meta.url));
const KEY1 = `k1:${randomBytes(32).toString('base64')}`;
const KEY2 = `k2:${randomBytes(32).toString('base64')}`;

async function sql<T = Record<string, unknown>>(db: Db, text: string, params: unknown[] = []): Promise<T[]> {
  if (db.kind === 'sqlite') return db.sqlite.prepare(text.replace(/\$\d+/g, '?')).all(...params) as T[];
  return (await db.pool.query(text, params)).rows as T[];
}

/** Every (table, column) of the whole database whose value contains one of `needles`, as text. */
async function findAnywhere(db: Db, needles: readonly string[]): Promise<string[]> {
  const columns: { table: string; column: string }[] = [];
  if (db.kind === 'sqlite') {
    const tables = await sql<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
    for (const { name } of tables) {
      for (const c of db.sqlite.pragma(`table_info("${name}")`) as { name: string }[]) {
        columns.push({ table: name, column: c.name });
      }
    }
  } else {
    columns.push(
      ...(await sql<{ table: string; column: string }>(
        db,
        'SELECT table_name AS table, column_name AS column FROM information_schema.columns WHERE table_schema = $1',
        [db.schema],
      )),
    );
  }
  const found: string[] = [];
  for (const { table, column } of columns) {
    for (const needle of needles) {
      const expr = db.kind === 'sqlite' ? `instr(CAST("${column}" AS TEXT), $1)` : `strpos("${column}"::text, $1)`;
      const [row] = await sql<{ n: number }>(db, `SELECT count(*) AS n FROM "${table}" WHERE ${expr} > 0`, [needle]);
      if (Number(row?.n) > 0) found.push(`${table}.${column} holds "${needle}" (${row?.n} rows)`);
    }
  }
  return found;
}

describeEachStore('data rights end to end', (getDb) => {
  // Subject tokens are checked against the real clock; the test clock starts from it.
  const clock = Date.now();
  let now = clock;
  const suite = demoShopSuite(getDb, { now: () => now, config: { PERTINENT_ENCRYPTION_KEY: KEY1 } });
  let app: App;
  let services: Services;
  let shop: TestTenant;
  before(() => {
    ({ app, services, shop } = suite);
  });

  const as = (subject: string) => asSubject(shop, subject);
  const inject = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) => app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const decide = async (body: Record<string, unknown>, on: App = app) => {
    const res = await on.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: bearer(shop.server),
      payload: { limit: 4, ...body },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { mode: string; items: { itemId: string; score: number }[]; dataCategories: string[] };
  };
  const iso = (t: number) => new Date(t).toISOString();

  /** A subject with every kind of record: declarations and contact data, events, consents, a restriction, decisions, requests. */
  async function richSubject(subjectId: string) {
    const consent = await inject('POST', '/v1/consents', bearer(shop.server), {
      subjectId,
      policyVersion: DEMO_POLICY_VERSION,
      choices: ['personalization', 'retargeting', 'marketing_messages', 'measurement'].map((purpose) => ({
        purpose,
        status: 'granted',
      })),
    });
    assert.equal(consent.statusCode, 201, consent.body);
    const events = [
      // One basket that teaches the models something only this subject says: wool coats go with belts.
      { type: 'purchase', itemId: 'coat-wool', occurredAt: iso(now - 3 * DAY), quantity: 1 },
      { type: 'purchase', itemId: 'belt-leather', occurredAt: iso(now - 3 * DAY), quantity: 1 },
      { type: 'view', itemId: 'scarf-wool', occurredAt: iso(now - 2 * DAY), context: { page: '/p/scarf?x=1' } },
      { type: 'search', query: 'warm hat', occurredAt: iso(now - 2 * DAY) },
      { type: 'impression', itemId: 'hat-beanie', occurredAt: iso(now - DAY) },
    ].map((e, i) => ({ eventId: `${subjectId}-e${i}`, subjectId, ...e }));
    const ingest = await inject('POST', '/v1/events', bearer(shop.server), events);
    assert.equal(ingest.statusCode, 200, ingest.body);
    assert.equal(ingest.json().stored, events.length);
    const prefs = await inject('PUT', `/v1/subjects/${subjectId}/preferences`, bearer(shop.server), {
      interests: { categories: ['clothing/hats'] },
      channels: ['email'],
      locale: 'fr',
      email: `${subjectId}@example.org`,
      phone: '+33612345678',
    });
    assert.equal(prefs.statusCode, 200, prefs.body);
    const restricted = await inject('PUT', `/v1/subjects/${subjectId}/restrictions`, as(subjectId), {
      restrictProcessing: false,
    });
    assert.equal(restricted.statusCode, 200, restricted.body);
    const d = await decide({ placement: 'home', subjectId });
    assert.equal(d.mode, 'personalized');
    return events;
  }

  test('export is complete: every kind of record the subject has is in it', async () => {
    const events = await richSubject('ivy.r-17');
    const res = await inject('GET', '/v1/subjects/me/export', as('ivy.r-17'));
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="pertinent-export-/);
    const doc = res.json();
    assert.equal(doc.format, 'pertinent.subject-export/1');
    assert.equal(doc.subjectId, 'ivy.r-17');
    assert.deepEqual(doc.events.map((e: { eventId: string }) => e.eventId).sort(), events.map((e) => e.eventId).sort());
    assert.ok(
      doc.events.every((e: { purpose: string; provenance: string }) => e.purpose && e.provenance === 'observed'),
    );
    assert.equal(doc.declared.preferences.email, 'ivy.r-17@example.org', 'contact data decrypted for its owner');
    assert.equal(doc.declared.preferences.phone, '+33612345678');
    assert.deepEqual(doc.declared.preferences.interests.categories, ['clothing/hats']);
    assert.deepEqual(doc.declared.declarations.map((d: { kind: string }) => d.kind).sort(), [
      'channels',
      'email',
      'interests',
      'locale',
      'phone',
    ]);
    assert.equal(doc.consents.current.length, 4);
    assert.equal(doc.consents.history.length, 4);
    assert.match(doc.consents.ledgerPseudonym, /^[A-Za-z0-9_-]{24}$/);
    assert.ok(doc.consents.history.every((e: { subjectRef: string }) => e.subjectRef === doc.consents.subjectRef));
    assert.equal(doc.restrictions.restrictProcessing, false);
    assert.notEqual(doc.restrictions.updatedAt, null);
    assert.ok(doc.decisions.length >= 1, 'the decision shown, with its audit record');
    assert.ok(doc.decisions[0].record.items.length > 0);
    assert.ok(doc.derived.frequencyCounters.length >= 1, 'frequency counters derived from what was shown');
    const kinds = doc.rightsRequests.map((r: { kind: string }) => r.kind);
    for (const k of ['rectification', 'restriction', 'access']) assert.ok(kinds.includes(k), `${k} logged`);
    // The ledger never holds the subject id, only the reference.
    const ledger = await sql(getDb(), 'SELECT * FROM consent_ledger WHERE tenant_id = $1', [shop.id]);
    assert.ok(ledger.every((row) => !JSON.stringify(row).includes('ivy.r-17')));
  });

  test('after erasure, export is empty, decisions are non-personal, the models give the same answers as if the subject had never existed, and nothing identifying remains in any table', async () => {
    await richSubject('erin.q-42');
    const pseudonym = (await services.consent.ledgerSubject(shop.id, 'erin.q-42'))?.pseudonym as string;
    assert.ok(pseudonym);
    const anchor = { placement: 'pdp', context: { itemId: 'coat-wool' } };
    const withErin = await decide(anchor);
    assert.equal((await findAnywhere(getDb(), ['erin.q-42'])).length > 0, true, 'the scan finds the subject before');

    const erased = await inject('POST', '/v1/subjects/me/erasure', as('erin.q-42'), { confirm: true });
    assert.equal(erased.statusCode, 200, erased.body);
    const receipt = erased.json();
    assert.equal(receipt.erased.events, 5);
    assert.equal(receipt.erased.declarations, 5);
    assert.equal(receipt.erased.consentStates, 4);
    assert.equal(receipt.erased.ledgerPseudonyms, 1);
    assert.ok(receipt.erased.decisions >= 1);
    assert.ok(receipt.erased.rightsRequestsAnonymised >= 2);

    // Nothing identifying remains anywhere: not the id, not the pseudonym, not the contact data.
    assert.deepEqual(await findAnywhere(getDb(), ['erin.q-42', pseudonym, 'erin.q-42@example.org']), []);
    // What remains: the ledger (verifiable) and a non-identifying log entry.
    assert.equal((await services.consent.verifyLedger(shop.id)).ok, true);
    const log = await inject('GET', '/v1/rights-requests', bearer(shop.admin));
    const entry = log.json().requests.find((r: { requestId: string }) => r.requestId === receipt.requestId);
    assert.deepEqual(
      { kind: entry.kind, subjectId: entry.subjectId, outcome: entry.outcome, actorScope: entry.actorScope },
      { kind: 'erasure', subjectId: null, outcome: 'completed', actorScope: 'publishable' },
    );

    // The models answer as a fresh build from a database where the subject never existed.
    const afterErasure = await decide(anchor);
    const fresh = await testApp(getDb(), { now: () => now, config: { PERTINENT_ENCRYPTION_KEY: KEY1 } });
    try {
      const reference = await decide(anchor, fresh.app);
      assert.notDeepEqual(withErin.items, reference.items, 'the subject did change the answers before');
      assert.deepEqual(afterErasure.items, reference.items);
    } finally {
      await fresh.app.close();
      await fresh.services.decisions.close();
    }

    const d = await decide({ placement: 'home', subjectId: 'erin.q-42' });
    assert.notEqual(d.mode, 'personalized');
    assert.deepEqual(d.dataCategories, []);
    const doc = (await inject('GET', '/v1/subjects/erin.q-42/export', bearer(shop.server))).json();
    assert.deepEqual(doc.events, []);
    assert.deepEqual(doc.declared.declarations, []);
    assert.equal(doc.declared.preferences.email, null);
    assert.deepEqual(doc.consents.history, []);
    assert.deepEqual(doc.consents.current, []);
    assert.equal(doc.consents.ledgerPseudonym, null);
    assert.equal(doc.restrictions.updatedAt, null);
    assert.deepEqual(
      doc.rightsRequests.map((r: { kind: string }) => r.kind),
      ['access'],
      'only this export itself',
    );
  });

  test('replayed events after erasure do not bring data back', async () => {
    const events = await richSubject('rex.p-9');
    await inject('POST', '/v1/subjects/rex.p-9/erasure', bearer(shop.server), { confirm: true });
    const replay = await inject('POST', '/v1/events', bearer(shop.server), events);
    assert.equal(replay.statusCode, 200, replay.body);
    assert.deepEqual(replay.json(), { received: 5, stored: 0, duplicates: 5 });
    const renamed = events.map((e) => ({ ...e, eventId: `${e.eventId}-retry` }));
    assert.equal((await inject('POST', '/v1/events', bearer(shop.server), renamed)).json().stored, 0);
    assert.deepEqual(await services.events.listEvents(shop.id, 'rex.p-9'), []);
    // What the person does after the erasure is new data, and is stored.
    const later = await inject('POST', '/v1/events', bearer(shop.server), [
      { eventId: 'rex-new', subjectId: 'rex.p-9', type: 'view', itemId: 'honey', occurredAt: iso(now + 1000) },
    ]);
    assert.equal(later.json().stored, 1);
    await inject('POST', '/v1/subjects/rex.p-9/erasure', bearer(shop.server), { confirm: true });
  });

  test('a replayed consent (TC string from before the erasure) is refused and brings nothing back; a new choice after it is recorded', async () => {
    const subject = 'tess.c-3';
    await richSubject(subject);
    // The CMP's string of the person's earlier choice (personalization: TCF purposes 5 and 6), two days old.
    const old = encodeTestTcString({ purposes: [1, 5, 6], at: new Date(now - 2 * DAY) });
    const before = await inject('POST', '/v1/consents', as(subject), {
      policyVersion: DEMO_POLICY_VERSION,
      tcString: old,
    });
    assert.equal(before.statusCode, 201, 'accepted while the subject is not erased');
    const erased = await inject('POST', `/v1/subjects/${subject}/erasure`, bearer(shop.server), { confirm: true });
    assert.equal(erased.statusCode, 200, erased.body);

    for (const body of [
      { policyVersion: DEMO_POLICY_VERSION, tcString: old },
      // Explicit choices sent with the old string are part of the same replayed request.
      { policyVersion: DEMO_POLICY_VERSION, tcString: old, choices: [{ purpose: 'measurement', status: 'granted' }] },
    ]) {
      const replay = await inject('POST', '/v1/consents', as(subject), body);
      assert.equal(replay.statusCode, 409, replay.body);
      assert.equal(replay.json().code, 'replayed_before_erasure');
      assert.match(replay.json().hint, /Ask the person again/);
    }
    const consents = await services.consent.consentsOf(shop.id, subject);
    assert.ok(
      consents.purposes.every((p) => p.status === 'unset'),
      'no consent came back',
    );
    assert.equal(await services.consent.ledgerSubject(shop.id, subject), undefined);
    assert.deepEqual(await findAnywhere(getDb(), [subject]), [], 'nothing identifying came back');
    assert.notEqual((await decide({ placement: 'home', subjectId: subject })).mode, 'personalized');

    // The person comes back and chooses again: a new string (made after the erasure) and explicit choices work.
    const fresh = encodeTestTcString({ purposes: [1, 5, 6], at: new Date(now + 1000) });
    const again = await inject('POST', '/v1/consents', as(subject), {
      policyVersion: DEMO_POLICY_VERSION,
      tcString: fresh,
    });
    assert.equal(again.statusCode, 201, again.body);
    const explicit = await inject('POST', '/v1/consents', as(subject), {
      policyVersion: DEMO_POLICY_VERSION,
      choices: [{ purpose: 'measurement', status: 'granted' }],
    });
    assert.equal(explicit.statusCode, 201, explicit.body);
    const back = await services.consent.consentsOf(shop.id, subject);
    assert.equal(back.purposes.find((p) => p.purpose === 'personalization')?.status, 'granted');
    assert.equal(back.purposes.find((p) => p.purpose === 'measurement')?.status, 'granted');
    await inject('POST', `/v1/subjects/${subject}/erasure`, bearer(shop.server), { confirm: true });
  });

  test('withdrawal deletes data collected only for that purpose', async () => {
    await richSubject('wendy.s');
    const withdraw = await inject('POST', '/v1/consents', as('wendy.s'), {
      policyVersion: DEMO_POLICY_VERSION,
      choices: [{ purpose: 'personalization', status: 'withdrawn' }],
    });
    assert.equal(withdraw.statusCode, 201, withdraw.body);
    const left = await services.events.listEvents(shop.id, 'wendy.s');
    assert.deepEqual(
      left.map((e) => [e.type, e.purpose]),
      [['impression', 'measurement']],
      'only the measurement event stays',
    );
    const prefs = (await services.events.getPreferences(shop.id, 'wendy.s')).preferences;
    assert.deepEqual(prefs.interests.categories, [], 'interests served personalization: gone');
    assert.equal(prefs.locale, null);
    assert.deepEqual(prefs.channels, ['email'], 'channels serve marketing messages: kept');
    assert.equal(prefs.email, 'wendy.s@example.org');
    assert.notEqual((await decide({ placement: 'home', subjectId: 'wendy.s' })).mode, 'personalized');
  });

  test('an objection to profiling makes decisions contextual until lifted; restriction too', async () => {
    assert.equal((await decide({ placement: 'home', subjectId: 'alice' })).mode, 'personalized');
    const objected = await inject('PUT', '/v1/subjects/me/restrictions', as('alice'), { objectToProfiling: true });
    assert.equal(objected.statusCode, 200, objected.body);
    assert.equal(objected.json().objectToProfiling, true);
    const d = await decide({ placement: 'home', subjectId: 'alice' });
    assert.notEqual(d.mode, 'personalized');
    assert.deepEqual(d.dataCategories, []);
    await inject('PUT', '/v1/subjects/me/restrictions', as('alice'), { objectToProfiling: false });
    assert.equal((await decide({ placement: 'home', subjectId: 'alice' })).mode, 'personalized');
    await inject('PUT', '/v1/subjects/alice/restrictions', bearer(shop.server), { restrictProcessing: true });
    assert.notEqual((await decide({ placement: 'home', subjectId: 'alice' })).mode, 'personalized');
    const read = await inject('GET', '/v1/subjects/alice/restrictions', bearer(shop.server));
    assert.deepEqual({ o: read.json().objectToProfiling, r: read.json().restrictProcessing }, { o: false, r: true });
    await inject('PUT', '/v1/subjects/alice/restrictions', bearer(shop.server), { restrictProcessing: false });
    const kinds = (await inject('GET', '/v1/rights-requests?limit=1000', bearer(shop.admin)))
      .json()
      .requests.filter((r: { subjectId: string }) => r.subjectId === 'alice')
      .map((r: { kind: string }) => r.kind)
      .sort();
    assert.deepEqual(kinds, ['objection', 'objection', 'restriction', 'restriction']);
  });

  test('contact data is encrypted at rest and survives key rotation', async () => {
    const put = await inject('PUT', '/v1/subjects/me/preferences', as('carl.k'), {
      email: 'carl.k@example.org',
      phone: '+390612345678',
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().preferences.email, 'carl.k@example.org');
    const raw = async () =>
      (
        await sql<{ kind: string; value: unknown }>(
          getDb(),
          "SELECT kind, value FROM declarations WHERE tenant_id = $1 AND subject_id = 'carl.k' ORDER BY kind",
          [shop.id],
        )
      ).map((r) => (typeof r.value === 'string' ? r.value : JSON.stringify(r.value)));
    for (const v of await raw()) {
      assert.match(v, /enc:1:k1:/);
      assert.ok(!v.includes('carl.k@example.org') && !v.includes('612345678'), 'no clear text at rest');
    }
    assert.deepEqual(await findAnywhere(getDb(), ['carl.k@example.org', '+390612345678']), []);

    // Rotate: k2 becomes current, k1 only decrypts until everything is re-encrypted.
    const rotated = await testApp(getDb(), {
      now: () => now,
      config: { PERTINENT_ENCRYPTION_KEY: KEY2, PERTINENT_ENCRYPTION_OLD_KEYS: KEY1 },
    });
    try {
      assert.equal(
        (await rotated.services.events.getPreferences(shop.id, 'carl.k')).preferences.email,
        'carl.k@example.org',
      );
      const report = await rotated.services.rights.rotateEncryption();
      assert.equal(report.keyId, 'k2');
      assert.ok(report.reencrypted >= 2);
      assert.equal((await rotated.services.rights.rotateEncryption()).reencrypted, 0, 'a second run has nothing to do');
    } finally {
      await rotated.app.close();
      await rotated.services.decisions.close();
    }
    for (const v of await raw()) assert.match(v, /enc:1:k2:/);
    const k2only = await testApp(getDb(), { now: () => now, config: { PERTINENT_ENCRYPTION_KEY: KEY2 } });
    try {
      const prefs = (await k2only.services.events.getPreferences(shop.id, 'carl.k')).preferences;
      assert.deepEqual([prefs.email, prefs.phone], ['carl.k@example.org', '+390612345678']);
    } finally {
      await k2only.app.close();
      await k2only.services.decisions.close();
    }
    // Without a key, contact data is refused rather than stored in clear.
    const nokey = await testApp(getDb(), { now: () => now });
    try {
      const res = await nokey.app.inject({
        method: 'PUT',
        url: '/v1/subjects/dora/preferences',
        headers: bearer(shop.server),
        payload: { email: 'dora@example.org' },
      });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'encryption_not_configured');
      assert.deepEqual(await nokey.services.events.getPreferences(shop.id, 'dora').then((p) => p.declarations), []);
    } finally {
      await nokey.app.close();
      await nokey.services.decisions.close();
    }
  });

  test('bad input gets problem+json and writes nothing', async () => {
    const count = async () =>
      Number(
        (
          await sql<{ n: number }>(getDb(), 'SELECT count(*) AS n FROM rights_requests WHERE tenant_id = $1', [shop.id])
        )[0]?.n,
      );
    const before = await count();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/subjects/alice/erasure', {}, 'invalid_request'],
      ['POST', '/v1/subjects/alice/erasure', { confirm: 'yes' }, 'invalid_request'],
      ['POST', '/v1/subjects/alice/erasure', { confirm: true, also: 1 }, 'invalid_request'],
      ['POST', '/v1/subjects/not%20a%20subject/erasure', { confirm: true }, 'invalid_request'],
      ['PUT', '/v1/subjects/alice/restrictions', {}, 'invalid_request'],
      ['PUT', '/v1/subjects/alice/restrictions', { objectToProfiling: 'yes' }, 'invalid_request'],
      ['PUT', '/v1/subjects/alice/preferences', { email: 'not-an-address' }, 'invalid_preferences'],
      ['PUT', '/v1/subjects/alice/preferences', { phone: '0612345678' }, 'invalid_preferences'],
    ];
    for (const [method, url, payload, code] of cases) {
      const res = await inject(method as 'POST', url, bearer(shop.server), payload);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.equal(res.json().code, code);
    }
    const q = await inject('GET', '/v1/rights-requests?limit=0', bearer(shop.admin));
    assert.equal(q.statusCode, 400);
    assert.equal(await count(), before, 'nothing logged');
    assert.equal((await services.events.listEvents(shop.id, 'alice')).length > 0, true, 'alice still there');
    assert.equal((await services.events.getPreferences(shop.id, 'alice')).preferences.email, null);
  });

  test('a publishable token reaches only its own subject; the DPO log needs an admin key', async () => {
    const frank = as('frank');
    for (const [method, url, payload] of [
      ['GET', '/v1/subjects/alice/export', undefined],
      ['POST', '/v1/subjects/alice/erasure', { confirm: true }],
      ['GET', '/v1/subjects/alice/restrictions', undefined],
      ['PUT', '/v1/subjects/alice/restrictions', { objectToProfiling: true }],
    ] as const) {
      const res = await inject(method, url, frank, payload);
      assert.equal(res.statusCode, 403, url);
      assert.equal(res.json().code, 'subject_mismatch');
    }
    assert.ok((await services.events.listEvents(shop.id, 'alice')).length > 0, 'alice was not erased');
    assert.equal((await services.rights.getRestrictions(shop.id, 'alice')).objectToProfiling, false);
    const own = await inject('GET', '/v1/subjects/frank/export', frank);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().subjectId, 'frank');
    const serverMe = await inject('GET', '/v1/subjects/me/export', bearer(shop.server));
    assert.equal(serverMe.json().code, 'subject_required');
    const noToken = await inject('GET', '/v1/subjects/me/export', bearer(shop.publishable));
    assert.equal(noToken.json().code, 'subject_token_required');
    assert.equal((await inject('GET', '/v1/rights-requests', frank)).statusCode, 403);
    assert.equal((await inject('GET', '/v1/rights-requests', bearer(shop.server))).statusCode, 403);
    const openapi = (await app.inject({ url: '/openapi.json' })).json();
    for (const path of [
      '/v1/subjects/{subjectId}/export',
      '/v1/subjects/{subjectId}/erasure',
      '/v1/subjects/{subjectId}/restrictions',
      '/v1/rights-requests',
    ]) {
      assert.ok(openapi.paths[path], `${path} is in the OpenAPI document`);
    }
    // Another tenant's admin sees none of this tenant's requests.
    const other = await createTestTenant(services);
    assert.deepEqual((await inject('GET', '/v1/rights-requests', bearer(other.admin))).json().requests, []);
  });

  test('retention sweep removes expired records (controllable clock)', async () => {
    const t = await createTestTenant(services);
    await seedDemoShop(services, t.id);
    await decide({ placement: 'home', subjectId: 'alice' });
    await services.rights.exportSubject(t.id, 'alice', 'cli');
    await services.decisions.decide({
      tenantId: t.id,
      placement: 'home',
      subjectId: 'alice',
      context: {},
      limit: 3,
      exclude: [],
      gpc: false,
      knownMinor: false,
    });
    const counts = async () => {
      const n = async (table: string, where = '') =>
        Number(
          (
            await sql<{ n: number }>(getDb(), `SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1 ${where}`, [
              t.id,
            ])
          )[0]?.n,
        );
      return {
        events: await n('events'),
        decisions: await n('decisions'),
        // Counters are kept in their decisions' rows (migration 0014).
        counters: await n('decisions', 'AND counters IS NOT NULL'),
        requests: await n('rights_requests'),
      };
    };
    const start = await counts();
    assert.ok(start.events > 0 && start.decisions > 0 && start.counters > 0 && start.requests > 0);
    assert.deepEqual((await services.rights.sweep()).events, 0, 'nothing is old yet');
    assert.deepEqual(await counts(), start);

    const saved = now;
    try {
      now = saved + 100 * DAY; // past the counters (90 days); audit (180) and events (365) stay
      await services.rights.sweep();
      const mid = await counts();
      assert.equal(mid.counters, 0);
      assert.equal(mid.decisions, start.decisions);
      assert.equal(mid.events, start.events);
      now = saved + 200 * DAY;
      await services.rights.sweep();
      assert.equal((await counts()).decisions, 0);
      assert.equal((await counts()).events, start.events);
      now = saved + 400 * DAY;
      const dry = await services.rights.sweep({ dryRun: true });
      assert.ok(dry.events >= start.events);
      assert.equal((await counts()).events, start.events, 'a dry run deletes nothing');
      const swept = await services.rights.sweep();
      assert.ok(swept.tenants.includes(t.id));
      assert.equal((await counts()).events, 0);
      // An event already past retention is acknowledged and not stored.
      const late = await services.events.ingest(
        t.id,
        [{ eventId: 'old-1', subjectId: 'zed', type: 'view', itemId: 'honey', occurredAt: iso(saved) }],
        { subjectFor: (s) => s as string },
      );
      assert.deepEqual(late, { received: 1, stored: 0, duplicates: 1 });
      now = saved + 1200 * DAY; // past the rights log (1095 days)
      await services.rights.sweep();
      assert.equal((await counts()).requests, 0);
    } finally {
      now = saved;
    }
  });
  test('the command line exports and erases a subject, sweeps retention and rotates the encryption key', async () => {
    const db = getDb();
    const env = {
      ...process.env,
      PERTINENT_LOG_LEVEL: 'silent',
      PERTINENT_ENCRYPTION_KEY: KEY2,
      PERTINENT_ENCRYPTION_OLD_KEYS: KEY1,
      ...(db.kind === 'sqlite'
        ? { PERTINENT_DATA_DIR: dirname(db.sqlite.name), DATABASE_URL: '' }
        : { DATABASE_URL: testDatabaseUrl, PERTINENT_PG_SCHEMA: db.schema }),
    };
    const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { env });
    await services.events.putPreferences(shop.id, 'cli.subject', { email: 'cli@example.org' }, 'web');
    const exported = JSON.parse(
      (await cli('subjects', 'export', '--tenant', shop.id, '--subject', 'cli.subject')).stdout,
    );
    assert.equal(exported.declared.preferences.email, 'cli@example.org');
    const refused = await cli('subjects', 'erase', '--tenant', shop.id, '--subject', 'cli.subject').catch((e) => e);
    assert.equal(refused.code, 2, 'erasure needs --yes');
    const rotated = await cli('encryption', 'rotate');
    assert.match(rotated.stdout, /^Re-encrypted \d+ of \d+ contact fields under key k2\.\n$/);
    const erased = await cli('subjects', 'erase', '--tenant', shop.id, '--subject', 'cli.subject', '--yes');
    assert.match(erased.stdout, /declarations\s+1/);
    assert.deepEqual((await services.events.getPreferences(shop.id, 'cli.subject')).declarations, []);
    const dry = await cli('retention', 'sweep', '--dry-run');
    assert.match(dry.stdout, /^Would delete:\n {2}events +\d+/);
    const usage = await cli('retention').catch((e) => e);
    assert.equal(usage.code, 2);
  });
});
