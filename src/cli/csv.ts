/**
 * A streaming CSV reader (RFC 4180): fields separated by commas, records by
 * CRLF or LF; a field in double quotes may hold commas, line breaks and
 * doubled quotes (""). A leading byte-order mark is skipped. Records come out
 * one at a time with the line number they start on, so a file of any size is
 * read in constant memory.
 *
 * A record that cannot be read (text after a closing quote, or a quote left
 * open at the end of the file) comes out with an `error` instead of fields;
 * reading goes on with the next record.
 *
 * @example
 * for await (const r of readCsv(createReadStream('items.csv', 'utf8'))) console.log(r.line, r.fields);
 */
export type CsvRecord =
  | { readonly line: number; readonly fields: string[]; readonly error?: undefined }
  | { readonly line: number; readonly fields?: undefined; readonly error: string };

export async function* readCsv(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just after the closing quote of a field
  let broken: string | undefined; // why the current record cannot be read
  let line = 1; // current physical line
  let start = 1; // line the current record starts on
  let any = false; // the current record has content
  let first = true;
  let pendingCr = false;
  const crState = { cr: false }; // the quoted text so far ends with CR

  const endRecord = (): CsvRecord | undefined => {
    fields.push(field);
    const rec: CsvRecord | undefined = broken
      ? { line: start, error: broken }
      : any
        ? { line: start, fields }
        : undefined; // a blank line is skipped
    fields = [];
    field = '';
    afterQuote = false;
    broken = undefined;
    any = false;
    return rec;
  };

  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const out: CsvRecord[] = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (pendingCr) {
        pendingCr = false;
        if (c === 10) {
          i++;
          continue;
        }
      }
      if (quoted) {
        // Copy the run up to the next quote at once.
        const q = text.indexOf('"', i);
        if (q < 0) {
          const run = text.slice(i);
          field += run;
          line += countBreaks(run, crState);
          i = n;
          continue;
        }
        const run = text.slice(i, q);
        field += run;
        line += countBreaks(run, crState);
        if (q + 1 >= n) {
          // The quote is the last character of the chunk: decide with the next one.
          i = q + 1;
          quoted = false;
          afterQuote = true;
          continue;
        }
        if (text.charCodeAt(q + 1) === 34) {
          field += '"';
          crState.cr = false;
          i = q + 2;
        } else {
          quoted = false;
          afterQuote = true;
          i = q + 1;
        }
        continue;
      }
      if (c === 44) {
        // ,
        fields.push(field);
        field = '';
        afterQuote = false;
        any = true;
        i++;
      } else if (c === 10 || c === 13) {
        const rec = endRecord();
        if (rec) out.push(rec);
        line++;
        start = line;
        if (c === 13) pendingCr = true;
        i++;
      } else if (c === 34) {
        // "
        any = true;
        if (afterQuote) {
          // "" split across chunks: an escaped quote inside the field.
          field += '"';
          quoted = true;
          afterQuote = false;
          crState.cr = false;
        } else if (field === '') {
          quoted = true;
          crState.cr = false;
        } else {
          field += '"'; // a quote inside an unquoted field is kept as is
        }
        i++;
      } else {
        if (afterQuote && !broken)
          broken = 'unexpected text after a closing quote (write "" for a quote inside a field)';
        // Copy the run of ordinary characters at once.
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13 || d === 34) break;
          j++;
        }
        field += text.slice(i, j);
        any = true;
        i = j;
      }
    }
    yield* out;
  }
  if (quoted) {
    broken = 'a quoted field is not closed before the end of the file';
    any = true;
  }
  const last = endRecord();
  if (last) yield last;
}

/** Line breaks in a run of a quoted field: CR, LF, or CRLF (one), even when CRLF spans two runs. */
function countBreaks(s: string, state: { cr: boolean }): number {
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13) k++;
    else if (c === 10 && !state.cr) k++;
    state.cr = c === 13;
  }
  return k;
}
