/**
 * `pertinent import <kind> --tenant ID FILE`: streams a CSV or NDJSON file into
 * a tenant, in batches through the services (no HTTP), with progress on stderr
 * and a summary of what was imported and rejected (by line number).
 *
 * Adding a kind (e.g. `events`): write an `ImportKind<R>` next to `catalogKind`
 * below and add it to `KINDS`. A kind is
 *   - `fromJson(value)`: one parsed NDJSON line → a record R (throw RecordError to reject the line);
 *   - `fromCsv(header)` (optional): checks the header (throw `badHeader(...)`) and returns a function
 *     turning one row's fields into a record R (throw RecordError to reject the row);
 *   - `sink(services, tenantId, records)`: writes a batch of at most `batchSize` records and returns,
 *     in the same order, undefined for each record imported or the reason it was rejected.
 * Streaming, format detection, line numbers, progress, the summary and `--rejects` are shared.
 */
import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { ImportResult } from '../../modules/catalog/catalog.service.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Services } from '../../platform/container.ts';
import { createServices } from '../../platform/container.ts';
import { AppError } from '../../platform/errors.ts';
import type { Command } from '../command.ts';
import { out, parseFlags, requireFlag, UsageError } from '../command.ts';
import { readCsv } from '../csv.ts';
import { eventsKind } from './import-events.ts';

/** A line that cannot become a record; its message says why, for the summary. */
export class RecordError extends Error {}

export interface ImportKind<R> {
  readonly name: string;
  /** What the records are, in the plural, for messages ("items"). */
  readonly noun: string;
  readonly batchSize: number;
  readonly fromJson: (value: unknown) => R;
  readonly fromCsv?: (header: readonly string[]) => (fields: readonly string[]) => R;
  sink(services: Services, tenantId: string, records: readonly R[]): Promise<(string | undefined)[]>;
}

/** A wrong header: the whole file is refused before anything is written. */
export const badHeader = (message: string, hint: string) => new AppError('import_bad_header', 400, message, { hint });

// ---- the catalog kind --------------------------------------------------------

const CATALOG_COLUMNS = ['id', 'title', 'category', 'price', 'currency', 'available'] as const;
const REQUIRED_COLUMNS = ['id', 'title', 'category'] as const;
const ATTR_RE = /^attr\.([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})(?::(text|number|boolean|list))?$/;
const CATALOG_HEADER_HINT =
  'The first line names the columns: id,title,category (required), price,currency,available, and attr.<name> for ' +
  'attributes (attr.<name>:number, :boolean or :list with values separated by "|"); see docs/guides/import.md.';

const describeErrors = (r: ImportResult) =>
  r.ok ? undefined : r.errors.map((e) => `${e.path} ${e.message}`).join('; ');

function parseBoolean(v: string, what: string): boolean {
  const t = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'y'].includes(t)) return true;
  if (['false', '0', 'no', 'n'].includes(t)) return false;
  throw new RecordError(`${what} ${JSON.stringify(v)} is not true/false (or 1/0, yes/no)`);
}

function parseNumber(v: string, what: string): number {
  const t = v.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) throw new RecordError(`${what} ${JSON.stringify(v)} is not a number`);
  return n;
}

export const catalogKind: ImportKind<unknown> = {
  name: 'catalog',
  noun: 'items',
  batchSize: 500,
  fromJson: (value) => value,
  fromCsv(header) {
    type Column = (item: Record<string, unknown>, attrs: Record<string, unknown>, v: string) => void;
    const columns: Column[] = [];
    const seen = new Set<string>();
    for (const [index, raw] of header.entries()) {
      const name = raw.trim();
      if (name === '') throw badHeader(`Column ${index + 1} of the header has no name.`, CATALOG_HEADER_HINT);
      if (seen.has(name)) throw badHeader(`The column "${name}" appears twice in the header.`, CATALOG_HEADER_HINT);
      seen.add(name);
      const attr = ATTR_RE.exec(name);
      if (attr) {
        const attrName = attr[1] as string;
        const type = attr[2] ?? 'text';
        columns.push((_, attrs, v) => {
          if (v === '') return;
          const what = `attr.${attrName}`;
          if (type === 'number') attrs[attrName] = parseNumber(v, what);
          else if (type === 'boolean') attrs[attrName] = parseBoolean(v, what);
          else if (type === 'list')
            attrs[attrName] = v
              .split('|')
              .map((s) => s.trim())
              .filter((s) => s !== '');
          else attrs[attrName] = v;
        });
        continue;
      }
      switch (name) {
        case 'id':
        case 'title':
        case 'category':
          columns.push((item, _, v) => {
            if (v !== '') item[name] = v;
          });
          break;
        case 'price':
          columns.push((item, _, v) => {
            if (v.trim() !== '') item.price = parseNumber(v, 'price');
          });
          break;
        case 'currency':
          columns.push((item, _, v) => {
            if (v.trim() !== '') item.currency = v.trim().toUpperCase();
          });
          break;
        case 'available':
          columns.push((item, _, v) => {
            if (v.trim() !== '') item.available = parseBoolean(v, 'available');
          });
          break;
        default:
          throw badHeader(
            `The header has an unknown column "${name}"; expected ${CATALOG_COLUMNS.join(', ')} or attr.<name>.`,
            CATALOG_HEADER_HINT,
          );
      }
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
    if (missing.length > 0) {
      throw badHeader(
        `The header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
        CATALOG_HEADER_HINT,
      );
    }
    return (fields) => {
      if (fields.length !== columns.length) {
        throw new RecordError(`has ${fields.length} fields; the header has ${columns.length}`);
      }
      const item: Record<string, unknown> = {};
      const attrs: Record<string, unknown> = {};
      columns.forEach((apply, i) => {
        apply(item, attrs, fields[i] as string);
      });
      if (Object.keys(attrs).length > 0) item.attributes = attrs;
      return item;
    };
  },
  async sink(services, tenantId, records) {
    return (await services.catalog.importItems(tenantId, records)).map(describeErrors);
  },
};

/** The kinds `pertinent import` knows, by name. */
export const KINDS: Record<string, ImportKind<unknown>> = { catalog: catalogKind, events: eventsKind };

// ---- the shared machinery ----------------------------------------------------

export type ImportFormat = 'csv' | 'ndjson';

export interface ImportIo {
  /** A line of the summary (stdout). */
  out(line: string): void;
  /** Raw text for progress (stderr); no newline added. */
  progress(text: string): void;
  /** Whether progress goes to a terminal (a redrawn bar) or not (a plain line now and then). */
  readonly isTTY: boolean;
  readonly now?: () => number;
}

export interface ImportSummary {
  readonly records: number;
  readonly imported: number;
  readonly rejected: number;
  /** The first rejections, in file order. */
  readonly firstRejects: { line: number; reason: string }[];
}

/** How many rejected lines the summary lists; the rest are counted (and all written with --rejects). */
export const LISTED_REJECTS = 20;

/** The format of a file from its extension, or undefined. */
export function formatOf(file: string): ImportFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return undefined;
}

interface SourceRecord {
  readonly line: number;
  readonly value?: unknown;
  readonly error?: string;
}

async function* ndjsonLines(chunks: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let rest = '';
  let line = 0;
  for await (const chunk of chunks) {
    rest += chunk;
    let nl = rest.indexOf('\n');
    let from = 0;
    while (nl >= 0) {
      line++;
      yield { line, text: rest.slice(from, nl) };
      from = nl + 1;
      nl = rest.indexOf('\n', from);
    }
    rest = rest.slice(from);
  }
  if (rest !== '') yield { line: line + 1, text: rest };
}

async function* sourceRecords<R>(
  kind: ImportKind<R>,
  format: ImportFormat,
  chunks: AsyncIterable<string>,
): AsyncGenerator<SourceRecord> {
  if (format === 'ndjson') {
    for await (const { line, text } of ndjsonLines(chunks)) {
      const t = text.trim();
      if (t === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch (e) {
        yield { line, error: `is not valid JSON (${(e as Error).message})` };
        continue;
      }
      try {
        yield { line, value: kind.fromJson(value) };
      } catch (e) {
        if (!(e instanceof RecordError)) throw e;
        yield { line, error: e.message };
      }
    }
    return;
  }
  const fromCsv = kind.fromCsv;
  if (!fromCsv) throw new UsageError(`${kind.name} cannot be imported from CSV; use NDJSON.`);
  let row: ((fields: readonly string[]) => R) | undefined;
  for await (const rec of readCsv(chunks)) {
    if (row === undefined) {
      if (rec.error !== undefined) {
        throw badHeader(`The header line cannot be read: ${rec.error}.`, 'Fix the first line of the file.');
      }
      row = fromCsv(rec.fields);
      continue;
    }
    if (rec.error !== undefined) {
      yield { line: rec.line, error: rec.error };
      continue;
    }
    try {
      yield { line: rec.line, value: row(rec.fields) };
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      yield { line: rec.line, error: e.message };
    }
  }
  if (row === undefined) {
    throw badHeader('The file is empty.', 'A CSV file starts with a header line naming its columns.');
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Imports `file` into `tenantId` as `kind`: reads it as a stream, sends
 * records to the kind's sink in batches, reports progress and returns the
 * summary. A bad line is rejected and the import goes on; a missing file or
 * a wrong header stops it before anything is written.
 */
export async function runImport<R>(options: {
  services: Services;
  kind: ImportKind<R>;
  tenantId: string;
  file: string;
  format: ImportFormat;
  rejectsFile?: string | undefined;
  io: ImportIo;
}): Promise<ImportSummary> {
  const { services, kind, tenantId, file, format, io } = options;
  const now = io.now ?? Date.now;
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new AppError('import_file_not_found', 400, `There is no file ${file} to import.`, {
      hint: 'Check the path (relative paths start from the current directory).',
    });
  }
  await services.tenants.getTenant(tenantId);

  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const rejectsFd = options.rejectsFile === undefined ? undefined : openSync(options.rejectsFile, 'w');
  const firstRejects: { line: number; reason: string }[] = [];
  let records = 0;
  let imported = 0;
  let rejected = 0;
  const reject = (line: number, reason: string) => {
    rejected++;
    if (firstRejects.length < LISTED_REJECTS) firstRejects.push({ line, reason });
    if (rejectsFd !== undefined) writeSync(rejectsFd, `${JSON.stringify({ line, reason })}\n`);
  };

  const started = now();
  let lastShown = started;
  const status = () => `${fmt(records)} records, ${fmt(imported)} imported, ${fmt(rejected)} rejected`;
  const percent = () => (size === 0 ? 100 : Math.min(100, Math.floor((stream.bytesRead / size) * 100)));
  const showProgress = (force = false) => {
    const t = now();
    if (io.isTTY) {
      if (!force && t - lastShown < 100) return;
      const p = percent();
      const filled = Math.round(p / 5);
      io.progress(`\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] ${String(p).padStart(3)}%  ${status()}`);
    } else {
      if (!force && t - lastShown < 5000) return;
      io.progress(`import ${kind.name}: ${percent()}% read, ${status()}\n`);
    }
    lastShown = t;
  };

  // A batch keeps the lines that could not be read too, so that rejections
  // are reported in file order.
  let batch: { line: number; value?: R; error?: string }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const good = batch.filter((b) => b.error === undefined);
    const reasons =
      good.length === 0
        ? []
        : await kind.sink(
            services,
            tenantId,
            good.map((b) => b.value as R),
          );
    let g = 0;
    for (const b of batch) {
      const reason = b.error ?? reasons[g++];
      if (reason === undefined) imported++;
      else reject(b.line, reason);
    }
    batch = [];
    showProgress();
  };

  try {
    for await (const rec of sourceRecords(kind, format, stream as AsyncIterable<string>)) {
      records++;
      batch.push(
        rec.error !== undefined ? { line: rec.line, error: rec.error } : { line: rec.line, value: rec.value as R },
      );
      if (batch.length >= kind.batchSize) await flush();
    }
    await flush();
  } finally {
    stream.destroy();
    if (rejectsFd !== undefined) closeSync(rejectsFd);
    if (io.isTTY) io.progress('\r\x1b[K');
  }
  return { records, imported, rejected, firstRejects };
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a catalog from a CSV or NDJSON file, with progress and a report of rejected lines',
  usage: `pertinent import catalog --tenant ID [--format csv|ndjson] [--rejects FILE] FILE
pertinent import events  --tenant ID [--format csv|ndjson] [--rejects FILE] FILE

  FILE              CSV with a header line, or NDJSON (one JSON item per line); the format
                    comes from the extension (.csv, .ndjson, .jsonl) or --format
  --tenant ID       the tenant to import into
  --format F        csv or ndjson, when the extension does not tell
  --rejects FILE    write every rejected line there, as NDJSON {"line":N,"reason":"..."}

CSV columns: id,title,category (required), price,currency,available, and attr.<name>
for attributes (attr.<name>:number, attr.<name>:boolean, attr.<name>:list with "|" between values).
Items are created or replaced by id. A bad line is reported and skipped; the others are imported.
Events: CSV columns subject,type,item,occurred_at,event_id (required), quantity,price,source,query,
purpose (optional), or NDJSON events as POST /v1/events takes them; source defaults to "import";
an event already there (same subject and event id) is not stored twice, so a run can be repeated.
Exit code: 0 when every line was imported, 1 when some were rejected or the import failed.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      tenant: { type: 'string' },
      format: { type: 'string' },
      rejects: { type: 'string' },
    });
    const [kindName, file, ...extra] = positionals;
    const kind = KINDS[kindName ?? ''];
    if (!kind) {
      throw new UsageError(
        kindName
          ? `Unknown kind "${kindName}"; expected ${Object.keys(KINDS).join(' or ')}.`
          : 'Name what to import: catalog or events.',
      );
    }
    if (file === undefined) throw new UsageError('Name the file to import.');
    if (extra.length > 0) throw new UsageError(`One file at a time; unexpected ${extra.join(' ')}.`);
    const tenantId = requireFlag(values.tenant, 'tenant');
    let format: ImportFormat | undefined;
    if (values.format !== undefined) {
      if (values.format !== 'csv' && values.format !== 'ndjson')
        throw new UsageError('--format must be csv or ndjson.');
      format = values.format;
    } else {
      format = formatOf(file);
      if (!format)
        throw new UsageError(`Cannot tell the format of ${basename(file)}; add --format csv or --format ndjson.`);
    }
    const services = await createServices(loadConfig());
    try {
      const started = Date.now();
      const summary = await runImport({
        services,
        kind,
        tenantId,
        file,
        format,
        rejectsFile: typeof values.rejects === 'string' ? values.rejects : undefined,
        io: {
          out,
          progress: (text) => process.stderr.write(text),
          isTTY: process.stderr.isTTY === true,
        },
      });
      printSummary(summary, {
        kind,
        file,
        tenantId,
        seconds: (Date.now() - started) / 1000,
        rejectsFile: typeof values.rejects === 'string' ? values.rejects : undefined,
      });
      return summary.rejected > 0 ? 1 : 0;
    } finally {
      await services.close();
    }
  },
};

/** The closing report: counts, then the first rejected lines with their reasons. */
export function printSummary(
  s: ImportSummary,
  context: {
    kind: ImportKind<unknown>;
    file: string;
    tenantId: string;
    seconds: number;
    rejectsFile?: string | undefined;
  },
  print: (line: string) => void = out,
): void {
  print(
    `Imported ${fmt(s.imported)} ${context.kind.noun} into tenant ${context.tenantId} from ${basename(context.file)}: ` +
      `${fmt(s.records)} records, ${fmt(s.imported)} imported, ${fmt(s.rejected)} rejected (${context.seconds.toFixed(1)} s).`,
  );
  if (s.rejected === 0) return;
  print('Rejected lines:');
  for (const r of s.firstRejects) print(`  line ${r.line}: ${r.reason}`);
  const more = s.rejected - s.firstRejects.length;
  if (more > 0) {
    print(
      `  … and ${fmt(more)} more${context.rejectsFile ? ` (all are in ${context.rejectsFile})` : ' (add --rejects FILE to write them all)'}.`,
    );
  } else if (context.rejectsFile) {
    print(`  (also written to ${context.rejectsFile})`);
  }
}
