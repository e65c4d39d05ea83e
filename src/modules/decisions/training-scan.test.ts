import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Services } from '../../platform/container.ts';
import { byStore } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';
import { PostgresDecisionStore } from './decisions.store.postgres.ts';
import { SqliteDecisionStore } from './decisions.store.sqlite.ts';
import type { DecisionStore } from './decisions.store.ts';
import { DEMO_POLICY_VERSION, seedDemoShop } from './demo-shop.ts';

describeEachStore('model training reads only subjects who may be profiled', (getDb) => {
  let app: App;
  let services: Services;
  let shop: TestTenant;

  before(async () => {
    ({ app, services } = await testApp(getDb()));
    shop = await createTestTenant(services);
    await seedDemoShop(services, shop.id);
  });
  after(async () => {
    await app.close();
    await services.decisions.close();
  });

  const trainedSubjects = async () => {
    const store = byStore<DecisionStore>(getDb(), {
      sqlite: (d) => new SqliteDecisionStore(d),
      postgres: (d) => new PostgresDecisionStore(d),
    });
    const subjects = new Set<string>();
    let after: { subjectId: string; eventId: string } | undefined;
    try {
      for (;;) {
        const batch = await store.scanTrainingEvents(shop.id, after, 500);
        if (batch.length === 0) return subjects;
        for (const e of batch) subjects.add(e.subjectId);
        const last = batch[batch.length - 1]!;
        after = { subjectId: last.subjectId, eventId: last.eventId };
      }
    } finally {
      await store.close();
    }
  };

  test('an objection to profiling, or a restriction, takes the subject out of the training scan', async () => {
    const send = (method: 'POST' | 'PUT', url: string, payload: object) =>
      app.inject({ method, url, headers: bearer(shop.server), payload });
    for (const subjectId of ['olga', 'rita']) {
      const consent = await send('POST', '/v1/consents', {
        subjectId,
        policyVersion: DEMO_POLICY_VERSION,
        choices: [{ purpose: 'personalization', status: 'granted' }],
      });
      assert.equal(consent.statusCode, 201, consent.body);
      const events = await send('POST', '/v1/events', [
        {
          eventId: `${subjectId}-1`,
          subjectId,
          type: 'purchase',
          itemId: 'coat-wool',
          occurredAt: new Date().toISOString(),
        },
      ]);
      assert.equal(events.statusCode, 200, events.body);
    }
    const before = await trainedSubjects();
    assert.ok(before.has('olga') && before.has('rita'), 'consented subjects train the models');
    assert.equal((await send('PUT', '/v1/subjects/olga/restrictions', { objectToProfiling: true })).statusCode, 200);
    assert.equal((await send('PUT', '/v1/subjects/rita/restrictions', { restrictProcessing: true })).statusCode, 200);
    const afterwards = await trainedSubjects();
    assert.ok(!afterwards.has('olga'), 'an objector is not in the training scan');
    assert.ok(!afterwards.has('rita'), 'a restricted subject is not in the training scan');
    assert.equal((await send('PUT', '/v1/subjects/olga/restrictions', { objectToProfiling: false })).statusCode, 200);
    assert.ok((await trainedSubjects()).has('olga'), 'lifting the objection lets the models learn again');
  });
});
