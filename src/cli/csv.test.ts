import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readCsv } from './csv.ts';

async function parse(chunks: string[]) {
  const out = [];
  for await (const r of readCsv(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(r);
  return out;
}

test('fields, quotes, embedded commas, quotes and line breaks (RFC 4180)', async () => {
  const text = '\uFEFFid,title,notes\r\n1,"Coat, wool","say ""hi""\nsecond line"\r\n\n2,plain,\n3,"",x"y\n';
  assert.deepEqual(await parse([text]), [
    { line: 1, fields: ['id', 'title', 'notes'] },
    { line: 2, fields: ['1', 'Coat, wool', 'say "hi"\nsecond line'] },
    { line: 5, fields: ['2', 'plain', ''] },
    { line: 6, fields: ['3', '', 'x"y'] },
  ]);
});

test('a broken record is reported with its line and reading goes on', async () => {
  const records = await parse(['a,b\n"x"y,1\nok,2\n"open,3\n']);
  assert.deepEqual(records[0], { line: 1, fields: ['a', 'b'] });
  assert.equal(records[1]?.line, 2);
  assert.match(records[1]?.error ?? '', /after a closing quote/);
  assert.deepEqual(records[2], { line: 3, fields: ['ok', '2'] });
  assert.equal(records[3]?.line, 4);
  assert.match(records[3]?.error ?? '', /not closed/);
});

test('the last line needs no line break', async () => {
  assert.deepEqual(await parse(['a,b\n1,2']), [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['1', '2'] },
  ]);
});

test('any split into chunks reads the same as the whole', async () => {
  const field = fc.oneof(fc.string(), fc.constantFrom('"', '""', ',', '\n', '\r\n', 'a"b', ' '));
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (rows, cuts) => {
        const quote = (f: string) => `"${f.replaceAll('"', '""')}"`;
        const text = rows.map((r) => r.map(quote).join(',')).join('\r\n');
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(text.slice(from, p));
          from = p;
        }
        chunks.push(text.slice(from));
        const whole = await parse([text]);
        assert.deepEqual(await parse(chunks), whole);
        assert.deepEqual(
          whole.map((r) => r.fields),
          rows,
        );
      },
    ),
    { numRuns: 300 },
  );
});
