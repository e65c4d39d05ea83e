/**
 * Parsers for the generic evaluation formats. They take the text of a file
 * (no I/O here) and fail with a {@link DataFormatError} that names the line,
 * says what is wrong and how to fix it.
 *
 * @module
 */

/**
 * A problem in an input file: `source` and `line` (1-based, when known) say
 * where, `message` what, `hint` how to fix it.
 *
 * @example
 * try { parseSequences("u1\n", "seq.txt"); } catch (e) { if (e instanceof DataFormatError) console.error(e.message); }
 */
export class DataFormatError extends Error {
  readonly source: string;
  readonly line: number | undefined;
  readonly hint: string;

  constructor(source: string, line: number | undefined, problem: string, hint: string) {
    super(`${source}${line === undefined ? '' : `:${line}`}: ${problem}. ${hint}`);
    this.name = 'DataFormatError';
    this.source = source;
    this.line = line;
    this.hint = hint;
  }
}

/**
 * Users with their item sequences in time order.
 *
 * @example
 * const data: SequenceData = { users: ['u1'], sequences: [['a', 'b']] };
 */
export interface SequenceData {
  readonly users: string[];
  readonly sequences: string[][];
}

/**
 * Parses a sequences file: one line per user, `user item item ...` in time
 * order, separated by spaces or tabs. Blank lines are ignored.
 *
 * @example
 * parseSequences("u1 a b c\nu2 b c\n", "seq.txt"); // { users: ["u1", "u2"], sequences: [["a","b","c"], ["b","c"]] }
 */
export function parseSequences(text: string, source: string): SequenceData {
  const users: string[] = [];
  const sequences: string[][] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).trim();
    if (raw === '') continue;
    const parts = raw.split(/[ \t]+/);
    const user = parts[0] as string;
    if (user.includes(',')) {
      throw new DataFormatError(
        source,
        n + 1,
        `found a comma in "${raw.slice(0, 40)}"`,
        'A sequences file has one user per line followed by their items separated by spaces (`user item item ...`); for `user,item,timestamp` rows use --interactions instead',
      );
    }
    if (parts.length < 2) {
      throw new DataFormatError(
        source,
        n + 1,
        `user "${user}" has no items`,
        "Each line must be `user item item ...` with at least one item; remove the line or add the user's items",
      );
    }
    const previous = seen.get(user);
    if (previous !== undefined) {
      throw new DataFormatError(
        source,
        n + 1,
        `user "${user}" already appeared on line ${previous}`,
        "Put all of a user's items on one line, in time order",
      );
    }
    seen.set(user, n + 1);
    users.push(user);
    sequences.push(parts.slice(1));
  }
  if (users.length === 0) {
    throw new DataFormatError(
      source,
      undefined,
      'the file has no users',
      'Expected one line per user: `user item item ...`',
    );
  }
  return { users, sequences };
}

/** Line number (1-based) of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJson(text: string, source: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const line = lineOf(text, offset);
    const column = offset - text.lastIndexOf('\n', offset - 1);
    const near = JSON.stringify(text.slice(offset, offset + 20));
    const what =
      error instanceof Error
        ? error.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ (in JSON )?at position \d+.*$/s, '')
        : 'syntax error';
    throw new DataFormatError(
      source,
      line,
      `not valid JSON at column ${column} (${what}; the text there starts ${near})`,
      `Expected ${expected}`,
    );
  }
}

/**
 * Offset of the first syntax error of a JSON text (JSON.parse in Node 20 does
 * not always say where). A small recursive-descent scanner; only called on
 * text that already failed to parse.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
  return i;
}

/**
 * Parses a baskets file: JSON `{ "user": [[item, ...], [item, ...], ...] }`
 * with baskets in time order. Sentinel baskets `[-1]` (used by the Ta-Feng
 * files at the start and end of each history) are dropped, as are empty baskets.
 * Item ids may be numbers or strings and are returned as strings.
 *
 * @example
 * parseBaskets('{"u1": [[-1], [1, 2], [3], [-1]]}', "h.json"); // Map { "u1" => [["1","2"], ["3"]] }
 */
export function parseBaskets(text: string, source: string): Map<string, string[][]> {
  const expected = 'a JSON object mapping each user to a list of baskets, e.g. {"u1": [[1, 2], [3]]}';
  const data = parseJson(text, source, expected);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DataFormatError(source, 1, 'the top level is not a JSON object', `Expected ${expected}`);
  }
  const out = new Map<string, string[][]>();
  for (const [user, baskets] of Object.entries(data as Record<string, unknown>)) {
    const where = (): number | undefined => {
      const at = text.indexOf(`"${user}"`);
      return at >= 0 ? lineOf(text, at) : undefined;
    };
    if (!Array.isArray(baskets)) {
      throw new DataFormatError(
        source,
        where(),
        `the value of user "${user}" is not a list of baskets`,
        `Expected ${expected}`,
      );
    }
    const list: string[][] = [];
    for (let b = 0; b < baskets.length; b++) {
      const basket: unknown = baskets[b];
      if (!Array.isArray(basket)) {
        throw new DataFormatError(
          source,
          where(),
          `basket ${b + 1} of user "${user}" is not a list of items`,
          'Each basket must be a JSON array of item ids, e.g. [12, 40]',
        );
      }
      if (basket.length === 1 && basket[0] === -1) continue;
      const items: string[] = [];
      for (const item of basket) {
        if (typeof item !== 'number' && typeof item !== 'string') {
          throw new DataFormatError(
            source,
            where(),
            `basket ${b + 1} of user "${user}" contains ${JSON.stringify(item)}, which is not an item id`,
            'Item ids must be numbers or strings',
          );
        }
        items.push(String(item));
      }
      if (items.length > 0) list.push(items);
    }
    out.set(user, list);
  }
  return out;
}

/**
 * A fixed split of users into train, validation and test.
 *
 * @example
 * const k: Keyset = { train: ['1'], validation: ['2'], test: ['3'] };
 */
export interface Keyset {
  readonly train: string[];
  readonly validation: string[];
  readonly test: string[];
}

/**
 * Parses a keyset file `{"train": [...], "val": [...], "test": [...]}`
 * (user ids as strings or numbers; other keys are ignored).
 *
 * @example
 * parseKeyset('{"train": ["1"], "val": ["2"], "test": ["3"]}', "k.json"); // { train: ["1"], validation: ["2"], test: ["3"] }
 */
export function parseKeyset(text: string, source: string): Keyset {
  const expected = 'a JSON object {"train": [user, ...], "val": [user, ...], "test": [user, ...]}';
  const data = parseJson(text, source, expected);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DataFormatError(source, 1, 'the top level is not a JSON object', `Expected ${expected}`);
  }
  const record = data as Record<string, unknown>;
  const list = (key: string): string[] => {
    const value = record[key];
    if (!Array.isArray(value)) {
      throw new DataFormatError(
        source,
        undefined,
        `the key "${key}" is missing or is not a list`,
        `Expected ${expected}`,
      );
    }
    return value.map(String);
  };
  return { train: list('train'), validation: list('val'), test: list('test') };
}

/**
 * One row of an interactions CSV.
 *
 * @example
 * const row: InteractionRow = { user: 'u1', item: 'a', timestamp: 10, event: 'purchase' };
 */
export interface InteractionRow {
  readonly user: string;
  readonly item: string;
  readonly timestamp: number;
  readonly event: string | undefined;
}

/**
 * Parses a CSV `user,item,timestamp[,event]`, with or without a header line.
 * Timestamps are numbers (e.g. seconds since the epoch) or ISO-8601 dates.
 *
 * @example
 * parseInteractionsCsv("user,item,timestamp\nu1,a,10\nu1,b,20,purchase\n", "e.csv").length; // 2
 */
export function parseInteractionsCsv(text: string, source: string): InteractionRow[] {
  const rows: InteractionRow[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const cells = raw.split(',').map((c) => c.trim());
    if (n === 0 && cells[0]?.toLowerCase() === 'user') continue;
    if (cells.length < 3 || cells.length > 4) {
      throw new DataFormatError(
        source,
        n + 1,
        `expected 3 or 4 comma-separated fields, found ${cells.length} in "${raw.slice(0, 60)}"`,
        'Each row must be `user,item,timestamp` or `user,item,timestamp,event` (ids must not contain commas)',
      );
    }
    const [user, item, time, event] = cells as [string, string, string, string | undefined];
    if (user === '' || item === '') {
      throw new DataFormatError(source, n + 1, 'the user or item is empty', 'Fill in both the user and the item id');
    }
    let timestamp = Number(time);
    if (time === '' || !Number.isFinite(timestamp)) {
      timestamp = Date.parse(time);
      if (!Number.isFinite(timestamp)) {
        throw new DataFormatError(
          source,
          n + 1,
          `the timestamp "${time}" is neither a number nor a date`,
          'Use seconds or milliseconds since the epoch, or an ISO-8601 date such as 2024-05-01T10:00:00Z',
        );
      }
    }
    rows.push({ user, item, timestamp, event: event === '' ? undefined : event });
  }
  if (rows.length === 0) {
    throw new DataFormatError(source, undefined, 'the file has no rows', 'Expected rows `user,item,timestamp[,event]`');
  }
  return rows;
}

/**
 * Turns interaction rows into per-user sequences ordered by timestamp (stable
 * for equal timestamps, so file order breaks ties).
 *
 * @example
 * rowsToSequences([{ user: "u", item: "b", timestamp: 2, event: undefined }, { user: "u", item: "a", timestamp: 1, event: undefined }]);
 * // { users: ["u"], sequences: [["a", "b"]] }
 */
export function rowsToSequences(rows: readonly InteractionRow[]): SequenceData {
  const byUser = new Map<string, InteractionRow[]>();
  for (const row of rows) {
    let list = byUser.get(row.user);
    if (!list) {
      list = [];
      byUser.set(row.user, list);
    }
    list.push(row);
  }
  const users: string[] = [];
  const sequences: string[][] = [];
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.timestamp - b.timestamp);
    users.push(user);
    sequences.push(list.map((r) => r.item));
  }
  return { users, sequences };
}

/**
 * Parses an item-attributes file: JSON `{ "item": [attribute, ...] }`.
 *
 * @example
 * parseItemAttributes('{"1": [3, 4]}', "attrs.json"); // Map { "1" => ["3", "4"] }
 */
export function parseItemAttributes(text: string, source: string): Map<string, string[]> {
  const expected = 'a JSON object mapping each item id to a list of attribute ids, e.g. {"12": [3, 7]}';
  const data = parseJson(text, source, expected);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DataFormatError(source, 1, 'the top level is not a JSON object', `Expected ${expected}`);
  }
  const out = new Map<string, string[]>();
  for (const [item, attrs] of Object.entries(data as Record<string, unknown>)) {
    if (!Array.isArray(attrs)) {
      throw new DataFormatError(
        source,
        undefined,
        `the attributes of item "${item}" are not a list`,
        `Expected ${expected}`,
      );
    }
    out.set(item, attrs.map(String));
  }
  return out;
}
