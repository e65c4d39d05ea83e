import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { CounterIndex, type CounterWindow } from '../../core/decision/counters.ts';
import type { AuditRecord, CounterIncrement, Reason } from '../../core/decision/types.ts';
import { byStore } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import { PostgresDecisionStore } from './decisions.store.postgres.ts';
import { SqliteDecisionStore } from './decisions.store.sqlite.ts';
import type { DecisionStore, DecisionWrite } from './decisions.store.ts';
import {
  decodeAuditRecord,
  decodeCounters,
  decodeCountersInto,
  encodeAuditRecord,
  encodeCounters,
} from './decisions.store.ts';

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

test('counters are stored as groups of a scope and its keys, and read back by splitting or by JSON.parse', () => {
  const counters: CounterIncrement[] = [
    { scope: 'placement', key: 'home' },
    { scope: 'item', key: 'a' },
    { scope: 'channel', key: 'web' },
    { scope: 'item', key: 'b' },
  ];
  const text = encodeCounters(counters);
  assert.equal(text, '[["placement","home"],["item","a","b"],["channel","web"]]');
  const read = decodeCounters(text as string, 5);
  assert.deepEqual(
    read.map((c) => [c.scope, c.key, c.at]),
    [
      ['placement', 'home', 5],
      ['item', 'a', 5],
      ['item', 'b', 5],
      ['channel', 'web', 5],
    ],
  );
  // Text written otherwise (spaces, as another writer may) reads the same through JSON.parse.
  assert.deepEqual(decodeCounters('[["placement", "home"], ["item", "a", "b"], ["channel", "web"]]', 5), read);
  assert.equal(encodeCounters([]), null, 'a decision that counted nothing stores NULL');
});

test('only the scopes a reader wants are decoded, from any form of the text', () => {
  const itemsOf = (text: string) => {
    const out: string[] = [];
    decodeCountersInto(text, 5, {
      wants: (scope, at) => scope === 'item' && at === 5,
      add: (scope, key, at) => out.push(`${scope}:${key}@${at}`),
    });
    return out;
  };
  const expected = ['item:a@5', 'item:b@5'];
  assert.deepEqual(itemsOf('[["placement","home"],["item","a","b"],["channel","web"]]'), expected);
  // A text that starts as written by encodeCounters and turns out otherwise is read
  // again whole through JSON.parse, nothing counted twice.
  assert.deepEqual(itemsOf('[["item","a"], ["item","b"]]'), expected);
  assert.deepEqual(itemsOf('[["item","a"],["item","b"] ]'), expected);
  assert.deepEqual(itemsOf('[["item","a","b"],\n["placement","x"]]'), expected);
  assert.deepEqual(itemsOf('[["item" ,"a","b"]]'), expected);
  assert.deepEqual(itemsOf('[["placement","home"]]'), []);
  assert.throws(() => itemsOf('[["item","a""b"]]'), SyntaxError, 'neither form: an error, not a guess');
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

  /** The subject's impressions in every scope from `since` on (or in `windows`). */
  const readBack = async (subjectId: string, since: number, windows?: CounterWindow[]) => {
    const index = windows ? new CounterIndex(windows) : CounterIndex.since(since);
    await store.readCounters('t1', subjectId, index);
    return index;
  };
  const listed = (index: CounterIndex) =>
    index
      .impressions()
      .map((c) => `${c.scope}:${c.key}@${c.at}`)
      .sort();

  /** A decision of `subjectId` at `at` that counted `counters` (its record as in {@link audit}). */
  const counted = (decisionId: string, subjectId: string, at: number, counters: CounterIncrement[]): DecisionWrite => ({
    record: { ...audit, decisionId, subjectId, at },
    counters,
  });

  test("a decision's impressions are stored with it and read back one by one, from a time on", async () => {
    await store.insertDecisions([
      counted('c1', 's1', 10, [
        { scope: 'placement', key: 'home' },
        { scope: 'item', key: 'a' },
        { scope: 'item', key: 'b"' },
      ]),
      counted('c2', 's1', 20, [
        { scope: 'item', key: 'a' },
        { scope: 'retarget', key: 'a' },
      ]),
      counted('c3', 's1', 30, []),
      counted('c4', 's9', 30, [{ scope: 'item', key: 'a' }]),
    ]);
    assert.deepEqual(listed(await readBack('s1', 0)), [
      'item:a@10',
      'item:a@20',
      'item:b"@10',
      'placement:home@10',
      'retarget:a@20',
    ]);
    assert.deepEqual(listed(await readBack('s1', 15)), ['item:a@20', 'retarget:a@20']);
    // Each scope from its own window: the placement is not asked for, the items only from 15.
    const windows = await readBack('s1', 0, [
      { scope: 'item', since: 15 },
      { scope: 'retarget', since: 0 },
    ]);
    assert.deepEqual(listed(windows), ['item:a@20', 'retarget:a@20']);
    assert.equal(windows.count('item', 'a', 15), 1);
    assert.throws(() => windows.count('item', 'a', 0), /not read/, 'an earlier start than was read');
    assert.throws(() => windows.count('placement', 'home', 15), /not read/, 'a scope that was not read');
    // A decision read for one scope's window gives nothing of a scope whose window it is not in.
    assert.deepEqual(
      listed(
        await readBack('s1', 0, [
          { scope: 'item', since: 25 },
          { scope: 'retarget', since: 0 },
        ]),
      ),
      ['retarget:a@20'],
    );
    assert.deepEqual(listed(await readBack('s1', 0, [])), [], 'no windows, nothing read');
    assert.equal(await store.deleteSubject('t1', 's1'), 3, 'three decisions, their counters with them');
    assert.deepEqual(listed(await readBack('s1', 0)), []);
    assert.deepEqual(listed(await readBack('s9', 0)), ['item:a@30'], "another subject's stay");
    assert.equal(await store.deleteSubject('t1', 's9'), 1);
  });

  test('counted keys read back exactly, whatever characters they hold', async () => {
    // Plain keys (read by splitting the stored text) and keys that JSON escapes (read by JSON.parse).
    const plain = ['a', 'comma,id', 'ünï-çödé', '[x]', ' spaced ', 'x]', '"],["'.replace(/"/g, ''), ''];
    const escaped = ['q"x","y', 'back\\slash', 'tab\tid', '","', '"],["'];
    const items = (keys: string[]) => keys.map((key): CounterIncrement => ({ scope: 'item', key }));
    await store.insertDecisions([
      counted('k1', 's2', 30, [...items(plain), { scope: 'campaign', key: 'c,1' }]),
      counted('k2', 's2', 40, [{ scope: 'campaign', key: 'c"2' }, ...items(escaped)]),
    ]);
    const read = (await readBack('s2', 0)).impressions();
    const keys = (at: number, scope: string) => read.filter((c) => c.at === at && c.scope === scope).map((c) => c.key);
    assert.deepEqual(keys(30, 'item'), plain);
    assert.deepEqual(keys(30, 'campaign'), ['c,1']);
    assert.deepEqual(keys(40, 'item'), escaped);
    assert.deepEqual(keys(40, 'campaign'), ['c"2']);
    assert.equal(await store.deleteSubject('t1', 's2'), 2);
  });

  test('an audit record reads back from the store as it was decided', async () => {
    await store.insertDecisions([{ record: audit, counters: [] }]);
    assert.deepEqual(await store.findDecision('t1', 'd1'), audit);
    assert.deepEqual(await store.listSubjectDecisions('t1', 's1', { since: 0, limit: 10 }), [audit]);
    assert.equal(await store.deleteSubject('t1', 's1'), 1);
    await store.close();
  });
});
