import type { BasePurpose } from '../../core/purposes.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { FieldCipher } from '../../platform/field-cipher.ts';
import { contactAad } from '../../platform/field-cipher.ts';
import type {
  DeclarationKind,
  DeclarationRecord,
  EventRecord,
  EventSource,
  EventStore,
  EventType,
  InteractionRecord,
  ListEventsQuery,
} from './events.store.ts';
import { validateEvent } from './events.validation.ts';

/** What a batch did: how many events were new, how many the tenant already had. */
export interface IngestResult {
  readonly received: number;
  readonly stored: number;
  readonly duplicates: number;
}

/** One event of a refused batch and what is wrong with it. */
export interface InvalidEvent {
  readonly index: number;
  readonly eventId: string | null;
  readonly errors: string[];
}

export interface IngestOptions {
  /**
   * Resolves the subject of each event from the id it names (or none): for a
   * publishable key, only the subject of its token; throws an AppError otherwise.
   */
  readonly subjectFor: (requested: string | undefined) => string;
  /** The source of events that do not name one. */
  readonly defaultSource?: EventSource;
  /** The request carried the Global Privacy Control signal (`Sec-GPC: 1`). */
  readonly gpc?: boolean;
}

/**
 * Called once per subject of an accepted batch that carried `Sec-GPC: 1`,
 * before the batch is stored. The consent module plugs its
 * `applyGpcSignal(tenantId, subjectId)` in here (see the composition root).
 */
export type GpcHook = (tenantId: string, subjectId: string) => Promise<void>;

/**
 * Decides, after a batch is validated, which of its events may be stored; the
 * others are acknowledged and discarded (counted as duplicates). The rights
 * module plugs in here: events of an erased subject that occurred before the
 * erasure, and events already past their retention limit, are not stored.
 */
export type AdmissionHook = (tenantId: string, records: readonly EventRecord[]) => Promise<EventRecord[]>;

/** Zero-party data: what a subject told us, as the API shows it. */
export interface Preferences {
  readonly interests: { readonly categories: string[]; readonly topics: string[] };
  readonly notInterested: NotInterested[];
  readonly channels: Channel[];
  readonly quietHours: QuietHours | null;
  readonly locale: string | null;
  /** Contact data, stored encrypted. */
  readonly email: string | null;
  readonly phone: string | null;
}

export type Channel = 'email' | 'sms' | 'push';
export interface NotInterested {
  readonly itemId?: string;
  readonly category?: string;
  /** ISO date-time after which the exclusion lapses; absent: until withdrawn. */
  readonly until?: string;
}
export interface QuietHours {
  /** "HH:MM", local time in `timeZone`. */
  readonly start: string;
  readonly end: string;
  /** IANA time zone, e.g. "Europe/Paris". */
  readonly timeZone: string;
}

export interface PreferencesInput {
  readonly interests?: { readonly categories?: readonly string[]; readonly topics?: readonly string[] };
  readonly notInterested?: readonly NotInterested[];
  readonly channels?: readonly Channel[];
  readonly quietHours?: QuietHours;
  readonly locale?: string;
  readonly email?: string;
  readonly phone?: string;
}

/** The declarations behind a subject's preferences: where each came from and what it is for. */
export interface DeclarationInfo {
  readonly kind: DeclarationKind;
  readonly source: EventSource;
  readonly purpose: string;
  readonly provenance: 'declared';
  readonly declaredAt: string;
}

export interface PreferencesView {
  readonly subjectId: string;
  readonly preferences: Preferences;
  readonly declarations: DeclarationInfo[];
}

/**
 * The purpose each kind of declaration is collected for: what a subject likes
 * or rejects shapes recommendations; how and when to reach them serves
 * marketing messages.
 */
export const DECLARATION_PURPOSE: Record<DeclarationKind, BasePurpose> = {
  interests: 'personalization',
  not_interested: 'personalization',
  channels: 'marketing_messages',
  quiet_hours: 'marketing_messages',
  locale: 'personalization',
  email: 'marketing_messages',
  phone: 'marketing_messages',
};

/** Contact data kinds: encrypted at rest. */
export const CONTACT_KINDS: readonly DeclarationKind[] = ['email', 'phone'];
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{1,63}$/;
const PHONE_RE = /^\+[1-9]\d{6,14}$/;

const MAX_INVALID_LISTED = 100;
/** How long an item found in the catalog is taken as known without asking again. */
export const ITEM_CACHE_MS = 30_000;
const ITEM_CACHE_MAX = 500_000;
const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The canonical BCP 47 form of `tag` ("fr-fr" → "fr-FR"), or undefined when it is not a language tag. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical;
  } catch {
    return undefined;
  }
}

/** Which of a subject's events to list: of these types, since then (epoch ms), at most `limit` (1–10,000; 1,000). */
export interface EventsQueryOptions {
  readonly types?: readonly EventType[];
  readonly since?: number;
  readonly limit?: number;
}

const eventsQuery = (options: EventsQueryOptions): ListEventsQuery => ({
  limit: Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 10000),
  ...(options.types === undefined ? {} : { types: options.types }),
  ...(options.since === undefined ? {} : { since: options.since }),
});

/**
 * Observed events and declared preferences. Rules live here: every event is
 * checked (all or nothing per batch), tagged with its source, purpose and
 * provenance, and acknowledged only once durably stored.
 */
export class EventService {
  readonly #store: EventStore;
  readonly #now: () => number;
  readonly #maxBatch: number;
  readonly #onGpc: GpcHook | undefined;
  readonly #itemCache = new Map<string, Map<string, number>>();
  readonly #admit: AdmissionHook | undefined;
  readonly #cipher: FieldCipher | undefined;

  constructor(
    store: EventStore,
    options: { now?: () => number; maxBatch: number; onGpc?: GpcHook; admit?: AdmissionHook; cipher?: FieldCipher },
  ) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#maxBatch = options.maxBatch;
    this.#onGpc = options.onGpc;
    this.#admit = options.admit;
    this.#cipher = options.cipher;
  }

  /**
   * Which of `itemIds` are in the tenant's catalog. Items found are remembered
   * for ITEM_CACHE_MS, so a steady stream of events about the same items costs
   * no query; an item deleted from the catalog may still receive events for
   * that long.
   */
  async #knownItems(tenantId: string, itemIds: Set<string>, now: number): Promise<Set<string>> {
    let cache = this.#itemCache.get(tenantId);
    if (!cache || cache.size > ITEM_CACHE_MAX) {
      cache = new Map();
      this.#itemCache.set(tenantId, cache);
    }
    const known = new Set<string>();
    const ask: string[] = [];
    for (const id of itemIds) {
      if ((cache.get(id) ?? 0) > now) known.add(id);
      else ask.push(id);
    }
    if (ask.length > 0) {
      const until = now + ITEM_CACHE_MS;
      for (const id of await this.#store.existingItems(tenantId, ask)) {
        known.add(id);
        cache.set(id, until);
      }
    }
    return known;
  }

  get maxBatch(): number {
    return this.#maxBatch;
  }

  /**
   * Checks and stores one batch atomically. Either every event is valid and
   * the batch is stored (events the tenant already has — same subject and
   * event id — are counted as duplicates, not stored again), or an AppError
   * lists the bad events and nothing is written. Resolves only once the batch
   * is durable. (On SQLite, batches arriving together share one commit, each
   * in its own savepoint: see docs/adr/0009-event-ingest.md.)
   */
  async ingest(tenantId: string, batch: readonly unknown[], options: IngestOptions): Promise<IngestResult> {
    if (batch.length === 0) {
      throw badRequest('empty_batch', 'The batch has no events.', { hint: 'Send at least one event.' });
    }
    if (batch.length > this.#maxBatch) {
      throw new AppError(
        'batch_too_large',
        413,
        `The batch has ${batch.length} events; at most ${this.#maxBatch} are accepted at once.`,
        { hint: `Split it into batches of at most ${this.#maxBatch} events (PERTINENT_MAX_BATCH).` },
      );
    }
    const ctx = { now: this.#now(), subjectFor: options.subjectFor, defaultSource: options.defaultSource ?? 'web' };
    const { records, invalid } = await this.#check(tenantId, batch, ctx);
    if (invalid.size > 0) throw invalidEvents(batch, invalid);

    if (options.gpc && this.#onGpc) {
      for (const subjectId of new Set(records.map((r) => r.subjectId))) await this.#onGpc(tenantId, subjectId);
    }
    const admitted = this.#admit ? await this.#admit(tenantId, records) : records;
    const stored = admitted.length === 0 ? 0 : await this.#store.insertEvents(tenantId, admitted);
    return { received: records.length, stored, duplicates: records.length - stored };
  }

  /**
   * Imports events from a file (`pertinent import events`): unlike `ingest`,
   * each event stands alone — the valid ones are stored (in one transaction),
   * and the result says, in order, undefined for each event imported (or
   * already there) and why each other one was rejected. Events name their
   * subject; their source defaults to "import".
   */
  async importEvents(tenantId: string, batch: readonly unknown[]): Promise<(string | undefined)[]> {
    const subjectFor = (requested: string | undefined) => {
      if (requested === undefined) throw new AppError('subject_required', 400, 'no subject');
      return requested;
    };
    const ctx = { now: this.#now(), subjectFor, defaultSource: 'import' as const };
    const { records, invalid } = await this.#check(tenantId, batch, ctx);
    const admitted = this.#admit ? await this.#admit(tenantId, records) : records;
    if (admitted.length > 0) await this.#store.insertEvents(tenantId, admitted);
    return batch.map((_, i) => invalid.get(i)?.join('; '));
  }

  /**
   * Checks every event of a batch: `records` holds the valid ones in batch
   * order, `invalid` what is wrong with the others, by index. Items are
   * looked up once for the whole batch.
   */
  async #check(
    tenantId: string,
    batch: readonly unknown[],
    ctx: Parameters<typeof validateEvent>[1],
  ): Promise<{ records: EventRecord[]; invalid: Map<number, string[]> }> {
    const records: EventRecord[] = [];
    const invalid = new Map<number, string[]>();
    const indexes: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const result = validateEvent(batch[i], ctx);
      if (Array.isArray(result)) invalid.set(i, result);
      else {
        records.push(result);
        indexes.push(i);
      }
    }
    // Unknown items: at most one query for the whole batch, for the items not
    // recently seen in this tenant's catalog.
    const itemIds = new Set<string>();
    for (const r of records) if (r.itemId !== null) itemIds.add(r.itemId);
    const known = await this.#knownItems(tenantId, itemIds, ctx.now);
    if (known.size === itemIds.size) return { records, invalid };
    const kept: EventRecord[] = [];
    records.forEach((r, k) => {
      if (r.itemId !== null && !known.has(r.itemId)) {
        invalid.set(indexes[k] as number, [`itemId ${JSON.stringify(r.itemId)} is not in the catalog`]);
      } else kept.push(r);
    });
    return { records: kept, invalid };
  }

  /**
   * A subject's events in time order, for the pipelines that learn from them:
   * optionally only some types, only since a time (epoch ms), at most `limit`
   * (default 1000, at most 10000).
   */
  listEvents(tenantId: string, subjectId: string, options: EventsQueryOptions = {}): Promise<EventRecord[]> {
    return this.#store.listEvents(tenantId, subjectId, eventsQuery(options));
  }

  /**
   * What a decision reads: the subject's latest events that match (at most
   * `limit`; a subject with more keeps the newest), in time order, with only
   * the fields a decision uses.
   */
  listInteractions(
    tenantId: string,
    subjectId: string,
    options: EventsQueryOptions = {},
  ): Promise<InteractionRecord[]> {
    return this.#store.listInteractions(tenantId, subjectId, eventsQuery(options));
  }

  /** Replaces what the subject declared (absent fields are withdrawn) and returns the result. */
  async putPreferences(
    tenantId: string,
    subjectId: string,
    input: PreferencesInput,
    source: EventSource,
  ): Promise<PreferencesView> {
    const problems: { path: string; message: string }[] = [];
    const now = this.#now();
    const values: Partial<Record<DeclarationKind, unknown>> = {};

    if (input.interests !== undefined) {
      const categories = [...new Set(input.interests.categories ?? [])];
      const topics = [...new Set(input.interests.topics ?? [])];
      if (categories.length + topics.length > 0) values.interests = { categories, topics };
    }
    if (input.notInterested !== undefined && input.notInterested.length > 0) {
      input.notInterested.forEach((n, i) => {
        if ((n.itemId === undefined) === (n.category === undefined)) {
          problems.push({ path: `notInterested[${i}]`, message: 'name exactly one of "itemId" or "category"' });
        }
        if (n.until !== undefined && Number.isNaN(Date.parse(n.until))) {
          problems.push({ path: `notInterested[${i}].until`, message: 'must be an RFC 3339 date-time' });
        }
      });
      values.not_interested = input.notInterested;
    }
    if (input.channels !== undefined && input.channels.length > 0) values.channels = [...new Set(input.channels)];
    if (input.quietHours !== undefined) {
      const q = input.quietHours;
      if (!HHMM_RE.test(q.start)) problems.push({ path: 'quietHours.start', message: 'must be a time "HH:MM"' });
      if (!HHMM_RE.test(q.end)) problems.push({ path: 'quietHours.end', message: 'must be a time "HH:MM"' });
      if (q.start === q.end) problems.push({ path: 'quietHours', message: 'start and end must differ' });
      if (!isTimeZone(q.timeZone)) {
        problems.push({
          path: 'quietHours.timeZone',
          message: `${JSON.stringify(q.timeZone)} is not an IANA time zone (e.g. "Europe/Paris")`,
        });
      }
      values.quiet_hours = { start: q.start, end: q.end, timeZone: q.timeZone };
    }
    if (input.locale !== undefined) {
      const locale = canonicalLocale(input.locale);
      if (locale === undefined) {
        problems.push({
          path: 'locale',
          message: `${JSON.stringify(input.locale)} is not a BCP 47 language tag (e.g. "en", "fr", "it-CH")`,
        });
      }
      values.locale = locale;
    }
    if (input.email !== undefined) {
      if (input.email.length > 254 || !EMAIL_RE.test(input.email)) {
        problems.push({ path: 'email', message: 'must be an e-mail address such as "ada@example.org"' });
      }
      values.email = input.email;
    }
    if (input.phone !== undefined) {
      if (!PHONE_RE.test(input.phone)) {
        problems.push({ path: 'phone', message: 'must be a phone number in E.164 form, e.g. "+33612345678"' });
      }
      values.phone = input.phone;
    }
    if (problems.length > 0) {
      throw badRequest(
        'invalid_preferences',
        `The preferences are not valid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
        {
          hint: 'Correct the fields listed in details.errors; nothing was changed.',
          details: { errors: problems },
        },
      );
    }
    const seal = (kind: DeclarationKind, value: unknown): unknown => {
      if (!CONTACT_KINDS.includes(kind)) return value;
      if (!this.#cipher) return this.#noCipher();
      return this.#cipher.encrypt(value as string, contactAad(tenantId, subjectId, kind));
    };
    const records: DeclarationRecord[] = Object.entries(values).map(([kind, value]) => ({
      kind: kind as DeclarationKind,
      value: seal(kind as DeclarationKind, value),
      source,
      purpose: DECLARATION_PURPOSE[kind as DeclarationKind],
      provenance: 'declared',
      declaredAt: now,
    }));
    await this.#store.replaceDeclarations(tenantId, subjectId, records);
    return this.getPreferences(tenantId, subjectId);
  }

  /** What the subject declared and still holds (lapsed "not interested" entries are left out). */
  async getPreferences(tenantId: string, subjectId: string): Promise<PreferencesView> {
    const records = await this.#store.listDeclarations(tenantId, subjectId);
    const now = this.#now();
    let interests: Preferences['interests'] = { categories: [], topics: [] };
    let notInterested: NotInterested[] = [];
    let channels: Channel[] = [];
    let quietHours: QuietHours | null = null;
    let locale: string | null = null;
    const contact: Record<string, string | null> = { email: null, phone: null };
    for (const r of records) {
      if (CONTACT_KINDS.includes(r.kind)) {
        const cipher = this.#cipher ?? this.#noCipher();
        contact[r.kind] = cipher.decrypt(r.value as string, contactAad(tenantId, subjectId, r.kind));
      }
      if (r.kind === 'interests') interests = r.value as Preferences['interests'];
      else if (r.kind === 'not_interested') {
        notInterested = (r.value as NotInterested[]).filter((n) => n.until === undefined || Date.parse(n.until) > now);
      } else if (r.kind === 'channels') channels = r.value as Channel[];
      else if (r.kind === 'quiet_hours') quietHours = r.value as QuietHours;
      else if (r.kind === 'locale') locale = r.value as string;
    }
    return {
      subjectId,
      preferences: {
        interests,
        notInterested,
        channels,
        quietHours,
        locale,
        email: contact.email ?? null,
        phone: contact.phone ?? null,
      },
      declarations: records.map((r) => ({
        kind: r.kind,
        source: r.source,
        purpose: r.purpose,
        provenance: r.provenance,
        declaredAt: new Date(r.declaredAt).toISOString(),
      })),
    };
  }

  /** Stops what the store runs besides the database (call before closing the database). */
  close(): Promise<void> {
    return this.#store.close();
  }

  #noCipher(): never {
    throw new AppError(
      'encryption_not_configured',
      503,
      'Contact data (email, phone) is stored only encrypted, and this server has no encryption key.',
      {
        hint: 'The operator sets PERTINENT_ENCRYPTION_KEY ("<id>:<32 random bytes in base64>"); until then leave email and phone out.',
      },
    );
  }

  /** Withdraws everything the subject declared; resolves with how many declarations there were. */
  deletePreferences(tenantId: string, subjectId: string): Promise<number> {
    return this.#store.deleteDeclarations(tenantId, subjectId);
  }
}

function invalidEvents(batch: readonly unknown[], invalid: Map<number, string[]>): AppError {
  const listed: InvalidEvent[] = [];
  for (const [index, errors] of [...invalid].sort((a, b) => a[0] - b[0])) {
    if (listed.length === MAX_INVALID_LISTED) break;
    const raw = batch[index] as { eventId?: unknown } | null;
    const eventId = typeof raw === 'object' && raw !== null && typeof raw.eventId === 'string' ? raw.eventId : null;
    listed.push({ index, eventId, errors });
  }
  const first = listed[0] as InvalidEvent;
  return new AppError(
    'invalid_events',
    422,
    `${invalid.size} of ${batch.length} events are not valid, so none was stored; the first is event ${first.index}${
      first.eventId === null ? '' : ` (${JSON.stringify(first.eventId)})`
    }: ${first.errors.join('; ')}.`,
    {
      hint: 'Fix the events listed in details.events (index in the batch, eventId, errors) and send the whole batch again.',
      details: { invalidCount: invalid.size, events: listed },
    },
  );
}
