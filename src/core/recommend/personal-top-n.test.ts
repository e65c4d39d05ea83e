import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PersonalTopNModel } from './personal-top-n.ts';

describe('PersonalTopNModel', () => {
  const sequence = (model: PersonalTopNModel, subjectId: string, items: string[]) => {
    items.forEach((itemId, at) => {
      model.add({ subjectId, itemId, kind: 'purchase', at });
    });
  };

  it('follows the order of histories: what comes after the last item ranks first', () => {
    const model = new PersonalTopNModel();
    for (let s = 0; s < 5; s++) sequence(model, `s${s}`, ['phone', 'case', 'charger']);
    const recs = model.recommendForHistory(['phone', 'case'], 3);
    assert.equal(recs[0]?.itemId, 'charger');
    assert.deepEqual(recs[0]?.reason, { kind: 'after_you_interacted', anchor: 'case' });
  });

  it('weighs recent history items more', () => {
    const model = new PersonalTopNModel({ scoring: { recency: 0.3 } });
    for (let s = 0; s < 5; s++) sequence(model, `a${s}`, ['tent', 'stove']);
    for (let s = 0; s < 5; s++) sequence(model, `b${s}`, ['novel', 'bookmark']);
    assert.equal(model.recommendForHistory(['tent', 'novel'], 1)[0]?.itemId, 'bookmark');
    assert.equal(model.recommendForHistory(['novel', 'tent'], 1)[0]?.itemId, 'stove');
  });

  it('weighs purchases more than views', () => {
    const model = new PersonalTopNModel();
    for (let s = 0; s < 4; s++) {
      model.add({ subjectId: `v${s}`, itemId: 'x', kind: 'purchase', at: 0 });
      model.add({ subjectId: `v${s}`, itemId: 'viewed', kind: 'view', at: 1 });
      model.add({ subjectId: `p${s}`, itemId: 'x', kind: 'purchase', at: 0 });
      model.add({ subjectId: `p${s}`, itemId: 'bought', kind: 'purchase', at: 1 });
    }
    assert.equal(model.recommendForHistory(['x'], 1)[0]?.itemId, 'bought');
  });

  it('excludes what the subject already had unless told not to', () => {
    const model = new PersonalTopNModel();
    for (let s = 0; s < 3; s++) sequence(model, `s${s}`, ['a', 'b', 'a']);
    assert.ok(!model.recommendForHistory(['a', 'b'], 5).some((r) => r.itemId === 'a'));
    assert.equal(model.recommendForHistory(['a', 'b'], 5, { exclude: false })[0]?.itemId, 'a');
  });

  it('names as anchor a history item that gave the candidate its score, not one whose link scoring left out', () => {
    // tent → lantern is the strongest link to lantern, but tent's heaviest
    // transition is to pegs, and scoring reads only that one (maxNeighbors 1):
    // lantern's score comes from stove alone.
    const model = new PersonalTopNModel({ scoring: { maxNeighbors: 1, backward: 0 } });
    for (let s = 0; s < 6; s++) sequence(model, `p${s}`, ['tent', 'pegs']);
    for (let s = 0; s < 4; s++) sequence(model, `l${s}`, ['tent', 'lantern']);
    sequence(model, 'k', ['stove', 'lantern']);
    const recs = model.recommendForHistory(['stove', 'tent'], 2);
    assert.deepEqual(
      recs.map((r) => [r.itemId, 'anchor' in r.reason ? r.reason.anchor : undefined]),
      [
        ['pegs', 'tent'],
        ['lantern', 'stove'],
      ],
    );
  });
});
