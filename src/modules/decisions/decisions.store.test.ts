import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { byStore } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import { PostgresDecisionStore } from './decisions.store.postgres.ts';
import { SqliteDecisionStore } from './decisions.store.sqlite.ts';
import type { CounterRow, DecisionStore } from './decisions.store.ts';

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
    await store.close();
  });
});
