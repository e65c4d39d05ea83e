import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Services } from '../../platform/container.ts';
import type { Db } from '../../platform/db/database.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import type { App } from '../../platform/http.ts';
import { bearer, createTestTenant, testApp } from '../../platform/testing-app.ts';
import { AdsService } from './ads.service.ts';
import { PostgresAdStore } from './ads.store.postgres.ts';
import { SqliteAdStore } from './ads.store.sqlite.ts';
import { seedJeweller, weddingCampaign } from './ads.testing.ts';

/**
 * The ad path reads no personal data. Two proofs, on every store:
 * - the ads service is built from its own store and ports only — no subject,
 *   event, consent, preference or decision store exists in its reach;
 * - every SQL statement run while screens ask for adverts, report plays and
 *   the advertiser reads reports is recorded (a proxy around the database
 *   handle), and the tables it names must be the ads tables (plus the API key
 *   lookup). Reading `events`, `consent_*`, `declarations`, `decisions` or any
 *   other personal table fails this test.
 */
const T0 = Date.UTC(2026, 10, 23, 10, 0);

const TABLES = new Set(
  (['sqlite', 'postgres'] as const).flatMap((dialect) => {
    const dir = fileURLToPath(new URL(`../../platform/db/migrations/${dialect}/`, import.meta.url));
    return readdirSync(dir).flatMap((f) =>
      [...readFileSync(`${dir}${f}`, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_0-9]+)/g)].map(
        (m) => m[1] as string,
      ),
    );
  }),
);
const PERSONAL = ['events', 'declarations', 'consent_ledger', 'consent_states', 'consent_subjects', 'decisions'];
const isAdTable = (t: string) => t.startsWith('ad_');

/** Wraps a database handle so that every statement it runs is recorded, by the tables it names. */
function recording(db: Db): { db: Db; touched: Set<string>; statements: string[] } {
  const touched = new Set<string>();
  const statements: string[] = [];
  const record = (sql: string) => {
    statements.push(sql);
    for (const m of sql.matchAll(/\b(?:from|join|into|update|table)\s+([a-z_][a-z0-9_]*)/gi)) {
      const t = (m[1] as string).toLowerCase();
      if (TABLES.has(t)) touched.add(t);
    }
  };
  const passThrough = <T extends object>(target: T, wrap: (prop: string | symbol, value: unknown) => unknown) =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        const wrapped = wrap(prop, value);
        if (wrapped !== undefined) return wrapped;
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  if (db.kind === 'sqlite') {
    const statement = (stmt: object, sql: string): object =>
      passThrough(stmt, (prop, value) => {
        if (typeof value !== 'function') return undefined;
        if (prop === 'run' || prop === 'get' || prop === 'all' || prop === 'iterate') {
          return (...args: unknown[]) => {
            record(sql);
            return (value as (...a: unknown[]) => unknown).apply(stmt, args);
          };
        }
        if (prop === 'pluck' || prop === 'raw' || prop === 'expand' || prop === 'safeIntegers') {
          return (...args: unknown[]) => {
            (value as (...a: unknown[]) => unknown).apply(stmt, args);
            return statement(stmt, sql);
          };
        }
        return undefined;
      });
    const sqlite = passThrough(db.sqlite, (prop, value) => {
      if (prop === 'prepare')
        return (sql: string) => statement((value as (s: string) => object).call(db.sqlite, sql), sql);
      if (prop === 'exec')
        return (sql: string) => {
          record(sql);
          return (value as (s: string) => unknown).call(db.sqlite, sql);
        };
      return undefined;
    });
    return { db: { ...db, sqlite } as Db, touched, statements };
  }
  const client = (c: object): object =>
    passThrough(c, (prop, value) =>
      prop === 'query'
        ? (text: unknown, ...rest: unknown[]) => {
            record(typeof text === 'string' ? text : String((text as { text?: string }).text));
            return (value as (...a: unknown[]) => unknown).call(c, text, ...rest);
          }
        : undefined,
    );
  const pool = passThrough(db.pool, (prop, value) => {
    if (prop === 'query') return (client(db.pool) as { query: unknown }).query;
    if (prop === 'connect') return async () => client(await (value as () => Promise<object>).call(db.pool));
    return undefined;
  });
  return { db: { ...db, pool } as Db, touched, statements };
}

describeEachStore('the ad path reads no personal data', (getDb) => {
  test('the recorder sees a read of a personal table (so the checks below can fail)', async () => {
    const r = recording(getDb());
    if (r.db.kind === 'sqlite') r.db.sqlite.prepare('SELECT count(*) AS n FROM events').get();
    else await r.db.pool.query('SELECT count(*) AS n FROM events');
    assert.deepEqual([...r.touched], ['events']);
  });

  test('the ads service alone, on a recorded handle, touches only ads tables', async () => {
    const r = recording(getDb());
    const store = r.db.kind === 'sqlite' ? new SqliteAdStore(r.db) : new PostgresAdStore(r.db);
    const refuse = async (): Promise<never> => {
      throw new Error('not available to the ad path');
    };
    // Its whole world: its store, a signing secret, and key management it does not use here.
    const ads = new AdsService(
      store,
      { keys: { createKey: refuse, revokeKey: refuse }, signingSecret: async () => 'secret' },
      { now: () => T0, cacheSeconds: 0 },
    );
    const tenantId = `priv-${Math.random().toString(36).slice(2, 8)}`;
    if (r.db.kind === 'sqlite')
      r.db.sqlite.prepare('INSERT INTO tenants VALUES (?, ?, ?, ?)').run(tenantId, 'x', 's', 0);
    else await r.db.pool.query('INSERT INTO tenants VALUES ($1, $2, $3, $4)', [tenantId, 'x', 's', 0]);
    const { JEWELLER } = await import('./ads.testing.ts');
    await ads.putVenue(tenantId, 'maison-or', JEWELLER as never);
    await ads.putPlacement(tenantId, 'screen', { kind: 'screen', venueId: 'maison-or' });
    await ads.putCampaign(
      tenantId,
      'photographer',
      weddingCampaign('photographer', 'wedding/photography', T0) as never,
    );
    r.touched.clear();
    const caller = { tenantId, scope: 'publishable' as const, keyId: 'k' };
    for (let i = 0; i < 5; i++) {
      const d = await ads.decide(caller, 'screen');
      assert.equal(d.kind, 'advert');
      assert.deepEqual(await ads.recordPlay(caller, d.playToken as string), { counted: true });
    }
    await ads.report(tenantId, { from: '2026-11-23', to: '2026-11-23' });
    await ads.flush();
    const touched = [...r.touched].sort();
    assert.ok(touched.length > 0, 'the recorder saw the ads tables');
    assert.deepEqual(
      touched.filter((t) => !isAdTable(t)),
      [],
      `the ads service touched ${touched.join(', ')}`,
    );
    await store.close();
  });

  appOnRecordedDb(getDb);
});

function appOnRecordedDb(getDb: () => Db): void {
  let app: App;
  let services: Services;
  let rec: ReturnType<typeof recording>;

  before(async () => {
    rec = recording(getDb());
    ({ app, services } = await testApp(rec.db, { now: () => T0 }));
  });
  after(async () => {
    await app.close();
    await services.ads.close();
  });

  test('over HTTP, screens asking for adverts and reporting plays, and reports, touch no personal table', async () => {
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, {
      photographer: weddingCampaign('photographer', 'wedding/photography', T0),
      chateau: weddingCampaign('chateau', 'wedding/venues', T0),
    });
    await services.ads.flush();
    rec.touched.clear();
    for (let i = 0; i < 6; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/ads/decisions',
        headers: bearer(shop.publishable),
        payload: { placementId: 'counter-screen' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const play = await app.inject({
        method: 'POST',
        url: '/v1/ads/plays',
        headers: bearer(shop.publishable),
        payload: { playToken: res.json().playToken },
      });
      assert.equal(play.statusCode, 200, play.body);
    }
    const report = await app.inject({
      url: '/v1/ads/reports?from=2026-11-23&to=2026-11-23',
      headers: bearer(shop.server),
    });
    assert.equal(report.json().rows.length, 2);
    await services.ads.flush();
    const touched = [...rec.touched].sort();
    assert.ok(touched.includes('ad_campaigns') || touched.includes('ad_campaign_counters'), touched.join(', '));
    assert.deepEqual(
      touched.filter((t) => PERSONAL.includes(t) || t.startsWith('consent')),
      [],
      `personal tables read on the ad path: ${touched.join(', ')}`,
    );
    // Only the ads tables, and the API key lookup of authentication.
    assert.deepEqual(
      touched.filter((t) => !isAdTable(t) && t !== 'api_keys' && t !== 'tenants'),
      [],
      `unexpected tables on the ad path: ${touched.join(', ')}`,
    );
  });

  test("a web slot given its page's context touches no personal table (the catalog only, for the page's item)", async () => {
    const shop = await createTestTenant(services);
    await seedJeweller(app, shop, { chateau: weddingCampaign('chateau', 'wedding/venues', T0) });
    await services.catalog.bulkUpsert(shop.id, [
      { id: 'gown-1', title: 'Gown', category: 'wedding/dresses', attributes: {} },
    ] as never);
    await app.inject({
      method: 'PUT',
      url: '/v1/ads/placements/web-slot',
      headers: bearer(shop.server),
      payload: { kind: 'web', venueId: 'maison-or' },
    });
    rec.touched.clear();
    for (const context of [{ itemId: 'gown-1' }, { categoryPath: 'wedding/dresses', query: 'wedding venues' }]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/ads/decisions',
        headers: bearer(shop.publishable),
        payload: { placementId: 'web-slot', context },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    await services.ads.flush();
    const touched = [...rec.touched].sort();
    assert.ok(touched.includes('items'), `the page's item is looked up in the catalog: ${touched.join(', ')}`);
    assert.deepEqual(
      touched.filter((t) => !isAdTable(t) && !['api_keys', 'tenants', 'items', 'categories'].includes(t)),
      [],
      `unexpected tables on the web ad path: ${touched.join(', ')}`,
    );
  });
}
