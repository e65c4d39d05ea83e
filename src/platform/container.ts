import { AdsService } from '../modules/ads/ads.service.ts';
import { PostgresAdStore } from '../modules/ads/ads.store.postgres.ts';
import { SqliteAdStore } from '../modules/ads/ads.store.sqlite.ts';
import type { AdStore } from '../modules/ads/ads.store.ts';
import { CatalogService } from '../modules/catalog/catalog.service.ts';
import { PostgresCatalogStore } from '../modules/catalog/catalog.store.postgres.ts';
import { SqliteCatalogStore } from '../modules/catalog/catalog.store.sqlite.ts';
import type { CatalogStore } from '../modules/catalog/catalog.store.ts';
import { ConsentService } from '../modules/consent/consent.service.ts';
import { PostgresConsentStore } from '../modules/consent/consent.store.postgres.ts';
import { SqliteConsentStore } from '../modules/consent/consent.store.sqlite.ts';
import type { ConsentStore } from '../modules/consent/consent.store.ts';
import { DecisionService } from '../modules/decisions/decisions.service.ts';
import { PostgresDecisionStore } from '../modules/decisions/decisions.store.postgres.ts';
import { SqliteDecisionStore } from '../modules/decisions/decisions.store.sqlite.ts';
import type { DecisionStore } from '../modules/decisions/decisions.store.ts';
import { EventService } from '../modules/events/events.service.ts';
import { PostgresEventStore } from '../modules/events/events.store.postgres.ts';
import { SqliteEventStore } from '../modules/events/events.store.sqlite.ts';
import type { EventStore } from '../modules/events/events.store.ts';
import { RightsService } from '../modules/rights/rights.service.ts';
import { PostgresRightsStore } from '../modules/rights/rights.store.postgres.ts';
import { SqliteRightsStore } from '../modules/rights/rights.store.sqlite.ts';
import type { RightsStore } from '../modules/rights/rights.store.ts';
import { TenantService } from '../modules/tenants/tenants.service.ts';
import { PostgresTenantStore } from '../modules/tenants/tenants.store.postgres.ts';
import { SqliteTenantStore } from '../modules/tenants/tenants.store.sqlite.ts';
import type { TenantStore } from '../modules/tenants/tenants.store.ts';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { openDatabase, readTogether } from './db/database.ts';
import { FieldCipher } from './field-cipher.ts';

/**
 * The composition root: the one place that picks store implementations for the
 * configured database and wires services together.
 */
export interface Services {
  readonly config: Config;
  readonly db: Db;
  readonly now: () => number;
  readonly tenants: TenantService;
  readonly catalog: CatalogService;
  readonly events: EventService;
  readonly consent: ConsentService;
  readonly decisions: DecisionService;
  readonly rights: RightsService;
  readonly ads: AdsService;
  close(): Promise<void>;
}

/** Picks the implementation of a store for the database at hand. */
export function byStore<T>(
  db: Db,
  impls: { sqlite: (db: Extract<Db, { kind: 'sqlite' }>) => T; postgres: (db: Extract<Db, { kind: 'postgres' }>) => T },
): T {
  return db.kind === 'sqlite' ? impls.sqlite(db) : impls.postgres(db);
}

export async function createServices(config: Config, options: { db?: Db; now?: () => number } = {}): Promise<Services> {
  const db = options.db ?? (await openDatabase(config));
  const now = options.now ?? Date.now;
  const tenants = new TenantService(
    byStore<TenantStore>(db, { sqlite: (d) => new SqliteTenantStore(d), postgres: (d) => new PostgresTenantStore(d) }),
    { now, keyCacheSeconds: config.keyCacheSeconds },
  );
  const catalog = new CatalogService(
    byStore<CatalogStore>(db, {
      sqlite: (d) => new SqliteCatalogStore(d),
      postgres: (d) => new PostgresCatalogStore(d),
    }),
    { now },
  );
  const consent = new ConsentService(
    byStore<ConsentStore>(db, {
      sqlite: (d) => new SqliteConsentStore(d),
      postgres: (d) => new PostgresConsentStore(d),
    }),
    // Withdrawing a purpose deletes what was collected only for it.
    {
      now,
      onWithdrawn: (tenantId, subjectId, purposes) => rights.onWithdrawn(tenantId, subjectId, purposes),
      // A TC string from before an erasure is a replay, refused like events from before it.
      erasedAt: (tenantId, subjectId) => rights.erasedAt(tenantId, subjectId),
    },
  );
  const cipher = new FieldCipher(config.encryptionKey, config.previousEncryptionKeys);
  const events = new EventService(
    byStore<EventStore>(db, { sqlite: (d) => new SqliteEventStore(d), postgres: (d) => new PostgresEventStore(d) }),
    {
      now,
      maxBatch: config.maxBatch,
      // Events past retention, or of an erased subject from before the erasure, are not stored.
      admit: (tenantId, records) => rights.admitEvents(tenantId, records),
      cipher,
      onGpc: async (tenantId, subjectId) => {
        await consent.applyGpcSignal(tenantId, subjectId);
      },
    },
  );
  const decisions = new DecisionService(
    byStore<DecisionStore>(db, {
      sqlite: (d) => new SqliteDecisionStore(d),
      postgres: (d) => new PostgresDecisionStore(d),
    }),
    // Decisions read consents through the rights module: an objection or a restriction makes them non-personal.
    {
      catalog,
      consent: { consentsOf: (tenantId, subjectId) => rights.consentsForDecisions(tenantId, subjectId) },
      events,
      // The models publish only an aggregate (category pairs with enough distinct subjects) to the ads (ADR 0012).
      categoryRelations: { publish: (tenantId, relations) => ads.publishLearnedRelations(tenantId, relations) },
      beforeServe: () => rights.syncModelsIfDue(),
      ...(db.kind === 'sqlite' ? { readTogether: <T>(reads: () => T) => readTogether(db.sqlite, reads) } : {}),
    },
    { now, categoryRelations: { minSubjects: config.adRelations.minSubjects }, auditDays: config.retention.auditDays },
  );
  // Contextual ads get no subject, event, consent or decision store: they cannot read personal data.
  const ads: AdsService = new AdsService(
    byStore<AdStore>(db, { sqlite: (d) => new SqliteAdStore(d), postgres: (d) => new PostgresAdStore(d) }),
    {
      keys: tenants,
      signingSecret: (tenantId) => tenants.subjectTokenSecret(tenantId),
      classOfCategory: (tenantId, path) => catalog.sensitiveClassOfCategory(tenantId, path),
      // A web page's item id → its category (catalog data, not personal; cached per tenant by the ads).
      categoryOfItem: async (tenantId, itemId) => (await catalog.findItem(tenantId, itemId))?.categoryPath,
    },
    { now, cacheSeconds: config.keyCacheSeconds },
  );
  const rights: RightsService = new RightsService(
    byStore<RightsStore>(db, { sqlite: (d) => new SqliteRightsStore(d), postgres: (d) => new PostgresRightsStore(d) }),
    { events, consent, decisions },
    { now, retention: config.retention, cipher, modelSyncSeconds: config.modelSyncSeconds },
  );
  return {
    config,
    db,
    now,
    tenants,
    catalog,
    events,
    consent,
    decisions,
    rights,
    ads,
    close: async () => {
      // Decisions first: a model build may still be publishing category relations to the ads.
      await decisions.close();
      await ads.close();
      await events.close();
      await db.close();
    },
  };
}
