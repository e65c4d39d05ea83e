import type { EffectiveStatus } from '../../core/consent/state.ts';
import { ConsentedView } from '../../core/decision/consented-view.ts';
import { CounterIndex, counterWindows } from '../../core/decision/counters.ts';
import { MemoryCatalog } from '../../core/decision/memory-catalog.ts';
import { candidatesPerSource, decide } from '../../core/decision/pipeline.ts';
import { defaultPlacement } from '../../core/decision/placement.ts';
import { inControlGroup } from '../../core/decision/random.ts';
import type {
  AuditRecord,
  CandidateSources,
  CatalogItem,
  Channel,
  DecisionContext,
  Declarations,
  Interaction,
  PlacementConfig,
  PlacementKind,
  Reason,
  Scored,
  SubjectRecords,
} from '../../core/decision/types.ts';
import { MESSAGE_KINDS } from '../../core/decision/types.ts';
import type { Locale, Names } from '../../core/explain/reasons.ts';
import {
  controlsText,
  nonPersonalText,
  pickLocale,
  renderDataCategory,
  renderReason,
} from '../../core/explain/reasons.ts';
import type { Purpose } from '../../core/purposes.ts';
import type { CategoryComplement } from '../../core/recommend/category-relations.ts';
import type { ItemIndex } from '../../core/recommend/item-index.ts';
import { Recommender } from '../../core/recommend/recommender.ts';
import type { Recommendation } from '../../core/recommend/types.ts';
import type { SensitiveClass } from '../../core/sensitive.ts';
import { DEFAULT_SENSITIVE_TAGS, nearestSensitiveClass } from '../../core/taxonomy.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import { timeOrderedId } from '../../platform/ids.ts';
import type { DecisionCursor, DecisionStore, DecisionWrite, TrainingCursor, TrainingEvent } from './decisions.store.ts';
import { PersonalAnswers, type PersonalHistory } from './personal-answers.ts';

/** What the decision service needs from the catalog, consent and events modules (their services fit). */
export interface DecisionPorts {
  /**
   * Runs the reads `reads` starts in one read transaction of the store
   * (SQLite: see readTogether in platform/db/database.ts); absent, they run
   * as they come.
   */
  readonly readTogether?: <T>(reads: () => T) => T;
  /** Brings this node's models up to date with removals made on other nodes (the rights module). */
  readonly beforeServe?: () => Promise<void>;
  readonly catalog: {
    /** Raised by every change to the tenant's items or categories, on any node. */
    catalogVersion(tenantId: string): Promise<number>;
    listItems(
      tenantId: string,
      options: { cursor?: string | undefined; limit?: number | undefined },
    ): Promise<{
      items: {
        id: string;
        title: string;
        categoryPath: string;
        attributes: Record<string, unknown>;
        available: boolean;
      }[];
      nextCursor: string | null;
    }>;
    listCategories(tenantId: string): Promise<{ path: string; name: string; sensitiveClass: SensitiveClass | null }[]>;
  };
  readonly consent: {
    consentsOf(
      tenantId: string,
      subjectId: string,
    ): Promise<{ purposes: readonly { purpose: Purpose; status: EffectiveStatus }[] }>;
  };
  readonly events: {
    listInteractions(
      tenantId: string,
      subjectId: string,
      options: { types?: readonly ('view' | 'cart' | 'purchase' | 'dismiss')[]; since?: number; limit?: number },
    ): Promise<{ eventId: string; type: string; itemId: string | null; occurredAt: number; purpose: Purpose }[]>;
    getPreferences(
      tenantId: string,
      subjectId: string,
    ): Promise<{
      preferences: {
        interests: { categories: string[]; topics: string[] };
        notInterested: { itemId?: string; category?: string }[];
        channels: Channel[];
        quietHours: { start: string; end: string; timeZone: string } | null;
        locale: string | null;
      };
      declarations: { kind: string; purpose: string }[];
    }>;
  };
  /**
   * Where the tenant-level category relations are published (the ads store):
   * an aggregate of consented baskets, never anything about a subject (ADR 0012).
   */
  readonly categoryRelations?: {
    publish(tenantId: string, relations: readonly CategoryComplement[]): Promise<void>;
  };
}

/** How the aggregate category relations are published (ADR 0012). */
export interface CategoryRelationsSettings {
  /** A pair is published only when this many distinct consenting subjects bought both categories together. */
  readonly minSubjects: number;
}

/** A decision request after authentication. */
export interface DecideInput {
  readonly tenantId: string;
  readonly placement: string;
  readonly subjectId: string | undefined;
  readonly purpose?: Purpose;
  readonly context: DecisionContext;
  readonly limit: number;
  readonly exclude: readonly string[];
  readonly gpc: boolean;
  readonly knownMinor: boolean;
  /** Accept-Language, as a fallback for the locale. */
  readonly acceptLanguage?: string | undefined;
}

export interface RenderedReason {
  readonly code: Reason['code'];
  readonly text: string;
  readonly dataCategories: readonly string[];
}

export interface DecisionResponse {
  readonly decisionId: string;
  readonly placement: string;
  readonly mode: 'personalized' | 'contextual' | 'popular';
  readonly purpose: Purpose;
  readonly controlGroup: boolean;
  readonly withheld: string | null;
  readonly items: { itemId: string; title: string; score: number; reasons: RenderedReason[] }[];
  readonly dataCategories: readonly string[];
  readonly consents: readonly string[];
  readonly locale: Locale;
}

export interface ExplanationResponse {
  readonly decisionId: string;
  readonly at: string;
  readonly placement: string;
  readonly mode: string;
  readonly locale: Locale;
  readonly summary: string;
  readonly items: { itemId: string; title: string; reasons: { code: string; text: string }[] }[];
  readonly dataUsed: { category: string; text: string }[];
  readonly consents: readonly string[];
  readonly controls: { text: string; url: string };
}

const DAY = 24 * 3600 * 1000;
const HISTORY_DAYS = 365;
/** How many of the latest interactions feed the personal model. */
const PERSONAL_HISTORY = 20;
/** Slates up to this size find every item's complements computed when the models are built. */
const WARM_LIMIT = 10;

interface TenantState {
  catalog: MemoryCatalog;
  rec: Recommender;
  /** `catalog`'s entries by the models' item index (see {@link entriesByIndex}), made again with each catalog. */
  entries: (CatalogItem | undefined)[];
  /** The events the models learned, by subject (event ids are unique per subject). */
  trained: Map<string, Set<string>>;
  builtAt: number;
  /** The version of the catalog held, and when it was last compared with the store's. */
  catalogVersion: number;
  catalogCheckedAt: number;
  refreshing: Promise<void> | undefined;
  /** Popular lists per category ('' for all), recomputed after POPULAR_TTL_MS or when the catalog changed. */
  popular: Map<string, { at: number; catalog: MemoryCatalog; list: Scored[] }>;
  /**
   * The complements and the similar items of each anchor with their catalog
   * entries, as of a version of the model and of the catalog: a personal
   * decision reads about a hundred complements and a page's item thirty
   * similar items, each looked up in the catalog otherwise.
   */
  complements: KeptLists;
  similar: KeptLists;
  /** The personal model's answers by history, as of the models' version. */
  personal: PersonalAnswers;
  /** The baskets the models learned changed since the category relations were last published. */
  relationsStale: boolean;
  /**
   * The models and names as the pipeline and the explanations call them, made
   * once per tenant state (they read `catalog` when called, so a refreshed
   * catalog is seen at once) instead of eight closures per decision.
   */
  sources?: CandidateSources;
  names?: Names;
}

/** Lists of a model by anchor, with the model's version, the catalog and the depth they were made with. */
type KeptLists = Map<string, { k: number; version: number; catalog: MemoryCatalog; list: readonly Scored[] }>;

/**
 * The catalog's entries by the models' item index, so that the personal
 * model's answers find theirs without a lookup by id; undefined for an
 * index the catalog has no item for.
 */
function entriesByIndex(catalog: MemoryCatalog, items: ItemIndex): (CatalogItem | undefined)[] {
  const entries: (CatalogItem | undefined)[] = new Array(items.size).fill(undefined);
  for (const item of catalog.items()) {
    const i = items.findIndex(item.id);
    if (i !== undefined) entries[i] = item;
  }
  return entries;
}

/** A subject's consents as the models learned their events: granted for personalization. */
const LEARNED_CONSENTS: ReadonlyMap<Purpose, EffectiveStatus> = new Map([['personalization', 'granted']]);

/**
 * The history a decision hands the personal model for a subject whose
 * events are `events` (all consented, as the models learned them): the
 * consented view's, built from the events since `since` in the store's order
 * (time, then event id), the latest PERSONAL_HISTORY. A subject who
 * consented to a sensitive class reads a longer history and is answered as
 * their decision comes.
 */
function historyAsRead(
  subjectId: string,
  events: TrainingEvent[],
  catalog: MemoryCatalog,
  since: number,
): PersonalHistory {
  events.sort((a, b) => a.occurredAt - b.occurredAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const interactions: Interaction[] = [];
  for (const e of events)
    if (e.occurredAt >= since)
      interactions.push({ itemId: e.itemId, kind: e.type, at: e.occurredAt, purpose: 'personalization' });
  const view = ConsentedView.build({
    purpose: 'personalization',
    placementKind: 'onsite',
    subjectId,
    consents: LEARNED_CONSENTS,
    records: { interactions, declarations: {} },
    catalog,
    gpc: false,
    knownMinor: false,
    controlGroup: false,
  });
  return view.history().slice(-PERSONAL_HISTORY);
}

/** The set of event ids the models learned from the subject, created when missing. */
function learnedBy(trained: Map<string, Set<string>>, subjectId: string): Set<string> {
  let set = trained.get(subjectId);
  if (!set) {
    set = new Set();
    trained.set(subjectId, set);
  }
  return set;
}

/** "Popular this week" need not be recomputed per request (it scans every item). */
const POPULAR_TTL_MS = 5 * 60 * 1000;
const POPULAR_DEPTH = 200;

/**
 * Decisions: loads what a decision may read (through the consented view),
 * runs the pure pipeline, records the audit trail and frequency counters, and
 * explains past decisions. Models live in memory per tenant, trained at first
 * use from consented events and updated online as a subject's new events are
 * read.
 */
export class DecisionService {
  readonly #store: DecisionStore;
  readonly #ports: DecisionPorts;
  readonly #now: () => number;
  readonly #controlsUrl: string;
  readonly #catalogCheckMs: number;
  readonly #relations: CategoryRelationsSettings;
  /** Publications started in the background by model builds. */
  readonly #publishing = new Set<Promise<void>>();
  readonly #auditRetentionMs: number;
  readonly #states = new Map<string, Promise<TenantState>>();
  #warming = 0;
  readonly #placements = new Map<string, { config: PlacementConfig; until: number }>();
  /** Decisions made and not yet committed (group commit, see {@link flush}). */
  #pending: DecisionWrite[] = [];
  #flushing: Promise<void> | undefined;

  constructor(
    store: DecisionStore,
    ports: DecisionPorts,
    options: {
      now?: () => number;
      controlsUrl?: string;
      /** How often a tenant's catalog version is compared with the store's (the catalog is read again when it changed). */
      catalogCheckSeconds?: number;
      categoryRelations?: CategoryRelationsSettings;
      auditDays?: number;
    } = {},
  ) {
    this.#store = store;
    this.#ports = ports;
    this.#now = options.now ?? Date.now;
    this.#controlsUrl = options.controlsUrl ?? '/privacy';
    this.#catalogCheckMs = (options.catalogCheckSeconds ?? 30) * 1000;
    this.#relations = options.categoryRelations ?? { minSubjects: 10 };
    // Audit records past retention are not shown, even before the sweep deletes them.
    this.#auditRetentionMs = (options.auditDays ?? 180) * DAY;
  }

  // ------------------------------------------------------------------ placements

  async putPlacement(
    tenantId: string,
    config: PlacementConfig,
  ): Promise<{ placement: PlacementConfig; created: boolean }> {
    const created = await this.#store.upsertPlacement(tenantId, config, this.#now());
    this.#placements.delete(`${tenantId}\u0000${config.id}`);
    return { placement: config, created };
  }

  listPlacements(tenantId: string): Promise<PlacementConfig[]> {
    return this.#store.listPlacements(tenantId);
  }

  async getPlacement(tenantId: string, id: string): Promise<PlacementConfig> {
    const p = await this.#store.findPlacement(tenantId, id);
    if (!p)
      throw notFound('placement_not_found', `No placement has id "${id}".`, 'Create it with PUT /v1/placements/{id}.');
    return p;
  }

  async deletePlacement(tenantId: string, id: string): Promise<void> {
    if (!(await this.#store.deletePlacement(tenantId, id)))
      throw notFound('placement_not_found', `No placement has id "${id}".`, 'List them with GET /v1/placements.');
    this.#placements.delete(`${tenantId}\u0000${id}`);
  }

  async #placement(tenantId: string, id: string): Promise<PlacementConfig> {
    const key = `${tenantId}\u0000${id}`;
    const now = this.#now();
    let cached = this.#placements.get(key);
    if (!cached || cached.until <= now) {
      // A placement never configured is the default one, kept like a stored one (not made per decision).
      cached = {
        config: (await this.#store.findPlacement(tenantId, id)) ?? defaultPlacement(id, 'onsite'),
        until: now + 2000,
      };
      this.#placements.set(key, cached);
    }
    return cached.config;
  }

  // ------------------------------------------------------------------ models and catalog

  /** The tenant's catalog and models, built on first use. */
  #state(tenantId: string): Promise<TenantState> {
    let state = this.#states.get(tenantId);
    if (!state) {
      state = this.#build(tenantId);
      this.#states.set(tenantId, state);
      state.catch(() => this.#states.delete(tenantId));
      // Each model build publishes the category relations it learned, in the background.
      const publishing = state
        .then((s) => this.#publishRelations(tenantId, s))
        .catch(() => {})
        .finally(() => this.#publishing.delete(publishing));
      this.#publishing.add(publishing);
    }
    return state;
  }

  /**
   * Builds the models of every tenant now, one after the other, so that a
   * server that just started does not make its first decisions wait for them.
   * Decisions arriving meanwhile wait for their tenant's build, as they would anyway.
   */
  async warm(tenantIds: readonly string[]): Promise<void> {
    this.#warming++;
    try {
      for (const tenantId of tenantIds) await this.#state(tenantId);
    } finally {
      this.#warming--;
    }
  }

  /** False while {@link warm} is building models (for readiness checks). */
  ready(): boolean {
    return this.#warming === 0;
  }

  /** Forgets the tenant's models and catalog; they are rebuilt on the next decision. */
  invalidate(tenantId: string): void {
    this.#states.delete(tenantId);
  }

  /** The tenant's catalog and its version (read first: a change made while the pages are read raises it again). */
  async #loadCatalog(tenantId: string): Promise<{ catalog: MemoryCatalog; version: number }> {
    const version = await this.#ports.catalog.catalogVersion(tenantId);
    const categories = await this.#ports.catalog.listCategories(tenantId);
    const tags = new Map<string, SensitiveClass>();
    const names = new Map<string, string>();
    for (const c of categories) {
      if (c.sensitiveClass) tags.set(c.path, c.sensitiveClass);
      names.set(c.path, c.name);
    }
    const catalog = new MemoryCatalog([], tags, names);
    let cursor: string | undefined;
    for (;;) {
      const page = await this.#ports.catalog.listItems(tenantId, { limit: 500, cursor });
      for (const it of page.items) {
        const stock = it.attributes.stock;
        catalog.upsert({
          id: it.id,
          title: it.title,
          category: it.categoryPath,
          available: it.available,
          stock: typeof stock === 'number' ? stock : null,
        });
      }
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    return { catalog, version };
  }

  async #build(tenantId: string): Promise<TenantState> {
    const { catalog, version } = await this.#loadCatalog(tenantId);
    const rec = new Recommender();
    for (const item of catalog.items()) rec.setItemAttributes({ itemId: item.id, category: item.category });
    const trained = new Map<string, Set<string>>();
    /** Each subject's events, for the answers computed with the models (below). */
    const bySubject = new Map<string, TrainingEvent[]>();
    let after: TrainingCursor | undefined;
    for (;;) {
      const batch = await this.#store.scanTrainingEvents(tenantId, after, 5000);
      for (const e of batch) {
        let events = bySubject.get(e.subjectId);
        if (!events) {
          events = [];
          bySubject.set(e.subjectId, events);
        }
        events.push(e);
        rec.add({
          subjectId: e.subjectId,
          itemId: e.itemId,
          kind: e.type,
          at: e.occurredAt,
          basketId: `${e.subjectId}@${e.occurredAt}`,
        });
        learnedBy(trained, e.subjectId).add(e.eventId);
      }
      const last = batch.at(-1);
      if (!last || batch.length < 5000) break;
      after = { subjectId: last.subjectId, eventId: last.eventId };
    }
    // Compute ahead what the models would otherwise build lazily (sorted rows,
    // attribute neighbours, category statistics, the complements of every item
    // as deep as a slate of up to WARM_LIMIT items asks), so that decisions do
    // not pay for it while the models stay unchanged.
    rec.prepare();
    const depth = candidatesPerSource(WARM_LIMIT);
    for (const item of catalog.items()) rec.complementsOf(item.id, depth);
    const now = this.#now();
    const state: TenantState = {
      catalog,
      rec,
      entries: entriesByIndex(catalog, rec.items),
      trained,
      builtAt: now,
      catalogVersion: version,
      catalogCheckedAt: now,
      refreshing: undefined,
      popular: new Map(),
      complements: new Map(),
      similar: new Map(),
      personal: new PersonalAnswers(rec),
      relationsStale: true,
    };
    // The similar items of every item too, with their catalog entries, as a
    // page's item asks for them: computed on a page's first decision, they
    // made it cost about a fifth more (ADR 0006, stop 21's tail).
    for (const item of catalog.items())
      this.#withEntries(state.similar, catalog, rec.version, item.id, depth, () => rec.similarTo(item.id, depth));
    // And each subject's personal answer, for the history their next decision will read
    // (scoring it was about a quarter of a decision, ADR 0006 stop 23). A history that
    // differs by then (a new event, a withdrawn consent) is answered as it comes.
    const since = now - HISTORY_DAYS * DAY;
    for (const [subjectId, events] of bySubject) {
      const history = historyAsRead(subjectId, events, catalog, since);
      if (history.length > 0 && !state.personal.warm(history, depth)) break;
    }
    return state;
  }

  /**
   * Every 30 s (by default), in the background, compares the version of the
   * catalog held with the store's, and reads the catalog again only when it
   * changed (decisions keep using the one held meanwhile). Reading the Sports
   * data's 18k items takes 150–400 ms of the event loop, in pieces; it used to
   * be done every 30 s whether anything had changed or not.
   */
  #maybeRefreshCatalog(tenantId: string, state: TenantState): void {
    if (state.refreshing || this.#now() - state.catalogCheckedAt < this.#catalogCheckMs) return;
    state.refreshing = this.#ports.catalog
      .catalogVersion(tenantId)
      .then(async (current) => {
        if (current !== state.catalogVersion) {
          const { catalog, version } = await this.#loadCatalog(tenantId);
          for (const item of catalog.items())
            if (!state.catalog.item(item.id)) state.rec.setItemAttributes({ itemId: item.id, category: item.category });
          state.catalog = catalog;
          state.entries = entriesByIndex(catalog, state.rec.items);
          state.catalogVersion = version;
        }
        state.catalogCheckedAt = this.#now();
      })
      .catch(() => {})
      .finally(() => {
        state.refreshing = undefined;
      });
  }

  #sources(state: TenantState): CandidateSources {
    state.sources ??= this.#makeSources(state);
    return state.sources;
  }

  /**
   * A model's list for `anchor` with the catalog entries of its items, kept
   * in `lists` until the model (`version`) or the catalog changes. A list
   * kept deeper than `k` answers with its first `k` entries (the lists
   * computed when the models are built are as deep as a slate of
   * WARM_LIMIT items asks).
   */
  #withEntries(
    lists: KeptLists,
    catalog: MemoryCatalog,
    version: number,
    anchor: string,
    k: number,
    compute: () => readonly Recommendation[],
  ): readonly Scored[] {
    const kept = lists.get(anchor);
    if (kept !== undefined && kept.k >= k && kept.version === version && kept.catalog === catalog)
      return kept.k === k ? kept.list : kept.list.slice(0, k);
    // What was kept for an older model or catalog is of no more use.
    if (kept !== undefined && (kept.version !== version || kept.catalog !== catalog)) lists.clear();
    const list = compute().map((r) => ({ itemId: r.itemId, score: r.score, item: catalog.item(r.itemId) }));
    lists.set(anchor, { k, version, catalog, list });
    return list;
  }

  #makeSources(state: TenantState): CandidateSources {
    const { rec } = state;
    const anchored = (anchor: string, list: { itemId: string; score: number }[]): Scored[] =>
      list.map((r) => ({ itemId: r.itemId, score: r.score, anchor }));
    return {
      // With one anchor, the model's answer is already about it (no copy with the anchor named in each entry).
      complements: (anchors, k) =>
        anchors.length === 1
          ? this.#withEntries(state.complements, state.catalog, rec.complements.version, anchors[0] as string, k, () =>
              rec.complementsOf(anchors[0] as string, k),
            )
          : anchors.flatMap((a) => anchored(a, rec.complementsOf(a, k))),
      similar: (id, k) =>
        this.#withEntries(state.similar, state.catalog, rec.version, id, k, () => rec.similarTo(id, k)),
      // The model weighs only the most recent items (maxHistory); older ones cost without changing the answer much.
      // Each answer with its catalog entry, found by the model's item index (an item the model
      // knows and the catalog does not has none, and the pipeline leaves it out).
      personal: (history, k) =>
        state.personal.answer(
          history.length > PERSONAL_HISTORY ? history.slice(-PERSONAL_HISTORY) : history,
          k,
          state.entries,
        ),
      popular: (category, k) => {
        const key = category ?? '';
        const now = this.#now();
        let cached = state.popular.get(key);
        const { catalog } = state;
        if (!cached || now - cached.at > POPULAR_TTL_MS || cached.catalog !== catalog) {
          const computed = rec.popular(POPULAR_DEPTH, category === undefined ? {} : { category });
          const list = computed.map((r) => ({ itemId: r.itemId, score: r.score, item: catalog.item(r.itemId) }));
          cached = { at: now, catalog, list };
          state.popular.set(key, cached);
        }
        const list = cached.list.slice(0, k);
        if (list.length > 0 || category === undefined) return list;
        // A category nobody interacted with yet: its items, in catalog order.
        const out: Scored[] = [];
        for (const item of catalog.items()) {
          if (out.length >= k) break;
          if (item.category === category || item.category.startsWith(`${category}/`))
            out.push({ itemId: item.id, score: 1 / (out.length + 1) });
        }
        return out;
      },
      search: (query, k) => {
        const words = query
          .toLowerCase()
          .split(/\s+/)
          .filter((w) => w.length > 1);
        if (words.length === 0) return [];
        const out: Scored[] = [];
        for (const item of state.catalog.items()) {
          const hay = `${item.title} ${item.category}`.toLowerCase();
          const hits = words.filter((w) => hay.includes(w)).length;
          if (hits > 0) out.push({ itemId: item.id, score: hits });
          if (out.length >= k * 4) break;
        }
        return out.sort((a, b) => b.score - a.score).slice(0, k);
      },
    };
  }

  // ------------------------------------------------------------------ the decision

  /** Runs one decision: consented view, pipeline, audit and counters (durable before it returns). */
  async decide(input: DecideInput): Promise<DecisionResponse> {
    // Removals made on other nodes reach this node's models before it serves.
    await this.#ports.beforeServe?.().catch(() => {});
    const now = this.#now();
    const [state, placement] = await Promise.all([
      this.#state(input.tenantId),
      this.#placement(input.tenantId, input.placement),
    ]);
    this.#maybeRefreshCatalog(input.tenantId, state);
    const purpose: Purpose =
      input.purpose ?? (MESSAGE_KINDS.includes(placement.kind) ? 'marketing_messages' : 'personalization');
    const subjectId = input.subjectId;

    // Consent first; the subject's data is read only as far as it allows.
    const consents = new Map<Purpose, EffectiveStatus>();
    let records: SubjectRecords = { interactions: [], declarations: {} };
    // The impressions the placement's caps and retargeting limit count (dismissals are events, read below).
    const counters = new CounterIndex(counterWindows(placement, now));
    const controlGroup = subjectId !== undefined && inControlGroup(input.tenantId, subjectId, placement.controlShare);
    if (subjectId !== undefined) {
      // Each step's reads in one snapshot of the store (DecisionPorts.readTogether).
      const together = this.#ports.readTogether ?? ((reads) => reads());
      const { purposes } = await together(() => this.#ports.consent.consentsOf(input.tenantId, subjectId));
      for (const p of purposes) consents.set(p.purpose, p.status);
      const personal =
        consents.get(purpose) === 'granted' && !controlGroup && !(placement.kind === 'advertising' && input.knownMinor);
      const [events, prefs] = await Promise.all(
        together(
          () =>
            [
              this.#ports.events.listInteractions(input.tenantId, subjectId, {
                // Without consent only objections (dismissals) are read: they can only remove items.
                types: personal ? ['view', 'cart', 'purchase', 'dismiss'] : ['dismiss'],
                since: now - (personal ? HISTORY_DAYS * DAY : placement.suppression.dismissedDays * DAY),
                limit: 1000,
              }),
              this.#ports.events.getPreferences(input.tenantId, subjectId),
              this.#store.readCounters(input.tenantId, subjectId, counters),
            ] as const,
        ),
      );
      records = {
        interactions: events.flatMap((e): Interaction[] =>
          e.itemId === null
            ? []
            : [{ itemId: e.itemId, kind: e.type as Interaction['kind'], at: e.occurredAt, purpose: e.purpose }],
        ),
        declarations: declarationsOf(prefs, personal),
      };
      // The subject's decisions not yet committed count too.
      for (const { record, counters: pending } of this.#pending)
        if (record.tenantId === input.tenantId && record.subjectId === subjectId)
          for (const c of pending) counters.add(c.scope, c.key, record.at);
      if (personal) this.#learn(state, subjectId, events);
      else if (consents.get('personalization') !== 'granted') this.#forget(state, subjectId);
    }

    const view = ConsentedView.build({
      purpose,
      placementKind: placement.kind,
      subjectId,
      consents,
      records,
      catalog: state.catalog,
      gpc: input.gpc,
      knownMinor: input.knownMinor,
      controlGroup,
    });
    const decisionId = timeOrderedId(now);
    const locale = pickLocale(input.context.locale, view.locale(), input.acceptLanguage);
    const outcome = decide({
      decisionId,
      request: {
        tenantId: input.tenantId,
        placement: placement.id,
        subjectId,
        purpose,
        context: Object.assign({}, input.context, { locale }),
        limit: input.limit,
        exclude: input.exclude,
        gpc: input.gpc,
        knownMinor: input.knownMinor,
        now,
      },
      placement,
      view,
      catalog: state.catalog,
      sources: this.#sources(state),
      counters,
    });
    await this.#record({ record: outcome.audit, counters: subjectId === undefined ? [] : outcome.increments });
    const names = this.#names(state);
    return {
      decisionId,
      placement: placement.id,
      mode: outcome.mode,
      purpose,
      controlGroup: outcome.audit.controlGroup,
      withheld: outcome.withheld,
      items: outcome.items.map((i) => ({
        itemId: i.itemId,
        title: i.item.title,
        score: i.score,
        reasons: i.reasons.map((r) => ({
          code: r.code,
          text: renderReason(r, locale, names),
          dataCategories: r.dataCategories,
        })),
      })),
      dataCategories: outcome.audit.dataCategories,
      consents: outcome.audit.consents,
      locale,
    };
  }

  /** Feeds a subject's consented events the models have not seen yet (online update). */
  #learn(
    state: TenantState,
    subjectId: string,
    events: readonly { eventId: string; type: string; itemId: string | null; occurredAt: number }[],
  ) {
    // One lookup of the subject, then one per event id (no key built per event and decision).
    let learned = state.trained.get(subjectId);
    for (const e of events) {
      if (e.itemId === null || learned?.has(e.eventId)) continue;
      if (e.type !== 'view' && e.type !== 'cart' && e.type !== 'purchase') continue;
      if (!state.catalog.item(e.itemId)) continue;
      learned ??= learnedBy(state.trained, subjectId);
      learned.add(e.eventId);
      if (e.type !== 'view') state.relationsStale = true;
      state.rec.add({
        subjectId,
        itemId: e.itemId,
        kind: e.type,
        at: e.occurredAt,
        basketId: `${subjectId}@${e.occurredAt}`,
      });
    }
  }

  /** Removes a subject's contribution from the models; the published relations are then stale. */
  #forget(state: TenantState, subjectId: string): void {
    const before = state.rec.version;
    state.rec.removeSubject(subjectId);
    // The models no longer hold the subject's events: a later consent lets them learn them again.
    state.trained.delete(subjectId);
    // Called on every decision of a subject without consent: nothing changes when the models never knew them.
    if (state.rec.version === before) return;
    state.personal.clear();
    state.relationsStale = true;
  }

  // ------------------------------------------------------------------ category relations for contextual ads

  /**
   * Publishes the tenant-level category → category complements the models
   * learned from consented baskets (an aggregate with at least `minSubjects`
   * distinct subjects behind each pair, sensitive categories left out) to the
   * contextual ads. With a tenant id: builds that tenant's models if needed
   * and publishes. Without: republishes every tenant whose models on this
   * node changed since their last publication (the periodic job of `serve`).
   *
   * @example
   * await decisions.publishCategoryRelations('shop-1');
   */
  async publishCategoryRelations(tenantId?: string): Promise<void> {
    if (tenantId !== undefined) {
      const state = await this.#state(tenantId);
      state.relationsStale = true;
      return this.#publishRelations(tenantId, state);
    }
    await Promise.all(this.#publishing);
    for (const [id, pending] of this.#states) {
      const state = await pending.catch(() => undefined);
      if (state?.relationsStale) await this.#publishRelations(id, state);
    }
  }

  async #publishRelations(tenantId: string, state: TenantState): Promise<void> {
    const port = this.#ports.categoryRelations;
    if (!port || !state.relationsStale) return;
    state.relationsStale = false;
    const relations = state.rec.categoryRelations({
      minSubjects: this.#relations.minSubjects,
      // Sensitive categories are never related, by the tenant's tags or the default taxonomy.
      exclude: (category) =>
        state.catalog.classOfCategory(category) !== null ||
        nearestSensitiveClass(category, DEFAULT_SENSITIVE_TAGS) !== null,
    });
    try {
      await port.publish(tenantId, relations);
    } catch (error) {
      state.relationsStale = true;
      throw error;
    }
  }

  #names(state: TenantState): Names {
    state.names ??= {
      itemTitle: (id: string) => state.catalog.item(id)?.title,
      categoryName: (path: string) => (state.catalog.hasCategory(path) ? state.catalog.categoryName(path) : undefined),
    };
    return state.names;
  }

  /**
   * Group commit: every decision waits until its audit record and counters are
   * committed, and the decisions made meanwhile share one transaction.
   */
  #record(decision: DecisionWrite): Promise<void> {
    this.#pending.push(decision);
    return this.flush();
  }

  /** Writes what is pending; resolves once it is committed. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => this.flush());
    if (this.#pending.length === 0) return Promise.resolve();
    const pending = this.#pending;
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        // Everything queued during the wait joins this batch.
        this.#pending = [];
        return this.#store.insertDecisions(pending);
      })
      .catch((error: unknown) => {
        throw new AppError('decision_not_recorded', 503, 'The decision could not be recorded, so it is not served.', {
          hint: 'Retry; if it persists, the database is unavailable.',
          cause: error,
        });
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    return this.#flushing;
  }

  // ------------------------------------------------------------------ explanations

  /**
   * The explanation of a past decision. `subjectId` is the subject asking
   * (publishable key with a subject token): they see only their own decisions.
   */
  async explain(
    tenantId: string,
    decisionId: string,
    asking: string | undefined,
    localeHint: string | undefined,
  ): Promise<ExplanationResponse> {
    await this.flush();
    const record = await this.#store.findDecision(tenantId, decisionId);
    if (!record || (asking !== undefined && record.subjectId !== asking)) {
      throw notFound(
        'decision_not_found',
        `No decision "${decisionId}" concerns this subject.`,
        'Use the decisionId returned by POST /v1/decisions, with the subject token of the person it was made for.',
      );
    }
    const state = await this.#state(tenantId);
    return this.#explanation(record, this.#names(state), pickLocale(localeHint, record.locale));
  }

  /**
   * The subject's recent decisions, newest first, each explained as
   * {@link explain} does; only records younger than the audit retention limit
   * (the sweep deletes the others). `cursor` is the `nextCursor` of the page before.
   */
  async recentDecisions(
    tenantId: string,
    subjectId: string,
    options: { localeHint?: string | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ decisions: ExplanationResponse[]; nextCursor: string | null }> {
    const before = options.cursor === undefined ? undefined : parseDecisionCursor(options.cursor);
    await this.flush();
    const records = await this.#store.listSubjectDecisions(tenantId, subjectId, {
      since: this.#now() - this.#auditRetentionMs,
      before,
      limit: options.limit + 1,
    });
    const page = records.slice(0, options.limit);
    const last = page.at(-1);
    const names = this.#names(await this.#state(tenantId));
    return {
      decisions: page.map((r) => this.#explanation(r, names, pickLocale(options.localeHint, r.locale))),
      nextCursor: records.length > options.limit && last ? `${last.at}.${last.decisionId}` : null,
    };
  }

  /** One audit record in words: the reasons of each item, the data used and where to change it. */
  #explanation(record: AuditRecord, names: Names, locale: Locale): ExplanationResponse {
    const personal = record.dataCategories.length > 0;
    return {
      decisionId: record.decisionId,
      at: new Date(record.at).toISOString(),
      placement: record.placement,
      mode: record.mode,
      locale,
      summary: personal
        ? record.dataCategories.map((c) => renderDataCategory(c, locale)).join(', ')
        : nonPersonalText(locale),
      items: record.items.map((i) => ({
        itemId: i.itemId,
        title: names.itemTitle?.(i.itemId) ?? i.itemId,
        reasons: i.reasons.map((r) => ({ code: r.code, text: renderReason(r, locale, names) })),
      })),
      dataUsed: [...record.dataCategories, ...record.suppressionCategories].map((c) => ({
        category: c,
        text: renderDataCategory(c, locale),
      })),
      consents: record.consents,
      controls: { text: controlsText(locale), url: this.#controlsUrl },
    };
  }

  /** Forgets every tenant's models and catalogs; they are rebuilt on next use. */
  invalidateAll(): void {
    this.#states.clear();
  }

  /**
   * Removes from the tenant's models (if built on this node) every subject
   * `matches` picks, with the keys of their events; returns how many. The
   * rights module names subjects removed on other nodes only by a keyed hash.
   */
  async forgetMatching(tenantId: string, matches: (subjectId: string) => boolean): Promise<number> {
    const state = this.#states.get(tenantId);
    if (!state) return 0;
    const { trained } = await state;
    const subjects = [...trained.keys()];
    let removed = 0;
    for (const subjectId of subjects) {
      if (!matches(subjectId)) continue;
      await this.forgetInModels(tenantId, subjectId);
      removed++;
    }
    return removed;
  }

  /**
   * Removes the subject's contribution from the tenant's in-memory models
   * (their data stays), with which of their events the models learned (the
   * keys hold the subject id): after an erasure nothing keyed by the subject
   * stays in memory, and after a withdrawal a later consent lets the models
   * learn them again.
   */
  async forgetInModels(tenantId: string, subjectId: string): Promise<void> {
    const state = this.#states.get(tenantId);
    if (!state) return;
    const s = await state;
    this.#forget(s, subjectId);
    // Even when the models did not know the subject: a kept personal answer may hold
    // their history as its key (a decision reads the events the models skipped), and
    // the relations are published again without them before an erasure returns.
    s.personal.clear();
    s.relationsStale = true;
    // The cached popular lists counted the subject too.
    s.popular.clear();
    await this.#publishRelations(tenantId, s);
  }

  /** Erases what decisions kept about a subject (audit records, counters, model contribution). */
  async eraseSubject(tenantId: string, subjectId: string): Promise<number> {
    await this.flush();
    // The published relations are recomputed without the subject before the erasure returns.
    await this.forgetInModels(tenantId, subjectId);
    return this.#store.deleteSubject(tenantId, subjectId);
  }

  async close(): Promise<void> {
    await Promise.all(this.#publishing);
    await this.flush().catch(() => {});
    await this.#store.close();
  }
}

/** A `nextCursor` back into where it points; anything else is refused. */
function parseDecisionCursor(cursor: string): DecisionCursor {
  const m = /^(\d{1,15})\.([\w-]{1,64})$/.exec(cursor);
  if (!m) {
    throw badRequest('invalid_cursor', 'The cursor is not one this server gave.', {
      hint: 'Pass nextCursor unchanged, or omit it to start again.',
    });
  }
  return { at: Number(m[1]), id: m[2] as string };
}

function declarationsOf(
  view: Awaited<ReturnType<DecisionPorts['events']['getPreferences']>>,
  personal: boolean,
): Declarations {
  const p = view.preferences;
  const purposeOf = (kind: string, fallback: Purpose): Purpose =>
    (view.declarations.find((d) => d.kind === kind)?.purpose as Purpose | undefined) ?? fallback;
  const notInterested = p.notInterested.flatMap((n) => n.itemId ?? n.category ?? []);
  const out: { -readonly [K in keyof Declarations]: Declarations[K] } = {};
  if (notInterested.length > 0) out.notInterested = { values: notInterested };
  if (p.quietHours)
    out.quietHours = { from: p.quietHours.start, to: p.quietHours.end, timeZone: p.quietHours.timeZone };
  // Channels the person accepts only ever remove messages: read like objections.
  if (p.channels.length > 0)
    out.channels = { values: p.channels, purpose: purposeOf('channels', 'marketing_messages') };
  if (!personal) return out;
  const interests = [...p.interests.categories, ...p.interests.topics];
  if (interests.length > 0) out.interests = { values: interests, purpose: purposeOf('interests', 'personalization') };
  if (p.locale) out.locale = p.locale;
  return out;
}

/** The placement kinds, for validation. */
export const PLACEMENT_KINDS: readonly PlacementKind[] = ['onsite', 'email', 'sms', 'push', 'advertising'];
