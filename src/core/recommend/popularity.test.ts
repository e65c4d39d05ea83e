import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PopularityModel } from './popularity.ts';

const DAY = 86_400_000;

describe('PopularityModel', () => {
  it('decays old interactions, scopes by category and context, and finds trends', () => {
    const model = new PopularityModel({ halfLifeMs: 10 * DAY, trendHalfLifeMs: DAY });
    model.setAttributes({ itemId: 'scarf', category: 'apparel/winter' });
    model.setAttributes({ itemId: 'sandals', category: 'apparel/summer' });
    for (let i = 0; i < 10; i++) model.add({ subjectId: `s${i}`, itemId: 'sandals', kind: 'purchase', at: 0 });
    for (let i = 0; i < 6; i++)
      model.add({ subjectId: `t${i}`, itemId: 'scarf', kind: 'purchase', at: 60 * DAY, context: 'winter-sale' });
    const now = 60 * DAY;
    assert.deepEqual(
      model.popular(2, { now }).map((r) => r.itemId),
      ['scarf', 'sandals'],
    );
    assert.deepEqual(
      model.popular(2, { now: 0 }).map((r) => r.itemId),
      ['sandals', 'scarf'],
    );
    assert.deepEqual(
      model.popular(5, { now, category: 'apparel/summer' }).map((r) => r.itemId),
      ['sandals'],
    );
    assert.deepEqual(model.popular(5, { now, context: 'winter-sale' })[0]?.reason, {
      kind: 'popular',
      context: 'winter-sale',
    });
    assert.equal(model.trending(1, { now })[0]?.itemId, 'scarf');
  });
});
