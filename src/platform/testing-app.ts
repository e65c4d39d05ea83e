import { after, before } from 'node:test';
import { buildApp } from '../app.ts';
import { seedDemoShop } from '../modules/decisions/demo-shop.ts';
import { loadConfig } from './config.ts';
import type { Services } from './container.ts';
import { createServices } from './container.ts';
import type { Db } from './db/database.ts';
import type { App } from './http.ts';
import { signSubjectToken } from './subject-token.ts';

/** A tenant made for a test, with one key of each scope and a way to sign subject tokens. */
export interface TestTenant {
  readonly id: string;
  readonly admin: string;
  readonly server: string;
  readonly publishable: string;
  readonly secret: string;
  token(subject: string, ttlSeconds?: number): string;
}

/** The application on a test database, as tests drive it through `app.inject()`. */
export async function testApp(
  db: Db,
  options: { now?: () => number; config?: Record<string, string> } = {},
): Promise<{ app: App; services: Services }> {
  const config = loadConfig({ PERTINENT_LOG_LEVEL: 'silent', PERTINENT_KEY_CACHE_SECONDS: '0', ...options.config });
  const services = await createServices(config, options.now ? { db, now: options.now } : { db });
  const app = await buildApp(services, { logger: false });
  return { app, services };
}

let counter = 0;
export async function createTestTenant(services: Services, id = `t${process.pid}-${++counter}`): Promise<TestTenant> {
  const { subjectTokenSecret } = await services.tenants.createTenant(id, id);
  const admin = (await services.tenants.createKey(id, 'admin', 'test')).secret;
  const server = (await services.tenants.createKey(id, 'server', 'test')).secret;
  const publishable = (await services.tenants.createKey(id, 'publishable', 'test')).secret;
  return {
    id,
    admin,
    server,
    publishable,
    secret: subjectTokenSecret,
    token: (subject, ttlSeconds = 600) =>
      signSubjectToken({ sub: subject, tid: id }, subjectTokenSecret, { ttlSeconds, now: services.now() }),
  };
}

/** The Authorization header for a key. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The headers of a browser acting for `subject`: the tenant's publishable key and a subject token. */
export const asSubject = (tenant: TestTenant, subject: string) => ({
  ...bearer(tenant.publishable),
  'x-subject-token': tenant.token(subject),
});

/**
 * For a store suite: before its tests, the application on the suite's database
 * and a test tenant, seeded by `seed`; closed after them. The fields are set
 * once the suite's `before` has run.
 */
export function shopSuite(
  getDb: () => Db,
  options: {
    now?: () => number;
    config?: Record<string, string>;
    seed?: (services: Services, tenantId: string) => Promise<void>;
  } = {},
): { app: App; services: Services; shop: TestTenant } {
  const { seed, ...appOptions } = options;
  const suite = {} as { app: App; services: Services; shop: TestTenant };
  before(async () => {
    Object.assign(suite, await testApp(getDb(), appOptions));
    suite.shop = await createTestTenant(suite.services);
    await seed?.(suite.services, suite.shop.id);
  });
  after(async () => {
    await suite.app.close();
    await suite.services.decisions.close();
  });
  return suite;
}

/** {@link shopSuite} with the demo shop. */
export function demoShopSuite(
  getDb: () => Db,
  options: { now?: () => number; config?: Record<string, string> } = {},
): { app: App; services: Services; shop: TestTenant } {
  return shopSuite(getDb, { ...options, seed: (services, tenantId) => seedDemoShop(services, tenantId) });
}
