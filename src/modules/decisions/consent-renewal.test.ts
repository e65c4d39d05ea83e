import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Recommender } from '../../core/recommend/recommender.ts';
import type { Services } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import { shopSuite } from '../../platform/testing-app.ts';
import { recordCalls } from '../../platform/testing-calls.ts';

describeEachStore('decisions across a consent that lapses and is renewed', (getDb) => {
  const clock = Date.now();
  const suite = shopSuite(getDb, {
    now: () => clock,
    seed: async (services, tenantId) => {
      await services.catalog.bulkUpsert(tenantId, [
        { id: 'coat-1', title: 'Wool coat', category: 'clothing/coats' },
        { id: 'gloves-1', title: 'Leather gloves', category: 'clothing/gloves' },
      ]);
      await services.consent.registerPolicy(tenantId, { version: '1', noticeText: 'Test notice.' });
      // Ana bought the coat; Ben the coat and the gloves, which go with it.
      for (const subjectId of ['ana', 'ben']) await consent(services, tenantId, subjectId, '1');
      const occurredAt = new Date(clock - 86_400_000).toISOString();
      const bought = [
        ['ana', 'coat-1'],
        ['ben', 'coat-1'],
        ['ben', 'gloves-1'],
      ];
      await services.events.ingest(
        tenantId,
        bought.map(([subjectId, itemId]) => ({
          eventId: `${subjectId}-${itemId}`,
          subjectId,
          type: 'purchase',
          itemId,
          occurredAt,
        })),
        { subjectFor: (r) => r as string, defaultSource: 'import' },
      );
    },
  });

  const consent = (services: Services, tenantId: string, subjectId: string, policyVersion: string) =>
    services.consent.record(tenantId, {
      subjectId,
      policyVersion,
      choices: [{ purpose: 'personalization', status: 'granted' }],
      source: 'test',
    });
  const decide = () =>
    suite.services.decisions.decide({
      tenantId: suite.shop.id,
      placement: 'home',
      subjectId: 'ana',
      context: {},
      limit: 3,
      exclude: [],
      gpc: false,
      knownMinor: false,
    });

  test('the models learn the events of a subject again once a lapsed consent is renewed', async () => {
    const learned = recordCalls(Recommender.prototype, 'add');
    try {
      assert.equal((await decide()).mode, 'personalized');
      assert.ok(learned.calls.some(([e]) => (e as { subjectId: string }).subjectId === 'ana'));
      // A new policy: her consent needs renewing, and the models forget her at her next decision.
      await suite.services.consent.registerPolicy(suite.shop.id, { version: '2', noticeText: 'New notice.' });
      assert.notEqual((await decide()).mode, 'personalized');
      learned.calls.length = 0;
      await consent(suite.services, suite.shop.id, 'ana', '2');
      assert.equal((await decide()).mode, 'personalized');
      const again = learned.calls.map(([e]) => e as { subjectId: string; itemId: string });
      assert.deepEqual(
        again
          .filter((e) => e.subjectId === 'ana')
          .map((e) => e.itemId)
          .sort(),
        ['coat-1'],
      );
    } finally {
      learned.restore();
    }
  });
});
