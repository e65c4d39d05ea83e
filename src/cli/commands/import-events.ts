import { AppError } from '../../platform/errors.ts';
// import.ts lists this kind in KINDS, so load this module through import.ts
// (RecordError is used only inside functions, which makes the cycle harmless).
import type { ImportKind } from './import.ts';
import { RecordError } from './import.ts';

/**
 * The `events` kind of `pertinent import`: past events from a file, through
 * the event service, in batches. Each line stands alone: a bad event is
 * rejected by line number and the others are imported; an event already
 * imported (same subject and event id) is not stored twice, so an interrupted
 * import can simply be run again.
 *
 * CSV columns: subject,type,item,occurred_at,event_id (required), and
 * quantity, price, source, query, purpose (optional; empty means absent).
 * NDJSON lines are events as POST /v1/events takes them.
 */
const REQUIRED = ['subject', 'type', 'item', 'occurred_at', 'event_id'] as const;
const OPTIONAL = ['quantity', 'price', 'source', 'query', 'purpose'] as const;
const FIELD: Record<(typeof REQUIRED)[number] | (typeof OPTIONAL)[number], string> = {
  subject: 'subjectId',
  type: 'type',
  item: 'itemId',
  occurred_at: 'occurredAt',
  event_id: 'eventId',
  quantity: 'quantity',
  price: 'price',
  source: 'source',
  query: 'query',
  purpose: 'purpose',
};
const HEADER_HINT =
  'The first line names the columns: subject,type,item,occurred_at,event_id (required) and quantity,price,source,query,purpose (optional); see docs/guides/import.md.';

const badHeader = (message: string) => new AppError('import_bad_header', 400, message, { hint: HEADER_HINT });

/** A number column: a number when it reads as one, else the text, which the service refuses with a reason. */
const numeric = (v: string): number | string => {
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
};

export const eventsKind: ImportKind<unknown> = {
  name: 'events',
  noun: 'events',
  batchSize: 1000,
  fromJson: (value) => value,
  fromCsv(header) {
    const names = header.map((h) => h.trim());
    const seen = new Set<string>();
    for (const [index, name] of names.entries()) {
      if (name === '') throw badHeader(`Column ${index + 1} of the header has no name.`);
      if (!(name in FIELD)) {
        throw badHeader(
          `The header has an unknown column "${name}"; expected ${[...REQUIRED, ...OPTIONAL].join(', ')}.`,
        );
      }
      if (seen.has(name)) throw badHeader(`The column "${name}" appears twice in the header.`);
      seen.add(name);
    }
    const missing = REQUIRED.filter((c) => !seen.has(c));
    if (missing.length > 0) {
      throw badHeader(`The header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`);
    }
    const fields = names.map((n) => FIELD[n as keyof typeof FIELD]);
    return (values) => {
      if (values.length !== fields.length) {
        throw new RecordError(`has ${values.length} fields; the header has ${fields.length}`);
      }
      const event: Record<string, unknown> = {};
      fields.forEach((field, i) => {
        const v = values[i] ?? '';
        if (v === '') return;
        event[field] = field === 'quantity' || field === 'price' ? numeric(v) : v;
      });
      return event;
    };
  },
  sink: (services, tenantId, records) => services.events.importEvents(tenantId, records),
};
