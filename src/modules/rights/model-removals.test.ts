import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../../platform/db/database.ts';
import { describeEachStore, openAnotherHandle } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import { bearer, demoShopSuite, testApp } from '../../platform/testing-app.ts';
import { DEMO_POLICY_VERSION } from '../decisions/demo-shop.ts';

const DAY = 24 * 3600 * 1000;
/** Both nodes read the feed before every decision. */
const NODE = { PERTINENT_MODEL_SYNC_SECONDS: '0' };

describeEachStore('erasure and objection reach the models of every node sharing the database', (getDb) => {
  let now = Date.now();
  // Node A: the suite's application; node B: another container on its own connection to the same database.
  const a = demoShopSuite(getDb, { now: () => now, config: NODE });
  let b: Awaited<ReturnType<typeof testApp>>;
  let bDb: Db;
  before(async () => {
    bDb = await openAnotherHandle(getDb());
    b = await testApp(bDb, { now: () => now, config: NODE });
  });
  after(async () => {
    await b.app.close();
    await b.services.close();
  });

  const decide = async (on: App, body: Record<string, unknown>) => {
    const res = await on.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: bearer(a.shop.server),
      payload: { limit: 4, ...body },
    });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { items: { itemId: string; score: number }[] }).items;
  };
  /** What a node that never saw the subject answers: a third container built from the database now. */
  const neverSaw = async (body: Record<string, unknown>) => {
    const cDb = await openAnotherHandle(getDb());
    const c = await testApp(cDb, { now: () => now, config: NODE });
    try {
      return await decide(c.app, body);
    } finally {
      await c.app.close();
      await c.services.close();
    }
  };

  /** A shopper whose one basket teaches the models that wool coats go with leather belts. */
  const beltBuyer = async (subjectId: string) => {
    await a.services.consent.record(a.shop.id, {
      subjectId,
      policyVersion: DEMO_POLICY_VERSION,
      choices: [{ purpose: 'personalization', status: 'granted' }],
      source: 'test',
    });
    const at = new Date(now - 2 * DAY).toISOString();
    await a.services.events.ingest(
      a.shop.id,
      ['coat-wool', 'belt-leather'].map((itemId, i) => ({
        eventId: `${subjectId}-${i}`,
        subjectId,
        type: 'purchase',
        itemId,
        occurredAt: at,
        quantity: 1,
      })),
      { subjectFor: (s) => s as string, defaultSource: 'import' },
    );
    // Both nodes learn from the shopper (the subject's own decision feeds their models online).
    for (const node of [a.app, b.app]) await decide(node, { placement: 'home', subjectId });
  };

  const anchor = { placement: 'pdp', context: { itemId: 'coat-wool' } };

  test('after an erasure on node A, node B answers as a model that never saw the subject', async () => {
    await beltBuyer('nina.k-1');
    const before = await decide(b.app, anchor);
    assert.deepEqual(before, await decide(a.app, anchor), 'both nodes learnt the same');
    const erased = await a.app.inject({
      method: 'POST',
      url: '/v1/subjects/nina.k-1/erasure',
      headers: bearer(a.shop.server),
      payload: { confirm: true },
    });
    assert.equal(erased.statusCode, 200, erased.body);
    const reference = await neverSaw(anchor);
    assert.notDeepEqual(before, reference, 'the subject did change node B’s answers');
    assert.deepEqual(await decide(a.app, anchor), reference, 'node A forgot the subject');
    assert.deepEqual(await decide(b.app, anchor), reference, 'node B forgot the subject');
  });

  test('after an objection to profiling on node B, node A answers as a model that never saw the subject', async () => {
    await beltBuyer('omar.t-2');
    const before = await decide(a.app, anchor);
    const objected = await b.app.inject({
      method: 'PUT',
      url: '/v1/subjects/omar.t-2/restrictions',
      headers: bearer(a.shop.server),
      payload: { objectToProfiling: true },
    });
    assert.equal(objected.statusCode, 200, objected.body);
    const reference = await neverSaw(anchor);
    assert.notDeepEqual(before, reference, 'the subject did change node A’s answers');
    assert.deepEqual(await decide(a.app, anchor), reference, 'node A forgot the subject');
  });

  test('the feed names subjects only by the tombstone’s keyed hash, and the sweep drops it after a day', async () => {
    const db = getDb();
    const query = 'SELECT * FROM model_removals';
    const rows = (db.kind === 'sqlite' ? db.sqlite.prepare(query).all() : (await db.pool.query(query)).rows) as {
      subject_hmac: string;
    }[];
    assert.ok(rows.length >= 2, 'the erasure and the objection');
    for (const row of rows) {
      assert.match(row.subject_hmac, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(row).includes('nina') && !JSON.stringify(row).includes('omar'));
    }
    now += 2 * DAY;
    await a.services.rights.sweep();
    const left = db.kind === 'sqlite' ? db.sqlite.prepare(query).all() : (await db.pool.query(query)).rows;
    assert.deepEqual(left, []);
  });
});
