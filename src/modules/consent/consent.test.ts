import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeTestTcString } from '../../core/consent/tcf-testing.ts';
import type { Services } from '../../platform/container.ts';
import type { Db } from '../../platform/db/database.ts';
import { describeEachStore, testDatabaseUrl } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Raw SQL, as someone with database access (not the application) would run it. */
async function rawSql(db: Db, sql: string, params: unknown[]): Promise<void> {
  if (db.kind === 'sqlite') db.sqlite.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
  else await db.pool.query(sql, params);
}

interface ConsentsBody {
  currentPolicyVersion: string | null;
  purposes: { purpose: string; status: string; seq: number | null; method: string | null }[];
}
const statusOf = (body: ConsentsBody, purpose: string) => body.purposes.find((p) => p.purpose === purpose)?.status;

describeEachStore('consent', (getDb, kind) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;
  let other: TestTenant;

  const post = (tenant: TestTenant, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { ...bearer(tenant.server), ...headers }, payload: payload as object });
  const policy = (tenant: TestTenant, version: string, noticeText = `Notice ${version}`) =>
    app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: bearer(tenant.admin),
      payload: { version, noticeText },
    });
  const consents = async (tenant: TestTenant, subject: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url: `/v1/consents/${subject}`, headers: { ...bearer(tenant.server), ...headers } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as ConsentsBody;
  };
  const historyLength = async (tenant: TestTenant, subject: string) =>
    (await services.consent.history(tenant.id, subject, { limit: 1000 })).length;
  const head = async (tenant: TestTenant) => {
    const report = await services.consent.verifyLedger(tenant.id);
    assert.ok(report.ok, JSON.stringify(report));
    return report;
  };

  before(async () => {
    ({ app, services } = await testApp(getDb()));
    shop = await createTestTenant(services);
    other = await createTestTenant(services);
    assert.equal((await policy(shop, 'v1', 'We use your purchases to recommend products.')).statusCode, 201);
    assert.equal((await policy(other, 'o1')).statusCode, 201);
  });
  after(async () => {
    await app.close();
  });

  test('policy versions are registered with the hash of their notice, and listed with the current one', async () => {
    const res = await app.inject({ url: '/v1/policies', headers: bearer(shop.admin) });
    assert.equal(res.statusCode, 200);
    const [v1] = res.json().policies as { version: string; noticeHash: string; current: boolean }[];
    assert.equal(v1?.version, 'v1');
    assert.equal(v1?.current, true);
    assert.equal(
      v1?.noticeHash,
      (await import('node:crypto'))
        .createHash('sha256')
        .update('We use your purchases to recommend products.')
        .digest('hex'),
    );
    const again = await policy(shop, 'v1', 'changed text');
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'policy_version_exists');
    const scoped = await app.inject({ url: '/v1/policies', headers: bearer(shop.server) });
    assert.equal(scoped.statusCode, 403);
    const theirs = await app.inject({ url: '/v1/policies', headers: bearer(other.admin) });
    assert.deepEqual(
      (theirs.json().policies as { version: string }[]).map((p) => p.version),
      ['o1'],
    );
  });

  test('choices are recorded with their proof and read back per purpose', async () => {
    const res = await post(shop, '/v1/consents', {
      subjectId: 'alice',
      policyVersion: 'v1',
      jurisdiction: 'FR',
      source: 'banner/home',
      choices: [
        { purpose: 'personalization', status: 'granted' },
        { purpose: 'marketing_messages', status: 'denied' },
        { purpose: 'sensitive:health', status: 'granted' },
      ],
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as { entries: Record<string, unknown>[]; consents: ConsentsBody };
    assert.deepEqual(
      body.entries.map((e) => [e.purpose, e.status, e.method]),
      [
        ['personalization', 'granted', 'accepted'],
        ['marketing_messages', 'denied', 'refused'],
        ['sensitive:health', 'granted', 'accepted'],
      ],
    );
    const first = body.entries[0] as Record<string, unknown>;
    assert.equal(first.policyVersion, 'v1');
    assert.match(String(first.noticeHash), /^[0-9a-f]{64}$/);
    assert.equal(first.jurisdiction, 'FR');
    assert.equal(first.source, 'banner/home');
    const state = await consents(shop, 'alice');
    assert.equal(state.currentPolicyVersion, 'v1');
    assert.equal(statusOf(state, 'personalization'), 'granted');
    assert.equal(statusOf(state, 'marketing_messages'), 'denied');
    assert.equal(statusOf(state, 'sensitive:health'), 'granted');
    assert.equal(statusOf(state, 'measurement'), 'unset');
    assert.equal(state.purposes.find((p) => p.purpose === 'personalization')?.seq, first.seq);

    const withdraw = await post(shop, '/v1/consents', {
      subjectId: 'alice',
      policyVersion: 'v1',
      choices: [{ purpose: 'sensitive:health', status: 'withdrawn' }],
    });
    assert.equal(withdraw.json().entries[0].method, 'withdrawn');
    assert.equal(statusOf(await consents(shop, 'alice'), 'sensitive:health'), 'withdrawn');

    const history = await app.inject({ url: '/v1/consents/alice/history', headers: bearer(shop.server) });
    const entries = history.json().entries as { seq: number; prevHash: string; hash: string }[];
    assert.equal(entries.length, 4);
    assert.equal(entries[1]?.prevHash, entries[0]?.hash);
    const page = await app.inject({
      url: `/v1/consents/alice/history?after=${entries[1]?.seq}&limit=1`,
      headers: bearer(shop.server),
    });
    assert.deepEqual(
      (page.json().entries as { seq: number }[]).map((e) => e.seq),
      [entries[2]?.seq],
    );
    assert.ok(!JSON.stringify(entries).includes('127.0.0.1'), 'no IP address is stored');
    const verified = await app.inject({ url: '/v1/consent-ledger/verify', headers: bearer(shop.admin) });
    assert.equal(verified.json().ok, true);
  });

  test('after a policy change, earlier choices need renewal until the person chooses again', async () => {
    const t = await createTestTenant(services);
    await policy(t, '2026-01');
    await post(t, '/v1/consents', {
      subjectId: 'bob',
      policyVersion: '2026-01',
      choices: [
        { purpose: 'personalization', status: 'granted' },
        { purpose: 'retargeting', status: 'denied' },
      ],
    });
    assert.equal(statusOf(await consents(t, 'bob'), 'personalization'), 'granted');
    assert.equal((await policy(t, '2026-06')).statusCode, 201);
    const renewed = await consents(t, 'bob');
    assert.equal(renewed.currentPolicyVersion, '2026-06');
    assert.equal(statusOf(renewed, 'personalization'), 'needs_renewal');
    assert.equal(statusOf(renewed, 'retargeting'), 'needs_renewal');
    assert.equal(statusOf(renewed, 'measurement'), 'unset');
    // A choice under the old notice is recorded as such, and still needs renewal.
    await post(t, '/v1/consents', {
      subjectId: 'bob',
      policyVersion: '2026-01',
      choices: [{ purpose: 'personalization', status: 'granted' }],
    });
    assert.equal(statusOf(await consents(t, 'bob'), 'personalization'), 'needs_renewal');
    await post(t, '/v1/consents', {
      subjectId: 'bob',
      policyVersion: '2026-06',
      choices: [{ purpose: 'personalization', status: 'granted' }],
    });
    const after = await consents(t, 'bob');
    assert.equal(statusOf(after, 'personalization'), 'granted');
    assert.equal(statusOf(after, 'retargeting'), 'needs_renewal');
    // Going back to the old version makes the choices given under it count again.
    const back = await app.inject({ method: 'POST', url: '/v1/policies/2026-01/current', headers: bearer(t.admin) });
    assert.equal(back.statusCode, 200);
    assert.equal(statusOf(await consents(t, 'bob'), 'retargeting'), 'denied');
    const missing = await app.inject({ method: 'POST', url: '/v1/policies/nope/current', headers: bearer(t.admin) });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'policy_not_found');
  });

  test('GPC records an objection once; a later explicit choice by the person wins over it', async () => {
    const gpc = { 'sec-gpc': '1' };
    const me = (headers: Record<string, string> = {}) =>
      app.inject({
        url: '/v1/consents/me',
        headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('carol'), ...headers },
      });
    const first = await me(gpc);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(statusOf(first.json(), 'retargeting'), 'denied');
    assert.equal(statusOf(first.json(), 'sale_sharing'), 'denied');
    assert.equal(statusOf(first.json(), 'personalization'), 'unset');
    assert.equal(first.json().purposes.find((p: { purpose: string }) => p.purpose === 'retargeting').method, 'gpc');
    assert.equal(await historyLength(shop, 'carol'), 2);
    await me(gpc);
    await services.consent.applyGpcSignal(shop.id, 'carol');
    assert.equal(await historyLength(shop, 'carol'), 2, 'no duplicate GPC entries');

    const granted = await app.inject({
      method: 'POST',
      url: '/v1/consents',
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('carol'), ...gpc },
      payload: { policyVersion: 'v1', choices: [{ purpose: 'retargeting', status: 'granted' }] },
    });
    assert.equal(granted.statusCode, 201, granted.body);
    assert.equal(statusOf(granted.json().consents, 'retargeting'), 'granted');
    assert.equal(statusOf(granted.json().consents, 'sale_sharing'), 'denied');
    const later = await me(gpc);
    assert.equal(statusOf(later.json(), 'retargeting'), 'granted', 'the explicit choice is not overridden');
    assert.equal(await historyLength(shop, 'carol'), 3);
  });

  test('an explicit choice made before the GPC signal is not overridden by it', async () => {
    await post(shop, '/v1/consents', {
      subjectId: 'dave',
      policyVersion: 'v1',
      choices: [{ purpose: 'sale_sharing', status: 'granted' }],
    });
    const appended = await services.consent.applyGpcSignal(shop.id, 'dave');
    assert.deepEqual(
      appended.map((e) => [e.purpose, e.status, e.method]),
      [['retargeting', 'denied', 'gpc']],
    );
    const state = await consents(shop, 'dave', { 'sec-gpc': '1' });
    assert.equal(statusOf(state, 'sale_sharing'), 'granted');
    assert.equal(statusOf(state, 'retargeting'), 'denied');
    assert.equal(await historyLength(shop, 'dave'), 2);
  });

  test('the consent routes are in the OpenAPI document', async () => {
    const doc = await app.inject({ url: '/openapi.json' });
    assert.equal(doc.statusCode, 200);
    const paths = Object.keys(doc.json().paths);
    for (const p of ['/v1/consents', '/v1/consents/me', '/v1/consents/{subjectId}/history', '/v1/policies']) {
      assert.ok(paths.includes(p), p);
    }
  });

  test('the GPC support resource is public', async () => {
    const res = await app.inject({ url: '/.well-known/gpc.json' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().gpc, true);
    assert.match(res.json().lastUpdate, /^\d{4}-\d{2}-\d{2}$/);
  });

  test('a TCF string is decoded and mapped; explicit choices in the same request win', async () => {
    const tcString = encodeTestTcString({ purposes: [1, 3, 4, 5, 6], specialFeatures: [1] });
    const res = await post(shop, '/v1/consents', {
      subjectId: 'erin',
      policyVersion: 'v1',
      jurisdiction: 'EU',
      tcString,
      choices: [{ purpose: 'personalization', status: 'denied' }],
    });
    assert.equal(res.statusCode, 201, res.body);
    const entries = res.json().entries as { purpose: string; status: string; method: string; tcString: string }[];
    assert.deepEqual(entries.map((e) => [e.purpose, e.status, e.method]).sort(), [
      ['location_offers', 'granted', 'tcf'],
      ['measurement', 'denied', 'tcf'],
      ['personalization', 'denied', 'refused'],
      ['retargeting', 'granted', 'tcf'],
    ]);
    assert.ok(
      entries.every((e) => e.tcString === tcString),
      'the TC string is kept as proof',
    );
    assert.deepEqual([...(await services.consent.grantedPurposes(shop.id, 'erin'))].sort(), [
      'location_offers',
      'retargeting',
    ]);
    const state = await consents(shop, 'erin');
    assert.equal(statusOf(state, 'retargeting'), 'granted');
    assert.equal(statusOf(state, 'marketing_messages'), 'unset', 'TCF says nothing about messages');
    assert.equal(statusOf(state, 'sale_sharing'), 'unset', 'TCF says nothing about sale or sharing');
  });

  test('bad input is refused with problem+json, says how to fix it, and writes nothing', async () => {
    const before = await head(shop);
    const bad: [unknown, string][] = [
      [
        { subjectId: 'x', policyVersion: 'v1', choices: [{ purpose: 'telepathy', status: 'granted' }] },
        'unknown_purpose',
      ],
      [
        {
          subjectId: 'x',
          policyVersion: 'v1',
          choices: [
            { purpose: 'measurement', status: 'granted' },
            { purpose: 'sensitive:astrology', status: 'granted' },
          ],
        },
        'unknown_purpose',
      ],
      [
        { subjectId: 'x', policyVersion: 'v9', choices: [{ purpose: 'measurement', status: 'granted' }] },
        'unknown_policy_version',
      ],
      [
        { subjectId: 'x', policyVersion: 'o1', choices: [{ purpose: 'measurement', status: 'granted' }] },
        'unknown_policy_version',
      ],
      [{ subjectId: 'x', policyVersion: 'v1', tcString: 'CQuIxQAQuIxQAAKABAENABFoALIAAA!!' }, 'invalid_tcf_string'],
      [{ subjectId: 'x', policyVersion: 'v1', tcString: 'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA' }, 'invalid_tcf_string'],
      [
        {
          subjectId: 'x',
          policyVersion: 'v1',
          tcString: 'COw4XqLOw4XqLAAAAAENAXCAAAAAAAAAAAAAAAAAAAAA',
          choices: [{ purpose: 'measurement', status: 'granted' }],
        },
        'invalid_tcf_string',
      ],
      [
        { subjectId: 'x', policyVersion: 'v1', tcString: encodeTestTcString({ tcfPolicyVersion: 2 }) },
        'invalid_tcf_string',
      ],
      [
        {
          subjectId: 'x',
          policyVersion: 'v1',
          choices: [
            { purpose: 'measurement', status: 'granted' },
            { purpose: 'measurement', status: 'denied' },
          ],
        },
        'duplicate_purpose',
      ],
      [{ subjectId: 'x', policyVersion: 'v1', choices: [] }, 'no_choices'],
      [
        {
          subjectId: 'x',
          policyVersion: 'v1',
          method: 'accepted',
          choices: [{ purpose: 'measurement', status: 'denied' }],
        },
        'method_status_mismatch',
      ],
      [{ subjectId: 'x', policyVersion: 'v1', method: 'gpc', choices: [] }, 'invalid_request'],
      [{ subjectId: 'x', policyVersion: 'v1', choices: [], ip: '10.0.0.1' }, 'invalid_request'],
      [{ subjectId: 'not a subject!', policyVersion: 'v1', choices: [] }, 'invalid_request'],
      [{ policyVersion: 'v1', choices: [{ purpose: 'measurement', status: 'granted' }] }, 'subject_required'],
      [
        { subjectId: 'x', policyVersion: 'v1', choices: [{ purpose: 'measurement', status: 'yes' }] },
        'invalid_request',
      ],
    ];
    for (const [payload, code] of bad) {
      const res = await post(shop, '/v1/consents', payload, { 'sec-gpc': '1' });
      assert.equal(res.json().code, code, JSON.stringify(payload));
      assert.ok(res.statusCode >= 400 && res.statusCode < 500);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.ok(res.json().hint, `${code} says how to fix it`);
    }
    const tcf = await post(shop, '/v1/consents', { subjectId: 'x', policyVersion: 'v1', tcString: 'abc' });
    assert.match(tcf.json().detail, /TCF consent string is not valid/);
    assert.match(tcf.json().hint, /CMP/);
    const badPolicy = await app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: bearer(shop.admin),
      payload: { version: 'v 2', noticeText: 'x' },
    });
    assert.equal(badPolicy.json().code, 'invalid_request');
    assert.deepEqual(await head(shop), before, 'nothing was appended');
    assert.equal(await historyLength(shop, 'x'), 0);
    assert.equal(statusOf(await consents(shop, 'x'), 'retargeting'), 'unset', 'not even the GPC signal');
  });

  test("one tenant cannot read or write another tenant's consents", async () => {
    const mine = await consents(shop, 'alice');
    assert.equal(statusOf(mine, 'personalization'), 'granted');
    const theirs = await consents(other, 'alice');
    assert.ok(
      theirs.purposes.every((p) => p.status === 'unset'),
      "the other tenant sees nothing of shop's alice",
    );
    assert.equal(theirs.currentPolicyVersion, 'o1');
    const history = await app.inject({ url: '/v1/consents/alice/history', headers: bearer(other.server) });
    assert.deepEqual(history.json().entries, []);
    const shopHead = await head(shop);
    const written = await post(other, '/v1/consents', {
      subjectId: 'alice',
      policyVersion: 'o1',
      choices: [{ purpose: 'personalization', status: 'denied' }],
    });
    assert.equal(written.statusCode, 201);
    assert.equal(written.json().entries[0].seq, 1, "the other tenant's ledger is its own");
    assert.deepEqual(await head(shop), shopHead);
    assert.equal(statusOf(await consents(shop, 'alice'), 'personalization'), 'granted');
  });

  test("a publishable key reads and writes only its token's subject", async () => {
    const asFrank = { ...bearer(shop.publishable), 'x-subject-token': shop.token('frank') };
    const own = await app.inject({
      method: 'POST',
      url: '/v1/consents',
      headers: asFrank,
      payload: { policyVersion: 'v1', choices: [{ purpose: 'measurement', status: 'granted' }] },
    });
    assert.equal(own.statusCode, 201, own.body);
    assert.equal(own.json().entries[0].subjectId, 'frank');
    assert.match(own.json().entries[0].source, /^publishable key /);
    const before = await head(shop);
    const forOther = await app.inject({
      method: 'POST',
      url: '/v1/consents',
      headers: asFrank,
      payload: { subjectId: 'alice', policyVersion: 'v1', choices: [{ purpose: 'measurement', status: 'denied' }] },
    });
    assert.equal(forOther.statusCode, 403);
    assert.equal(forOther.json().code, 'subject_mismatch');
    for (const url of ['/v1/consents/alice', '/v1/consents/alice/history']) {
      const res = await app.inject({ url, headers: asFrank });
      assert.equal(res.statusCode, 403, url);
      assert.equal(res.json().code, 'subject_mismatch');
    }
    assert.equal((await app.inject({ url: '/v1/consents/frank', headers: asFrank })).statusCode, 200);
    const noToken = await app.inject({ url: '/v1/consents/me', headers: bearer(shop.publishable) });
    assert.equal(noToken.json().code, 'subject_token_required');
    const otherTenantToken = await app.inject({
      url: '/v1/consents/me',
      headers: { ...bearer(shop.publishable), 'x-subject-token': other.token('frank') },
    });
    assert.equal(otherTenantToken.statusCode, 401);
    const serverMe = await app.inject({ url: '/v1/consents/me', headers: bearer(shop.server) });
    assert.equal(serverMe.json().code, 'subject_required');
    const policies = await app.inject({ url: '/v1/policies', headers: asFrank });
    assert.equal(policies.statusCode, 403);
    assert.deepEqual(await head(shop), before);
  });

  test('concurrent appends leave one valid chain with no gap and no duplicate', async () => {
    const t = await createTestTenant(services);
    await policy(t, 'p1');
    const writes = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 4
        ? services.consent.applyGpcSignal(t.id, `s${i % 7}`)
        : services.consent.record(t.id, {
            subjectId: `s${i % 7}`,
            policyVersion: 'p1',
            source: 'test',
            choices: [
              { purpose: 'personalization', status: i % 2 ? 'granted' : 'denied' },
              { purpose: 'measurement', status: 'granted' },
            ],
          }),
    );
    const results = (await Promise.all(writes)).flat();
    const seqs = results.map((e) => e.seq).sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
    const report = await services.consent.verifyLedger(t.id);
    assert.deepEqual(report, {
      ok: true,
      count: seqs.length,
      headSeq: seqs.length,
      headHash: results.find((e) => e.seq === seqs.length)?.hash,
    });
    // Verifying while others append sees a whole chain (no false alarm).
    const live = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => services.consent.applyGpcSignal(t.id, `late${i}`)),
      ...Array.from({ length: 5 }, () => services.consent.verifyLedger(t.id)),
    ]);
    for (const r of live.slice(20)) assert.equal((r as { ok: boolean }).ok, true, JSON.stringify(r));
    assert.equal((await services.consent.verifyLedger(t.id)).ok, true);
    // GPC was recorded at most once per subject and purpose in a row.
    for (let s = 0; s < 7; s++) {
      const entries = await services.consent.history(t.id, `s${s}`, { limit: 1000 });
      for (const purpose of ['retargeting', 'sale_sharing']) {
        assert.ok(entries.filter((e) => e.purpose === purpose).length <= 1);
      }
    }
  });

  test('altering one field of an entry, or deleting a middle or the last entry, is found at its seq', async () => {
    const cases = [
      {
        name: 'altered',
        sql: 'UPDATE consent_ledger SET status = $1 WHERE tenant_id = $2 AND seq = $3',
        args: ['granted'],
        seq: 2,
        problem: /entry 2 was altered/,
      },
      {
        name: 'altered time',
        sql: 'UPDATE consent_ledger SET recorded_at = recorded_at + $1 WHERE tenant_id = $2 AND seq = $3',
        args: [1],
        seq: 3,
        problem: /entry 3 was altered/,
      },
      {
        name: 'middle deleted',
        sql: 'DELETE FROM consent_ledger WHERE tenant_id = $1 AND seq = $2',
        args: [],
        seq: 2,
        problem: /entry 2 is missing/,
      },
      {
        name: 'last deleted',
        sql: 'DELETE FROM consent_ledger WHERE tenant_id = $1 AND seq = $2',
        args: [],
        seq: 4,
        problem: /entry 4 is missing/,
      },
    ];
    for (const c of cases) {
      const t = await createTestTenant(services);
      await policy(t, 'p1');
      for (const status of ['granted', 'denied', 'withdrawn', 'granted'] as const) {
        await services.consent.record(t.id, {
          subjectId: 'gina',
          policyVersion: 'p1',
          source: 'test',
          choices: [{ purpose: 'personalization', status }],
        });
      }
      assert.equal((await services.consent.verifyLedger(t.id)).ok, true);
      await rawSql(getDb(), c.sql, [...c.args, t.id, c.seq]);
      const report = await services.consent.verifyLedger(t.id);
      assert.equal(report.ok, false, c.name);
      assert.equal(!report.ok && report.seq, c.seq, c.name);
      assert.match(!report.ok ? report.problem : '', c.problem, c.name);
      const http = await app.inject({ url: '/v1/consent-ledger/verify', headers: bearer(t.admin) });
      assert.equal(http.json().ok, false);
      assert.equal(http.json().seq, c.seq);

      if (c.name === 'altered' || (c.name === 'last deleted' && kind === 'sqlite')) {
        // The command line says the same, with exit code 1; an intact ledger gives OK and exit 0.
        const db = getDb();
        const env = {
          ...process.env,
          ...(db.kind === 'sqlite'
            ? { PERTINENT_DATA_DIR: dirname(db.sqlite.name), DATABASE_URL: '' }
            : { DATABASE_URL: testDatabaseUrl, PERTINENT_PG_SCHEMA: db.schema }),
        };
        const cli = join(ROOT, 'bin/pertinent.mjs');
        const failed = await run(process.execPath, [cli, 'ledger', 'verify', '--tenant', t.id], { env }).then(
          () => assert.fail('verify should exit 1'),
          (error: { code: number; stderr: string }) => error,
        );
        assert.equal(failed.code, 1);
        assert.match(failed.stderr, new RegExp(`broken at entry ${c.seq}: .*${c.problem.source}`));
        if (c.name === 'altered') {
          const ok = await run(process.execPath, [cli, 'ledger', 'verify', '--tenant', shop.id], { env });
          assert.match(ok.stdout, /^OK: .* \d+ entries, head [0-9a-f]{64}\.\n$/);
          const help = await run(process.execPath, [cli, 'ledger', '--help'], { env });
          assert.match(help.stdout, /pertinent ledger verify --tenant ID/);
          const usage = await run(process.execPath, [cli, 'ledger', 'verify'], { env }).catch((e) => e);
          assert.equal(usage.code, 2);
        }
      }
    }
  });
});
