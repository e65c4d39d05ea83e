import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStore } from '../../platform/db/testing.ts';
import { asSubject, bearer, demoShopSuite } from '../../platform/testing-app.ts';

const DAY = 24 * 3600 * 1000;

interface Explained {
  decisionId: string;
  at: string;
  placement: string;
  mode: string;
  locale: string;
  summary: string;
  items: { itemId: string; title: string; reasons: { code: string; text: string }[] }[];
}

describeEachStore("a subject's recent decisions, with why each item was shown", (getDb) => {
  // Subject tokens are verified against the real clock; the test clock starts from it.
  let now = Date.now();
  const suite = demoShopSuite(getDb, { now: () => now, config: { PERTINENT_RETENTION_AUDIT_DAYS: '1' } });
  const as = (subject: string) => asSubject(suite.shop, subject);
  const decide = async (placement: string, subjectId: string) => {
    const res = await suite.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: bearer(suite.shop.server),
      payload: { placement, subjectId, limit: 3 },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { decisionId: string };
  };
  const list = async (url: string, headers: Record<string, string>) => {
    const res = await suite.app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.json() as { decisions: Explained[]; nextCursor: string | null } };
  };

  test('newest first, in pages, each explained exactly as its explanation, in English, French and Italian', async () => {
    const made: string[] = [];
    for (const placement of ['home', 'cart', 'footer']) {
      made.push((await decide(placement, 'alice')).decisionId);
      now += 60_000;
    }
    await decide('home', 'bruno');

    const first = await list('/v1/subjects/me/decisions?limit=2&locale=en', as('alice'));
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.decisions.map((d) => d.decisionId),
      [made[2], made[1]],
      'newest first, only the subject’s',
    );
    assert.ok(first.body.nextCursor);
    const rest = await list(
      `/v1/subjects/me/decisions?limit=2&locale=en&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      as('alice'),
    );
    assert.deepEqual(
      rest.body.decisions.map((d) => d.decisionId),
      [made[0]],
    );
    assert.equal(rest.body.nextCursor, null);

    const home = rest.body.decisions[0] as Explained;
    assert.equal(home.placement, 'home');
    assert.equal(home.mode, 'personalized');
    assert.equal(home.items[0]?.reasons[0]?.text, 'Because you bought Wool coat');

    const said: Record<string, string> = {
      en: 'Because you bought Wool coat',
      fr: 'Parce que vous avez acheté Wool coat',
      it: 'Perché hai acquistato Wool coat',
    };
    for (const locale of ['en', 'fr', 'it'] as const) {
      const page = await list(`/v1/subjects/me/decisions?locale=${locale}`, as('alice'));
      const listed = page.body.decisions.find((d) => d.decisionId === made[0]) as Explained;
      assert.equal(listed.locale, locale);
      assert.equal(listed.items[0]?.reasons[0]?.text, said[locale]);
      // The same rendering as the explanation of that one decision.
      const one = await suite.app.inject({
        method: 'GET',
        url: `/v1/decisions/${made[0]}/explanation?locale=${locale}`,
        headers: as('alice'),
      });
      const { dataUsed: _d, consents: _c, controls: _k, ...explanation } = one.json();
      const {
        dataUsed: _d2,
        consents: _c2,
        controls: _k2,
        ...fromList
      } = listed as Explained & Record<string, unknown>;
      assert.deepEqual(fromList, explanation);
    }
  });

  test('a publishable key lists only its own subject; a server key names any; a foreign cursor is refused', async () => {
    const other = await list('/v1/subjects/alice/decisions', as('bruno'));
    assert.equal(other.status, 403);
    assert.equal((other.body as unknown as { code: string }).code, 'subject_mismatch');
    const server = await list('/v1/subjects/bruno/decisions', bearer(suite.shop.server));
    assert.equal(server.status, 200);
    assert.equal(server.body.decisions.length, 1);
    const bad = await list('/v1/subjects/me/decisions?cursor=nope', as('alice'));
    assert.equal(bad.status, 400);
    assert.equal((bad.body as unknown as { code: string }).code, 'invalid_cursor');
    const anonymous = await list('/v1/subjects/me/decisions', bearer(suite.shop.publishable));
    assert.equal(anonymous.status, 401);
  });

  test('decisions past the audit retention limit are not listed, even before the sweep deletes them', async () => {
    assert.ok((await list('/v1/subjects/alice/decisions', bearer(suite.shop.server))).body.decisions.length >= 3);
    now += 2 * DAY;
    const later = await list('/v1/subjects/alice/decisions', bearer(suite.shop.server));
    assert.equal(later.status, 200);
    assert.deepEqual(later.body.decisions, []);
  });
});
