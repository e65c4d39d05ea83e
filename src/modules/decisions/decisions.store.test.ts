import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { AuditRecord, Reason } from '../../core/decision/types.ts';
import { byStore } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import { PostgresDecisionStore } from './decisions.store.postgres.ts';
import { SqliteDecisionStore } from './decisions.store.sqlite.ts';
import type { CounterRow, DecisionStore } from './decisions.store.ts';
import { decodeAuditRecord, encodeAuditRecord } from './decisions.store.ts';

const bought = (item: string): Reason => ({
  code: 'bought',
  basis: 'observed',
  dataCategories: ['user.behavior.purchase_history'],
  consents: ['personalization'],
  item,
});
const popular: Reason = { code: 'popular', basis: 'none', dataCategories: [], consents: [] };
const shared = bought('coat');
const audit: AuditRecord = {
  decisionId: 'd1',
  tenantId: 't1',
  subjectId: 's1',
  placement: 'home',
  placementKind: 'onsite',
  purpose: 'personalization',
  mode: 'personalized',
  controlGroup: false,
  nonPersonalBecause: null,
  // One reason object shared by two items, an equal one as another object, one item with two reasons, one with none.
  items: [
    { itemId: 'gloves', reasons: [shared] },
    { itemId: 'scarf', reasons: [shared, popular] },
    { itemId: 'hat', reasons: [bought('coat')] },
    { itemId: 'boots', reasons: [bought('trousers')] },
    { itemId: 'sock', reasons: [] },
  ],
  dataCategories: ['user.behavior.purchase_history'],
  suppressionCategories: [],
  consents: ['personalization'],
  contextUsed: [],
  locale: 'en',
  at: 10,
};

test('an audit record is stored with each distinct reason once, and read back as it was', () => {
  const text = encodeAuditRecord(audit);
  assert.deepEqual(decodeAuditRecord(text), audit);
  assert.equal((JSON.parse(text) as { reasons: unknown[] }).reasons.length, 3, 'coat, popular, trousers');
  assert.ok(text.length < JSON.stringify(audit).length);
  // Records stored before this format are read as they are.
  assert.deepEqual(decodeAuditRecord(JSON.stringify(audit)), audit);
});

describeEachStore('decision store: counters', (getDb) => {
  let store: DecisionStore;
  before(async () => {
    const db = getDb();
    if (db.kind === 'sqlite') db.sqlite.prepare("INSERT INTO tenants VALUES ('t1', 't1', 's', 0)").run();
    else await db.pool.query("INSERT INTO tenants VALUES ('t1', 't1', 's', 0)");
    store = byStore<DecisionStore>(db, {
      sqlite: (d) => new SqliteDecisionStore(d),
      postgres: (d) => new PostgresDecisionStore(d),
    });
  });

  test('the item impressions of a decision are stored together and read back one by one', async () => {
    const row = (scope: CounterRow['scope'], key: string, at: number): CounterRow => ({
      tenantId: 't1',
      subjectId: 's1',
      scope,
      key,
      at,
    });
    await store.insertDecisions(
      [],
      [
        row('placement', 'home', 10),
        row('item', 'a', 10),
        row('item', 'b"', 10),
        row('item', 'a', 20),
        row('retarget', 'a', 20),
      ],
    );
    const read = (await store.listCounters('t1', 's1', 0)).map((c) => `${c.scope}:${c.key}@${c.at}`).sort();
    assert.deepEqual(read, ['item:a@10', 'item:a@20', 'item:b"@10', 'placement:home@10', 'retarget:a@20']);
    assert.deepEqual((await store.listCounters('t1', 's1', 15)).length, 2);
    assert.equal(await store.deleteSubject('t1', 's1'), 4);
  });

  test('item ids read back exactly, whatever characters they hold', async () => {
    // Plain ids (read by splitting the stored key) and ids that JSON escapes (read by JSON.parse).
    const plain = ['a', 'comma,id', 'ünï-çödé', '[x]', ' spaced ', 'x]'];
    const escaped = ['q"x","y', 'back\\slash', 'tab\tid', '","'];
    const rows = [...plain.map((key) => ({ key, at: 30 })), ...escaped.map((key) => ({ key, at: 40 }))].map(
      ({ key, at }): CounterRow => ({ tenantId: 't1', subjectId: 's2', scope: 'item', key, at }),
    );
    await store.insertDecisions([], rows);
    const read = await store.listCounters('t1', 's2', 0);
    assert.deepEqual(
      read.filter((c) => c.at === 30).map((c) => c.key),
      plain,
    );
    assert.deepEqual(
      read.filter((c) => c.at === 40).map((c) => c.key),
      escaped,
    );
    assert.equal(await store.deleteSubject('t1', 's2'), 2);
  });

  test('an audit record reads back from the store as it was decided', async () => {
    await store.insertDecisions([audit], []);
    assert.deepEqual(await store.findDecision('t1', 'd1'), audit);
    assert.deepEqual(await store.listSubjectDecisions('t1', 's1', { since: 0, limit: 10 }), [audit]);
    assert.equal(await store.deleteSubject('t1', 's1'), 1);
    await store.close();
  });
});
