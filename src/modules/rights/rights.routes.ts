import { Type } from 'typebox';
import type { App } from '../../platform/http.ts';
import { problemResponses, SubjectParams, subjectParam } from '../../platform/http.ts';
import type { RightsService } from './rights.service.ts';
import { requestView } from './rights.service.ts';
import { RIGHTS_KINDS } from './rights.store.ts';

const Counts = Type.Record(Type.String(), Type.Integer());

const RightsRequest = Type.Object({
  requestId: Type.String(),
  kind: Type.Union(RIGHTS_KINDS.map((k) => Type.Literal(k))),
  receivedAt: Type.String({ format: 'date-time' }),
  actorScope: Type.String(),
  outcome: Type.String(),
  subjectId: Type.Union([Type.String(), Type.Null()]),
  counts: Type.Union([Counts, Type.Null()]),
});

const Export = Type.Object(
  {
    format: Type.Literal('pertinent.subject-export/1'),
    requestId: Type.String(),
    tenantId: Type.String(),
    subjectId: Type.String(),
    exportedAt: Type.String({ format: 'date-time' }),
    declared: Type.Unknown({ description: 'preferences (contact data decrypted) and the declarations behind them' }),
    events: Type.Array(Type.Unknown(), { description: 'every stored event, oldest first' }),
    consents: Type.Unknown({
      description: 'ledger pseudonym and subject reference, current state per purpose, full ledger history',
    }),
    restrictions: Type.Unknown(),
    derived: Type.Unknown({ description: 'data derived from the subject: frequency counters' }),
    decisions: Type.Array(Type.Unknown(), { description: 'audit records of the decisions made for the subject' }),
    rightsRequests: Type.Array(RightsRequest),
  },
  { description: 'Everything held about the subject (docs/reference/rights.md).' },
);

const ErasureBody = Type.Object(
  { confirm: Type.Literal(true, { description: 'Must be true: erasure cannot be undone.' }) },
  { additionalProperties: false },
);
const ErasureReceipt = Type.Object({
  requestId: Type.String(),
  erasedAt: Type.String({ format: 'date-time' }),
  erased: Counts,
});

const RestrictionsBody = Type.Object(
  {
    objectToProfiling: Type.Optional(
      Type.Boolean({ description: 'Art. 21: true makes every decision for the subject non-personal.' }),
    ),
    restrictProcessing: Type.Optional(
      Type.Boolean({ description: 'Art. 18: true keeps the data but stops using it.' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
const RestrictionsView = Type.Object({
  subjectId: Type.String(),
  objectToProfiling: Type.Boolean(),
  restrictProcessing: Type.Boolean(),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** The preferences route of the events module, whose successful PUTs are rectifications. */
const PREFERENCES_ROUTE = '/v1/subjects/:subjectId/preferences';

/** Data-subject rights (docs/reference/rights.md). */
export function rightsRoutes(app: App, rights: RightsService): void {
  app.get(
    '/v1/subjects/:subjectId/export',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['rights'],
        summary: 'Access and portability: everything held about the subject, as one JSON document',
        params: SubjectParams,
        response: { 200: Export, ...problemResponses },
      },
    },
    async (request, reply) => {
      const subjectId = subjectParam(request, request.params.subjectId);
      const doc = await rights.exportSubject(request.auth.tenantId, subjectId, request.auth.scope);
      reply.header('content-disposition', `attachment; filename="pertinent-export-${doc.requestId}.json"`);
      return doc;
    },
  );

  app.post(
    '/v1/subjects/:subjectId/erasure',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['rights'],
        summary: 'Erasure: everything about the subject goes, everywhere; only a non-identifying receipt remains',
        params: SubjectParams,
        body: ErasureBody,
        response: { 200: ErasureReceipt, ...problemResponses },
      },
    },
    async (request) =>
      rights.eraseSubject(request.auth.tenantId, subjectParam(request, request.params.subjectId), request.auth.scope),
  );

  app.get(
    '/v1/subjects/:subjectId/restrictions',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['rights'],
        summary: 'Whether the subject objected to profiling or restricted processing',
        params: SubjectParams,
        response: { 200: RestrictionsView, ...problemResponses },
      },
    },
    async (request) => rights.getRestrictions(request.auth.tenantId, subjectParam(request, request.params.subjectId)),
  );

  app.put(
    '/v1/subjects/:subjectId/restrictions',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['rights'],
        summary: 'Object to profiling (decisions become contextual) or restrict processing; false lifts them',
        params: SubjectParams,
        body: RestrictionsBody,
        response: { 200: RestrictionsView, ...problemResponses },
      },
    },
    async (request) =>
      rights.putRestrictions(
        request.auth.tenantId,
        subjectParam(request, request.params.subjectId),
        request.body,
        request.auth.scope,
      ),
  );

  app.get(
    '/v1/rights-requests',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['rights'],
        summary: "The data protection officer's log of data-subject requests, newest first",
        querystring: Type.Object(
          {
            since: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ requests: Type.Array(RightsRequest) }), ...problemResponses },
      },
    },
    async (request) => {
      const { since, limit } = request.query;
      const list = await rights.listRequests(request.auth.tenantId, {
        since: since === undefined ? undefined : Date.parse(since),
        limit,
      });
      return { requests: list.map(requestView) };
    },
  );

  // Rectification is the events module's preferences route; each successful PUT is logged here.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'PUT' || request.routeOptions.url !== PREFERENCES_ROUTE) return;
    if (reply.statusCode < 200 || reply.statusCode >= 300 || !request.auth) return;
    const id = (request.params as { subjectId?: string }).subjectId;
    const subjectId = id === 'me' || id === undefined ? request.auth.subjectId : id;
    if (subjectId === undefined) return;
    await rights.logRectification(request.auth.tenantId, subjectId, request.auth.scope).catch((error: unknown) => {
      request.log.error({ err: error }, 'rectification not logged');
    });
  });
}
