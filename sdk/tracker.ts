import type { Client } from './client.ts';
import type { ConsentState } from './consent.ts';

/**
 * An event the shop page reports.
 *
 * @example
 * const event: TrackEvent = { type: 'cart', itemId: 'coat-wool', quantity: 1, price: 189 };
 */
export interface TrackEvent {
  readonly type: 'view' | 'cart' | 'purchase' | 'search' | 'click' | 'dismiss' | 'impression';
  readonly itemId?: string;
  readonly query?: string;
  readonly quantity?: number;
  readonly price?: number;
  readonly placement?: string;
  /** The purpose it is collected for; defaults to personalization (impression: measurement). */
  readonly purpose?: string;
}

/**
 * What happened to a tracked event: sent (soon), held until the person decides, or dropped.
 *
 * @example
 * if (p.track({ type: 'view', itemId: 'x' }) === 'dropped') console.debug('refused: not sent');
 */
export type TrackOutcome = 'sent' | 'held' | 'dropped';

/**
 * Sends events only for purposes the person consented to. Events for a
 * purpose not decided yet wait in memory (at most `maxHeld`, never stored);
 * they are sent if consent is given and dropped if it is refused. Events for a
 * refused purpose are dropped at once. Consent is checked again just before
 * sending.
 *
 * @example
 * const tracker = new Tracker(client, consentState);
 * tracker.track({ type: 'view', itemId: 'coat-wool' }); // 'held' until the banner is answered
 */
export class Tracker {
  readonly #client: Client;
  readonly #consent: ConsentState;
  readonly #maxHeld: number;
  #held: Record<string, unknown>[] = [];
  #outbox: Record<string, unknown>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #n = 0;

  constructor(client: Client, consent: ConsentState, options: { maxHeld?: number } = {}) {
    this.#client = client;
    this.#consent = consent;
    this.#maxHeld = options.maxHeld ?? 50;
    consent.onChange(() => this.#release());
    globalThis.addEventListener?.('pagehide', () => this.flush(true));
  }

  /** Reports one event; see {@link TrackOutcome}. */
  track(event: TrackEvent): TrackOutcome {
    const { placement, ...rest } = event;
    const wire: Record<string, unknown> = {
      ...rest,
      purpose: event.purpose ?? (event.type === 'impression' ? 'measurement' : 'personalization'),
      eventId: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${++this.#n}`,
      occurredAt: new Date().toISOString(),
      source: 'web',
      context: { page: globalThis.location?.pathname ?? '/', ...(placement === undefined ? {} : { placement }) },
    };
    return this.#route(wire);
  }

  /** How many events wait for a decision. */
  get held(): number {
    return this.#held.length;
  }

  #route(e: Record<string, unknown>): TrackOutcome {
    const purpose = e.purpose as string;
    if (this.#consent.granted(purpose)) {
      this.#outbox.push(e);
      this.#timer ??= setTimeout(() => this.flush(), 500);
      return 'sent';
    }
    if (this.#consent.loaded && !this.#consent.undecided(purpose)) return 'dropped';
    if (this.#held.length >= this.#maxHeld) this.#held.shift();
    this.#held.push(e);
    return 'held';
  }

  #release(): void {
    const held = this.#held;
    this.#held = [];
    for (const e of held) this.#route(e);
  }

  /** Sends what is consented now; `leaving` keeps the request alive while the page unloads. */
  flush(leaving = false): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#outbox.filter((e) => this.#consent.granted(e.purpose as string));
    this.#outbox = [];
    if (batch.length === 0) return;
    this.#client.request('POST', '/v1/events', batch, { keepalive: leaving }).catch(() => {});
  }
}
