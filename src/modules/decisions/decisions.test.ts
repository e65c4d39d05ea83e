import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Recommender } from '../../core/recommend/recommender.ts';
import type { Services } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';
import { recordCalls } from '../../platform/testing-calls.ts';
import { DEMO_POLICY_VERSION, seedDemoShop } from './demo-shop.ts';
import { PersonalAnswers } from './personal-answers.ts';

interface Decision {
  decisionId: string;
  mode: string;
  withheld: string | null;
  items: { itemId: string; title: string; reasons: { code: string; text: string; dataCategories: string[] }[] }[];
  dataCategories: string[];
  consents: string[];
}

const CLASS_OF: Record<string, string> = {
  'prenatal-vitamins': 'pregnancy_baby',
  'pregnancy-test': 'pregnancy_baby',
  'nappies-newborn': 'pregnancy_baby',
  'baby-wipes': 'pregnancy_baby',
  'baby-lotion': 'pregnancy_baby',
  'baby-bottle': 'pregnancy_baby',
};

describeEachStore('decisions end to end (demo shop)', (getDb) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;
  // Subject tokens are verified against the real clock, so the test clock starts from it.
  const clock = Date.now();

  before(async () => {
    ({ app, services } = await testApp(getDb(), { now: () => clock }));
    shop = await createTestTenant(services);
    await seedDemoShop(services, shop.id);
  });
  after(async () => {
    await app.close();
    await services.decisions.close();
  });

  const decide = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { ...bearer(shop.server), ...headers },
      payload: { limit: 4, ...body },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Decision;
  };
  const ids = (d: Decision) => d.items.map((i) => i.itemId);

  test('/readyz answers 503 while the models warmed at start are built, 200 after; /healthz answers throughout', async () => {
    services.decisions.invalidate(shop.id);
    const warming = services.decisions.warm([shop.id]);
    const during = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(during.statusCode, 503, during.body);
    assert.equal(during.json().code, 'not_ready');
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await warming;
    const afterwards = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(afterwards.statusCode, 200, afterwards.body);
  });

  test('the coat buyer gets gloves, hats or scarves — not cat food — each with its reason and the data used', async () => {
    const d = await decide({ placement: 'home', subjectId: 'alice' });
    assert.equal(d.mode, 'personalized');
    const top = ids(d).slice(0, 2);
    assert.ok(
      top.every((id) => /^(gloves|hat|scarf)-/.test(id)),
      ids(d).join(),
    );
    assert.ok(!ids(d).some((id) => id.startsWith('cat-')));
    assert.equal(d.items[0]?.reasons[0]?.text, 'Because you bought Wool coat');
    assert.deepEqual(d.dataCategories, ['user.behavior.purchase_history']);
    assert.deepEqual(d.consents, ['personalization']);
  });

  test('lotion, vitamins and cotton wool: never pregnancy or baby products, in any placement or message', async () => {
    // The demo's shoppers buy the lotion with baby products, so that the models do propose
    // them to chloe and only the guardrails keep them out (without such baskets this test
    // would pass with no sensitive policy at all).
    let together = 0;
    for (let s = 0; s < 90; s++) {
      const bought = new Set(
        (await services.events.listEvents(shop.id, `shopper-${String(s).padStart(3, '0')}`)).map((e) => e.itemId),
      );
      if (bought.has('lotion-unscented') && (bought.has('nappies-newborn') || bought.has('prenatal-vitamins')))
        together++;
    }
    assert.ok(together >= 5, `${together} shoppers bought the lotion with baby products`);
    await app.inject({
      method: 'PUT',
      url: '/v1/placements/weekly-mail',
      headers: bearer(shop.admin),
      payload: { kind: 'email' },
    });
    await app.inject({
      method: 'PUT',
      url: '/v1/placements/banner',
      headers: bearer(shop.admin),
      payload: { kind: 'advertising' },
    });
    for (const placement of ['home', 'weekly-mail', 'banner', 'basket']) {
      for (const context of [{}, { itemId: 'lotion-unscented' }, { itemId: 'cotton-wool' }, { category: 'beauty' }]) {
        const d = await decide({ placement, subjectId: 'chloe', context, limit: 10 });
        const sensitive = ids(d).filter((id) => CLASS_OF[id] !== undefined);
        assert.deepEqual(sensitive, [], `${placement} ${JSON.stringify(context)}`);
      }
    }
    // She declares nothing; the same baskets make baby products appear for the one who did.
    const dana = await decide({ placement: 'home', subjectId: 'dana', limit: 10 });
    const baby = dana.items.find((i) => CLASS_OF[i.itemId] === 'pregnancy_baby');
    assert.ok(baby, ids(dana).join());
    assert.equal(baby.reasons[0]?.code, 'declared_interest');
    assert.ok(dana.consents.includes('sensitive:pregnancy_baby'));
  });

  test('abandoned trousers are retargeted at most the configured number of times, never after they are bought', async () => {
    await app.inject({
      method: 'PUT',
      url: '/v1/placements/retarget-test',
      headers: bearer(shop.admin),
      payload: { kind: 'onsite', retargeting: { maxImpressions: 2 } },
    });
    let shown = 0;
    for (let i = 0; i < 5; i++) {
      const d = await decide({ placement: 'retarget-test', subjectId: 'bruno' });
      if (d.items.some((x) => x.itemId === 'trousers-chino' && x.reasons.some((r) => r.code === 'retargeting')))
        shown++;
    }
    assert.equal(shown, 2);
    // GPC: no retargeting at all, on a fresh placement.
    const gpc = await decide({ placement: 'home', subjectId: 'bruno' }, { 'sec-gpc': '1' });
    assert.ok(!gpc.items.some((x) => x.reasons.some((r) => r.code === 'retargeting')), ids(gpc).join());
    const ingest = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(shop.server),
      payload: {
        events: [
          {
            eventId: 'bruno-buys',
            subjectId: 'bruno',
            type: 'purchase',
            itemId: 'trousers-chino',
            occurredAt: new Date(clock).toISOString(),
          },
        ],
      },
    });
    assert.ok(ingest.statusCode < 300, ingest.body);
    const d = await decide({ placement: 'home', subjectId: 'bruno', limit: 10 });
    assert.ok(!ids(d).includes('trousers-chino'));
  });

  test('a GPC request gets no retargeting', async () => {
    const d = await decide({ placement: 'gpc-test', subjectId: 'bruno', limit: 10 }, { 'sec-gpc': '1' });
    assert.ok(!d.items.some((x) => x.reasons.some((r) => r.code === 'retargeting')));
  });

  test('withdrawal takes effect on the very next decision; an explanation goes only to its subject', async () => {
    const before = await decide({ placement: 'home', subjectId: 'alice' });
    assert.equal(before.mode, 'personalized');
    const token = shop.token('alice');
    const explained = await app.inject({
      url: `/v1/decisions/${before.decisionId}/explanation?locale=fr`,
      headers: { ...bearer(shop.publishable), 'x-subject-token': token },
    });
    assert.equal(explained.statusCode, 200, explained.body);
    const e = explained.json() as {
      items: { reasons: { text: string }[] }[];
      dataUsed: { text: string }[];
      controls: { url: string };
    };
    assert.equal(e.items[0]?.reasons[0]?.text, 'Parce que vous avez acheté Wool coat');
    assert.ok(e.dataUsed.some((x) => x.text === 'vos achats'));
    assert.equal(e.controls.url, '/privacy');
    const other = await app.inject({
      url: `/v1/decisions/${before.decisionId}/explanation`,
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('chloe') },
    });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().code, 'decision_not_found');

    await services.consent.record(shop.id, {
      subjectId: 'alice',
      policyVersion: DEMO_POLICY_VERSION,
      choices: [{ purpose: 'personalization', status: 'withdrawn' }],
      source: 'test',
    });
    const afterWithdrawal = await decide({ placement: 'home', subjectId: 'alice', context: { itemId: 'coat-rain' } });
    assert.notEqual(afterWithdrawal.mode, 'personalized');
    assert.deepEqual(afterWithdrawal.dataCategories, []);
    assert.ok(afterWithdrawal.items.every((i) => i.reasons.every((r) => r.dataCategories.length === 0)));
  });

  test('a publishable key decides for the subject of its token only; anonymous and non-consenting visitors get context', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('emma') },
      payload: { placement: 'product', context: { itemId: 'coat-parka' } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json() as Decision;
    assert.equal(d.mode, 'contextual');
    assert.ok(
      d.items.some((i) => i.reasons.some((r) => r.text === 'Goes with the item you are looking at')),
      res.body,
    );
    const spoof = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { ...bearer(shop.publishable), 'x-subject-token': shop.token('emma') },
      payload: { placement: 'home', subjectId: 'alice' },
    });
    assert.equal(spoof.statusCode, 403);
    const anonymous = await decide({ placement: 'home' });
    assert.equal(anonymous.mode, 'popular');
  });

  test('the similar items of every item are computed when the models are built, not on its page’s first decision', async () => {
    const similar = recordCalls(Recommender.prototype, 'similarTo');
    try {
      services.decisions.invalidate(shop.id);
      await services.decisions.warm([shop.id]);
      const asked = similar.calls.map(([itemId]) => itemId);
      assert.ok(asked.includes('coat-wool') && asked.includes('gloves-leather'), `warmed: ${asked.join(', ')}`);
      similar.calls.length = 0;
      const d = await decide({ placement: 'product', context: { itemId: 'coat-wool' } });
      assert.deepEqual(similar.calls, []);
      assert.equal(d.mode, 'contextual');
      assert.ok(d.items.length > 0);
    } finally {
      similar.restore();
    }
  });

  test('every shopper’s personal answer is computed with the models; a visitor without consent does not drop them', async () => {
    const personal = recordCalls(Recommender.prototype, 'recommendForHistoryIndexed');
    const cleared = recordCalls(PersonalAnswers.prototype, 'clear');
    try {
      services.decisions.invalidate(shop.id);
      await services.decisions.warm([shop.id]);
      assert.ok(personal.calls.length >= 4, `warmed: ${personal.calls.length}`);
      personal.calls.length = 0;
      const first = await decide({ placement: 'home', subjectId: 'chloe' });
      assert.equal(first.mode, 'personalized');
      assert.ok(
        first.items.some((i) => i.reasons.some((r) => r.code === 'bought')),
        JSON.stringify(first.items),
      );
      assert.equal(personal.calls.length, 0);
      // Emma gave no consent: her decision removes her from the models, who never knew her.
      assert.equal((await decide({ placement: 'home', subjectId: 'emma' })).mode, 'popular');
      const again = await decide({ placement: 'home', subjectId: 'chloe', limit: 3 });
      assert.equal(personal.calls.length, 0);
      assert.deepEqual(ids(again), ids(first).slice(0, 3));
      // Removing a shopper from the models (an erasure, a withdrawal) drops the kept answers at once,
      // whether the models knew them or not: the keys are histories.
      for (const subjectId of ['bruno', 'nobody-known']) {
        cleared.calls.length = 0;
        await services.decisions.forgetInModels(shop.id, subjectId);
        assert.ok(cleared.calls.length > 0, subjectId);
      }
    } finally {
      personal.restore();
      cleared.restore();
    }
  });

  test('a contextual decision says it used nothing personal; erasing the subject erases their decisions and counters', async () => {
    const d = await decide({ placement: 'product', subjectId: 'emma', context: { itemId: 'coat-parka' } });
    const res = await app.inject({ url: `/v1/decisions/${d.decisionId}/explanation`, headers: bearer(shop.server) });
    assert.equal(res.statusCode, 200, res.body);
    const e = res.json() as { summary: string; dataUsed: unknown[]; consents: unknown[] };
    assert.equal(e.summary, 'This was not chosen from your personal data.');
    assert.deepEqual(e.consents, []);
    assert.ok((await services.decisions.eraseSubject(shop.id, 'emma')) > 0);
    const gone = await app.inject({ url: `/v1/decisions/${d.decisionId}/explanation`, headers: bearer(shop.server) });
    assert.equal(gone.statusCode, 404);
    assert.equal(await services.decisions.eraseSubject(shop.id, 'emma'), 0);
  });

  test('bad input gets a problem+json and records nothing; placements need an admin key', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: bearer(shop.server),
      payload: { placement: 'home', subjectId: 'alice', colour: 'red', limit: 0 },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    const forbidden = await app.inject({
      method: 'PUT',
      url: '/v1/placements/home',
      headers: bearer(shop.server),
      payload: { kind: 'onsite' },
    });
    assert.equal(forbidden.statusCode, 403);
    const created = await app.inject({
      method: 'PUT',
      url: '/v1/placements/capped',
      headers: bearer(shop.admin),
      payload: { kind: 'onsite', caps: [{ scope: 'placement', limit: 1, windowHours: 24 }] },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await decide({ placement: 'capped', subjectId: 'dana' })).withheld, null);
    const second = await decide({ placement: 'capped', subjectId: 'dana' });
    assert.equal(second.withheld, 'placement_cap');
    assert.deepEqual(second.items, []);
    const listed = await app.inject({ url: '/v1/placements/capped', headers: bearer(shop.server) });
    assert.equal(listed.json().caps[0].windowHours, 24);
  });
});
