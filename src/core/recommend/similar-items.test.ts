import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimilarItemsModel } from './similar-items.ts';

describe('SimilarItemsModel', () => {
  it('finds neighbours by co-interaction, and by attributes for an item with no history', () => {
    const model = new SimilarItemsModel();
    model.setAttributes({ itemId: 'red-shoe', category: 'shoes/running', brand: 'acme', tokens: ['Trail'] });
    model.setAttributes({ itemId: 'new-shoe', category: 'shoes/running', brand: 'acme', tokens: ['trail'] });
    model.setAttributes({ itemId: 'boot', category: 'shoes/hiking', brand: 'other' });
    for (let s = 0; s < 4; s++) {
      model.add({ subjectId: `s${s}`, itemId: 'red-shoe', kind: 'view', at: 1 });
      model.add({ subjectId: `s${s}`, itemId: 'sock', kind: 'view', at: 2 });
    }
    const warm = model.similarTo('red-shoe', 2);
    assert.equal(warm[0]?.itemId, 'sock');
    assert.equal(warm[0]?.reason.kind, 'similar_to');
    const cold = model.similarTo('new-shoe', 2);
    assert.deepEqual(
      cold.map((r) => r.itemId),
      ['red-shoe', 'boot'],
    );
    assert.deepEqual(cold[0]?.reason, { kind: 'similar_to', anchor: 'new-shoe', basis: 'attributes' });
    assert.deepEqual(model.similarTo('unknown', 3), []);
  });

  it('counts co-interactions the same from either item, before and after prepare()', () => {
    for (const prepared of [false, true]) {
      const model = new SimilarItemsModel();
      for (let s = 0; s < 3; s++) {
        model.add({ subjectId: `s${s}`, itemId: 'tent', kind: 'view', at: 1 });
        model.add({ subjectId: `s${s}`, itemId: 'pegs', kind: 'view', at: 2 });
      }
      model.add({ subjectId: 'lone', itemId: 'pegs', kind: 'view', at: 3 });
      if (prepared) model.prepare();
      const [tent, pegs] = [model.items.intern('tent'), model.items.intern('pegs')];
      assert.equal(model.coInteractions(tent, pegs), 3, `prepared ${prepared}`);
      assert.equal(model.coInteractions(pegs, tent), 3, `prepared ${prepared}`);
      model.removeSubject('s0');
      assert.equal(model.coInteractions(pegs, tent), 2, `prepared ${prepared}`);
    }
  });
});
