import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DataFormatError,
  parseBaskets,
  parseInteractionsCsv,
  parseItemAttributes,
  parseKeyset,
  parseSequences,
  rowsToSequences,
} from './parsers.ts';

function fails(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DataFormatError, 'a DataFormatError');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseSequences', () => {
  it('reads one user per line and skips blank lines', () => {
    const data = parseSequences('u1 a b c\n\nu2\tb c\n', 'seq.txt');
    assert.deepEqual(data, {
      users: ['u1', 'u2'],
      sequences: [
        ['a', 'b', 'c'],
        ['b', 'c'],
      ],
    });
  });

  it('names the line and says how to fix a user without items', () => {
    fails(() => parseSequences('u1 a b\nu2\n', 'seq.txt'), /^seq\.txt:2: user "u2" has no items\. Each line must be/);
  });

  it('rejects a repeated user, pointing at the first line', () => {
    fails(() => parseSequences('u1 a\nu1 b\n', 'seq.txt'), /seq\.txt:2: user "u1" already appeared on line 1/);
  });

  it('recognises a CSV passed as sequences', () => {
    fails(() => parseSequences('u1,a,10\n', 's.txt'), /s\.txt:1: found a comma.*--interactions/);
  });

  it('rejects an empty file', () => {
    fails(() => parseSequences('\n\n', 'empty.txt'), /empty\.txt: the file has no users/);
  });
});

describe('parseBaskets', () => {
  it('drops the [-1] sentinels and empty baskets, and turns ids into strings', () => {
    const data = parseBaskets('{"u1": [[-1], [1, 2], [], [3], [-1]], "u2": [["x"]]}', 'h.json');
    assert.deepEqual(
      [...data],
      [
        ['u1', [['1', '2'], ['3']]],
        ['u2', [['x']]],
      ],
    );
  });

  it('reports invalid JSON with the line', () => {
    fails(() => parseBaskets('{\n"u1": [[1, 2],\n}', 'h.json'), /^h\.json:3: not valid JSON/);
  });

  it('says which user and basket are malformed', () => {
    fails(() => parseBaskets('{"u1": [[1], 5]}', 'h.json'), /basket 2 of user "u1" is not a list of items/);
    fails(() => parseBaskets('{"u1": [[1, null]]}', 'h.json'), /basket 1 of user "u1" contains null/);
    fails(() => parseBaskets('[[1]]', 'h.json'), /the top level is not a JSON object/);
  });
});

describe('parseKeyset, parseItemAttributes', () => {
  it('reads train/val/test user lists', () => {
    assert.deepEqual(parseKeyset('{"item_num": 3, "train": [1], "val": ["2"], "test": [3]}', 'k.json'), {
      train: ['1'],
      validation: ['2'],
      test: ['3'],
    });
    fails(() => parseKeyset('{"train": []}', 'k.json'), /the key "val" is missing/);
  });

  it('reads item attributes', () => {
    assert.deepEqual([...parseItemAttributes('{"1": [3, 4]}', 'a.json')], [['1', ['3', '4']]]);
    fails(() => parseItemAttributes('{"1": 3}', 'a.json'), /the attributes of item "1" are not a list/);
  });
});

describe('parseInteractionsCsv', () => {
  it('reads rows with or without a header and event, and orders sequences by time', () => {
    const rows = parseInteractionsCsv(
      'user,item,timestamp,event\nu1,b,20,purchase\nu1,a,10\nu2,c,2024-01-01T00:00:00Z\n',
      'e.csv',
    );
    assert.equal(rows.length, 3);
    assert.equal(rows[0]?.event, 'purchase');
    assert.deepEqual(rowsToSequences(rows), { users: ['u1', 'u2'], sequences: [['a', 'b'], ['c']] });
  });

  it('names the line of a bad row and says how to fix it', () => {
    fails(
      () => parseInteractionsCsv('u1,a,10\nu1,b\n', 'e.csv'),
      /^e\.csv:2: expected 3 or 4 comma-separated fields, found 2/,
    );
    fails(() => parseInteractionsCsv('u1,a,yesterday\n', 'e.csv'), /e\.csv:1: the timestamp "yesterday".*ISO-8601/);
    fails(() => parseInteractionsCsv('u1,,10\n', 'e.csv'), /e\.csv:1: the user or item is empty/);
  });
});
