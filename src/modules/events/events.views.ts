import type { EventRecord } from './events.store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * An event as clients read it, without the subject id: the events routes add
 * it; a data export leaves it out (the export is about one subject).
 */
export const eventView = (e: EventRecord) => ({
  eventId: e.eventId,
  type: e.type,
  itemId: e.itemId,
  query: e.query,
  occurredAt: iso(e.occurredAt),
  receivedAt: iso(e.receivedAt),
  quantity: e.quantity,
  price: e.price,
  context: { placement: e.placement, page: e.page },
  source: e.source,
  purpose: e.purpose,
  provenance: e.provenance,
});
