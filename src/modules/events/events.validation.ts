import type { BasePurpose, Purpose } from '../../core/purposes.ts';
import { isPurpose } from '../../core/purposes.ts';
import { AppError } from '../../platform/errors.ts';
import { SUBJECT_ID_PATTERN } from '../../platform/subject-token.ts';
import type { EventRecord, EventSource, EventType } from './events.store.ts';
import { EVENT_SOURCES, EVENT_TYPES } from './events.store.ts';

/**
 * The purpose an event is collected for when the client does not say:
 * behaviour in the shop serves personalization; an impression (an item was
 * shown) serves measurement.
 */
export const DEFAULT_EVENT_PURPOSE: Record<EventType, BasePurpose> = {
  view: 'personalization',
  cart: 'personalization',
  purchase: 'personalization',
  search: 'personalization',
  click: 'personalization',
  dismiss: 'personalization',
  impression: 'measurement',
};

/** The fields an event may have on the wire; anything else is refused. */
const FIELDS = new Set([
  'eventId',
  'subjectId',
  'type',
  'itemId',
  'query',
  'occurredAt',
  'quantity',
  'price',
  'context',
  'source',
  'purpose',
]);
const CONTEXT_FIELDS = new Set(['placement', 'page']);
const TYPES = new Set<string>(EVENT_TYPES);
const SOURCES = new Set<string>(EVENT_SOURCES);
const WITH_AMOUNT = new Set<string>(['cart', 'purchase']);
/** Printable ASCII without spaces: UUIDs, ULIDs, "order-42:line-3"... */
const EVENT_ID_RE = /^[\x21-\x7e]{1,128}$/;
const SUBJECT_RE = new RegExp(SUBJECT_ID_PATTERN);
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
/** Clocks drift; an event more than a day in the future is a bug in the sender. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

export interface ValidationContext {
  readonly now: number;
  /** Resolves the subject an event is for; throws an AppError when the caller may not act for it. */
  readonly subjectFor: (requested: string | undefined) => string;
  readonly defaultSource: EventSource;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const shortString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Checks one wire event and turns it into a record, or says everything that is
 * wrong with it. `itemId` existence is checked for the whole batch elsewhere.
 * Pages are kept without query string and fragment (data minimisation: they
 * often carry e-mail addresses, tracking ids or search terms).
 */
export function validateEvent(raw: unknown, ctx: ValidationContext): EventRecord | string[] {
  if (!isObject(raw)) return ['must be an object'];
  const errors: string[] = [];
  for (const key in raw) {
    if (!FIELDS.has(key)) errors.push(`unknown field "${key}"; remove it`);
  }
  const { eventId, subjectId, type, itemId, query, occurredAt, quantity, price, context, source, purpose } = raw;

  if (eventId === undefined) errors.push('missing required field "eventId"');
  else if (typeof eventId !== 'string' || !EVENT_ID_RE.test(eventId)) {
    errors.push('eventId must be a string of 1 to 128 printable characters without spaces');
  }

  let subject: string | undefined;
  if (subjectId !== undefined && (typeof subjectId !== 'string' || !SUBJECT_RE.test(subjectId))) {
    errors.push('subjectId must be 1 to 128 letters, digits and . _ : @ -');
  } else {
    try {
      subject = ctx.subjectFor(subjectId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      errors.push(
        error.code === 'subject_required'
          ? 'missing required field "subjectId" (a server key acts for any subject and must name it)'
          : `subjectId ${JSON.stringify(subjectId)} is not the subject of the subject token; a publishable key may only send events for that subject`,
      );
    }
  }

  const typeOk = typeof type === 'string' && TYPES.has(type);
  if (type === undefined) errors.push('missing required field "type"');
  else if (!typeOk) errors.push(`type must be one of ${EVENT_TYPES.map((t) => `"${t}"`).join(', ')}`);

  if (typeOk && type === 'search') {
    if (query === undefined) errors.push('missing required field "query" (a search event says what was searched)');
    else if (!shortString(query, 500)) errors.push('query must be a string of 1 to 500 characters');
    if (itemId !== undefined) errors.push('a search event has no itemId; send a click event for the chosen result');
  } else if (typeOk) {
    if (itemId === undefined) errors.push(`missing required field "itemId" (a ${type} event is about an item)`);
    else if (!shortString(itemId, 256)) errors.push('itemId must be a string of 1 to 256 characters');
    if (query !== undefined) errors.push('only search events have a query');
  }

  const at = typeof occurredAt === 'string' && TIME_RE.test(occurredAt) ? Date.parse(occurredAt) : Number.NaN;
  if (occurredAt === undefined) errors.push('missing required field "occurredAt"');
  else if (Number.isNaN(at)) {
    errors.push('occurredAt must be an RFC 3339 date-time with a time zone, e.g. "2026-11-23T17:30:00Z"');
  } else if (at > ctx.now + MAX_FUTURE_MS) errors.push('occurredAt is more than a day in the future');

  if (quantity !== undefined) {
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 1_000_000) {
      errors.push('quantity must be a whole number from 1 to 1000000');
    } else if (typeOk && !WITH_AMOUNT.has(type)) errors.push('only cart and purchase events have a quantity');
  }
  if (price !== undefined) {
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0 || price > 1e12) {
      errors.push('price must be a number from 0 to 10^12');
    } else if (typeOk && !WITH_AMOUNT.has(type)) errors.push('only cart and purchase events have a price');
  }

  let placement: string | null = null;
  let page: string | null = null;
  if (context !== undefined) {
    if (!isObject(context)) errors.push('context must be an object with "placement" and/or "page"');
    else {
      for (const key in context) {
        if (!CONTEXT_FIELDS.has(key)) errors.push(`unknown field "context.${key}"; remove it`);
      }
      if (context.placement !== undefined) {
        if (shortString(context.placement, 128)) placement = context.placement;
        else errors.push('context.placement must be a string of 1 to 128 characters');
      }
      if (context.page !== undefined) {
        if (shortString(context.page, 2048)) page = minimisePage(context.page);
        else errors.push('context.page must be a string of 1 to 2048 characters');
      }
    }
  }

  if (source !== undefined && (typeof source !== 'string' || !SOURCES.has(source))) {
    errors.push(`source must be one of ${EVENT_SOURCES.map((s) => `"${s}"`).join(', ')}`);
  }
  if (purpose !== undefined) {
    if (typeof purpose !== 'string' || !isPurpose(purpose)) errors.push('purpose must be a known purpose');
    else if (purpose.startsWith('sensitive:')) {
      errors.push(
        'observed events cannot be collected for a sensitive purpose; sensitive data is only ever declared by the subject',
      );
    }
  }

  if (errors.length > 0) return errors;
  return {
    eventId: eventId as string,
    subjectId: subject as string,
    type: type as EventType,
    itemId: type === 'search' ? null : (itemId as string),
    query: type === 'search' ? (query as string) : null,
    occurredAt: at,
    receivedAt: ctx.now,
    quantity: (quantity as number | undefined) ?? null,
    price: (price as number | undefined) ?? null,
    placement,
    page,
    source: (source as EventSource | undefined) ?? ctx.defaultSource,
    purpose: (purpose as Purpose | undefined) ?? DEFAULT_EVENT_PURPOSE[type as EventType],
    provenance: 'observed',
  };
}

/** The page without its query string and fragment. */
export function minimisePage(page: string): string {
  const cut = page.search(/[?#]/);
  return cut === -1 ? page : page.slice(0, cut) || '/';
}
