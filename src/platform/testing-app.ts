import { buildApp } from '../app.ts';
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
