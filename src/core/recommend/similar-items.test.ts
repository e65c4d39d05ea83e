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
});
