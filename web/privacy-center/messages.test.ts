import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOCALES } from '../../sdk/i18n.ts';
import { CENTER_MESSAGES } from './messages.ts';

test('the privacy center has every text in English, French and Italian', () => {
  const keys = (o: object): string[] =>
    Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v).map((x) => `${k}.${x}`) : [k]));
  for (const l of LOCALES) {
    assert.deepEqual(keys(CENTER_MESSAGES[l]).sort(), keys(CENTER_MESSAGES.en).sort(), l);
    for (const [k, v] of Object.entries(CENTER_MESSAGES[l]))
      if (typeof v === 'string') assert.ok(v.trim(), `${l}.${k}`);
  }
});
