import { Type } from 'typebox';
import type { App } from '../../platform/http.ts';
import { problemResponses } from '../../platform/http.ts';
import type { TenantService } from './tenants.service.ts';

const Scope = Type.Union([Type.Literal('publishable'), Type.Literal('server'), Type.Literal('admin')]);
const KeyInfo = Type.Object({
  id: Type.String(),
  scope: Scope,
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** API keys of the caller's tenant (admin keys only). */
export function tenantRoutes(app: App, tenants: TenantService): void {
  app.get(
    '/v1/keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['keys'],
        summary: "List the tenant's API keys (never their secrets)",
        response: { 200: Type.Object({ keys: Type.Array(KeyInfo) }), ...problemResponses },
      },
    },
    async (request) => ({ keys: await tenants.listKeys(request.auth.tenantId) }),
  );

  app.post(
    '/v1/keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key; its secret is in this response only',
        body: Type.Object(
          { scope: Scope, label: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: KeyInfo, secret: Type.String() }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await tenants.createKey(request.auth.tenantId, request.body.scope, request.body.label ?? '');
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/v1/keys/:keyId',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key (takes effect on every node within the key cache time)',
        params: Type.Object({ keyId: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      await tenants.revokeKey(request.auth.tenantId, request.params.keyId);
      return reply.status(204).send(null);
    },
  );

  const Origins = Type.Object({
    origins: Type.Array(Type.String({ maxLength: 300 }), {
      maxItems: 100,
      description: 'Origins as browsers send them, e.g. "https://shop.example"; the server’s own is always allowed.',
    }),
  });

  app.get(
    '/v1/allowed-origins',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'The origins whose pages may call the API with a publishable key',
        response: { 200: Origins, ...problemResponses },
      },
    },
    async (request) => ({ origins: await tenants.allowedOrigins(request.auth.tenantId) }),
  );

  app.put(
    '/v1/allowed-origins',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['keys'],
        summary: 'Replace the origins whose pages may call the API with a publishable key',
        description:
          'A browser request with a publishable key from any other origin is refused (403 origin_not_allowed). Server and admin keys are not affected. Takes effect on every node within PERTINENT_KEY_CACHE_SECONDS.',
        body: Type.Object({ origins: Origins.properties.origins }, { additionalProperties: false }),
        response: { 200: Origins, ...problemResponses },
      },
    },
    async (request) => ({
      origins: await tenants.setAllowedOrigins(request.auth.tenantId, request.body.origins),
    }),
  );
}
