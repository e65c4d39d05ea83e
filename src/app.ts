import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController } from 'fastify';
import { adsRoutes } from './modules/ads/ads.routes.ts';
import { catalogRoutes } from './modules/catalog/catalog.routes.ts';
import { consentRoutes } from './modules/consent/consent.routes.ts';
import { decisionRoutes } from './modules/decisions/decisions.routes.ts';
import { eventRoutes } from './modules/events/events.routes.ts';
import { rightsRoutes } from './modules/rights/rights.routes.ts';
import { tenantRoutes } from './modules/tenants/tenants.routes.ts';
import { browserAccess, webRoutes } from './modules/web/web.routes.ts';
import type { Services } from './platform/container.ts';
import { AppError } from './platform/errors.ts';
import type { App } from './platform/http.ts';
import { installAuth, installErrorHandling, installValidation, Problem } from './platform/http.ts';

export interface BuildAppOptions {
  /** Log requests (method, route, status, time; never addresses, headers or bodies). */
  readonly logger?: boolean;
}

/**
 * Builds the HTTP application on the given services. It does not listen:
 * `server.ts` does, and tests call `app.inject()`.
 */
export async function buildApp(services: Services, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    bodyLimit: services.config.bodyLimit,
    trustProxy: false,
    logger:
      options.logger === false || services.config.logLevel === 'silent'
        ? false
        : {
            level: services.config.logLevel,
            // Nothing personal in logs: no IP address, no headers, no query string.
            serializers: {
              req: (req) => ({ method: req.method, url: String(req.url).split('?')[0] ?? '' }),
              res: (res) => ({ statusCode: res.statusCode }),
            },
          },
    // Per-request lines cost throughput and say little; errors and lifecycle are logged.
    logController: new LogController({ disableRequestLogging: options.logger !== true }),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  installValidation(app);
  installErrorHandling(app);
  app.addSchema(Problem);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Pertinent API',
        version: '0.1.0',
        description:
          'Personalization that uses only consented, first-party data. Errors are application/problem+json with a stable `code` (docs/reference/errors.md).',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A publishable, server or admin key of the tenant.' },
          subjectToken: { type: 'apiKey', in: 'header', name: 'X-Subject-Token' },
        },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  installAuth(app, services.tenants);
  browserAccess(app, services.tenants);

  app.get('/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/healthz',
    { config: { auth: 'none' }, schema: { tags: ['meta'], summary: 'Liveness and store reachability' } },
    async () => ({ status: 'ok', store: services.db.kind }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['meta'],
        summary: 'Readiness: 200 once this node has built the models it warms at start, 503 before',
      },
    },
    async () => {
      if (services.decisions.ready()) return { status: 'ready' };
      throw new AppError('not_ready', 503, 'This node is still building its models.', {
        hint: 'Retry in a few seconds; a load balancer should send traffic to nodes that answer 200.',
      });
    },
  );

  tenantRoutes(app, services.tenants);
  catalogRoutes(app, services.catalog);
  eventRoutes(app, services.events);
  consentRoutes(app, services.consent);
  decisionRoutes(app, services.decisions);
  rightsRoutes(app, services.rights);
  adsRoutes(app, services.ads);
  webRoutes(app);

  await app.ready();
  return app;
}
