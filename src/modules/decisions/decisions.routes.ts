import type { Static } from 'typebox';
import { Type } from 'typebox';
import { gpcSignalOn } from '../../core/consent/gpc.ts';
import { defaultPlacement } from '../../core/decision/placement.ts';
import type { PlacementConfig } from '../../core/decision/types.ts';
import { BASE_PURPOSES } from '../../core/purposes.ts';
import { badRequest } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import { problemResponses, SubjectParams, subjectOf, subjectParam } from '../../platform/http.ts';
import { SUBJECT_ID_PATTERN } from '../../platform/subject-token.ts';
import type { DecisionService } from './decisions.service.ts';
import { PLACEMENT_KINDS } from './decisions.service.ts';

const literalUnion = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.String({ minLength: 1, maxLength: 256 });
const PlacementId = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$' });

const DecisionBody = Type.Object(
  {
    placement: PlacementId,
    subjectId: Type.Optional(Type.String({ pattern: SUBJECT_ID_PATTERN })),
    purpose: Type.Optional(literalUnion(BASE_PURPOSES)),
    context: Type.Optional(
      Type.Object(
        {
          itemId: Type.Optional(Id),
          category: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          venue: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35 })),
          trigger: Type.Optional(literalUnion(['schedule', 'event', 'location'] as const)),
        },
        { additionalProperties: false },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    exclude: Type.Optional(Type.Array(Id, { maxItems: 500 })),
    knownMinor: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ReasonOut = Type.Object({ code: Type.String(), text: Type.String(), dataCategories: Type.Array(Type.String()) });
const DecisionOut = Type.Object({
  decisionId: Type.String(),
  placement: Type.String(),
  mode: literalUnion(['personalized', 'contextual', 'popular'] as const),
  purpose: Type.String(),
  controlGroup: Type.Boolean(),
  withheld: Type.Union([Type.String(), Type.Null()]),
  items: Type.Array(
    Type.Object({ itemId: Type.String(), title: Type.String(), score: Type.Number(), reasons: Type.Array(ReasonOut) }),
  ),
  dataCategories: Type.Array(Type.String()),
  consents: Type.Array(Type.String()),
  locale: Type.String(),
  explanationUrl: Type.String(),
});

const Explanation = Type.Object({
  decisionId: Type.String(),
  at: Type.String(),
  placement: Type.String(),
  mode: Type.String(),
  locale: Type.String(),
  summary: Type.String(),
  items: Type.Array(
    Type.Object({
      itemId: Type.String(),
      title: Type.String(),
      reasons: Type.Array(Type.Object({ code: Type.String(), text: Type.String() })),
    }),
  ),
  dataUsed: Type.Array(Type.Object({ category: Type.String(), text: Type.String() })),
  consents: Type.Array(Type.String()),
  controls: Type.Object({ text: Type.String(), url: Type.String() }),
});

const Ratio = Type.Number({ minimum: 0, maximum: 1 });
const PlacementBody = Type.Object(
  {
    kind: literalUnion(PLACEMENT_KINDS),
    campaign: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    caps: Type.Optional(
      Type.Array(
        Type.Object(
          {
            scope: literalUnion(['placement', 'campaign', 'item', 'channel'] as const),
            limit: Type.Integer({ minimum: 0, maximum: 100000 }),
            windowHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 366 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    rules: Type.Optional(
      Type.Object(
        {
          includeCategories: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 200 })),
          excludeCategories: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 200 })),
          excludeItems: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
          boosts: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  category: Type.Optional(Type.String({ minLength: 1 })),
                  itemId: Type.Optional(Id),
                  factor: Type.Number({ minimum: 0, maximum: 100 }),
                },
                { additionalProperties: false },
              ),
              { maxItems: 200 },
            ),
          ),
          pinned: Type.Optional(
            Type.Array(
              Type.Object(
                { itemId: Id, position: Type.Integer({ minimum: 0, maximum: 49 }) },
                { additionalProperties: false },
              ),
              { maxItems: 50 },
            ),
          ),
          minStock: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    maxPerCategory: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    exploration: Type.Optional(Ratio),
    controlShare: Type.Optional(Ratio),
    retargeting: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          halfLifeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 365 })),
          maxAgeDays: Type.Optional(Type.Number({ minimum: 0, maximum: 365 })),
          maxImpressions: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
    suppression: Type.Optional(
      Type.Object(
        {
          purchasedDays: Type.Optional(Type.Number({ minimum: 0, maximum: 3650 })),
          substitutes: Type.Optional(Type.Boolean()),
          dismissedDays: Type.Optional(Type.Number({ minimum: 0, maximum: 3650 })),
        },
        { additionalProperties: false },
      ),
    ),
    honourQuietHours: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
/** A placement as returned: the input fields with every default filled in. */
const PlacementOut = Type.Unknown();
type PlacementInput = Static<typeof PlacementBody>;

/** A placement from its wire form: every field absent takes the privacy-protective default. */
export function placementFromInput(id: string, input: PlacementInput): PlacementConfig {
  const base = defaultPlacement(id, input.kind);
  if (input.controlShare !== undefined && input.controlShare > 0.5) {
    throw badRequest('invalid_placement', 'controlShare must be at most 0.5.', {
      hint: 'A control group is a minority of subjects kept on the non-personalized version, e.g. 0.05.',
    });
  }
  const boosts = (input.rules?.boosts ?? []).map((b) => ({
    factor: b.factor,
    ...(b.category === undefined ? {} : { category: b.category }),
    ...(b.itemId === undefined ? {} : { itemId: b.itemId }),
  }));
  return Object.assign({}, base, input.campaign === undefined ? {} : { campaign: input.campaign }, {
    caps: input.caps
      ? input.caps.map((c) => ({ scope: c.scope, limit: c.limit, windowMs: c.windowHours * 3600 * 1000 }))
      : base.caps,
    rules: {
      includeCategories: input.rules?.includeCategories ?? base.rules.includeCategories,
      excludeCategories: input.rules?.excludeCategories ?? base.rules.excludeCategories,
      excludeItems: input.rules?.excludeItems ?? base.rules.excludeItems,
      boosts,
      pinned: input.rules?.pinned ?? base.rules.pinned,
      minStock: input.rules?.minStock ?? base.rules.minStock,
    },
    maxPerCategory: input.maxPerCategory ?? base.maxPerCategory,
    exploration: input.exploration ?? base.exploration,
    controlShare: input.controlShare ?? base.controlShare,
    retargeting: Object.assign({}, base.retargeting, input.retargeting),
    suppression: Object.assign({}, base.suppression, input.suppression),
    honourQuietHours: input.honourQuietHours ?? base.honourQuietHours,
  });
}

/** The placement as the API shows it (windows in hours). */
function placementOut(p: PlacementConfig) {
  return Object.assign({}, p, {
    caps: p.caps.map((c) => ({ scope: c.scope, limit: c.limit, windowHours: c.windowMs / 3600000 })),
  });
}

/** POST /v1/decisions, the explanation of a past decision, and placement configuration. */
export function decisionRoutes(app: App, decisions: DecisionService): void {
  app.post(
    '/v1/decisions',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['decisions'],
        summary: 'Decide which items to show in a placement, with the reason for each',
        description:
          'A publishable key acts for the subject of its X-Subject-Token; a server key names `subjectId` (or none, for an anonymous visitor). The subject’s data is used only as far as their consents allow; `Sec-GPC: 1` turns retargeting off.',
        body: DecisionBody,
        response: { 200: DecisionOut, ...problemResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const subjectId =
        request.auth.subjectId === undefined && body.subjectId === undefined
          ? undefined
          : subjectOf(request, body.subjectId);
      const ctx = body.context ?? {};
      const result = await decisions.decide({
        tenantId: request.auth.tenantId,
        placement: body.placement,
        subjectId,
        ...(body.purpose === undefined ? {} : { purpose: body.purpose }),
        context: Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined)),
        limit: body.limit ?? 5,
        exclude: body.exclude ?? [],
        gpc: gpcSignalOn(request.headers['sec-gpc']),
        knownMinor: body.knownMinor ?? false,
        acceptLanguage: request.headers['accept-language'],
      });
      return Object.assign({}, result, { explanationUrl: `/v1/decisions/${result.decisionId}/explanation` });
    },
  );

  app.get(
    '/v1/decisions/:decisionId/explanation',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['decisions'],
        summary: 'Why this was shown: the reasons, the data used and where to change it',
        description:
          'With a publishable key and subject token, only the decisions made for that subject are found; a server key sees every decision of the tenant.',
        params: Type.Object({ decisionId: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ locale: Type.Optional(Type.String({ maxLength: 35 })) }),
        response: { 200: Explanation, 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) =>
      decisions.explain(
        request.auth.tenantId,
        request.params.decisionId,
        request.auth.subjectId,
        request.query.locale ?? request.headers['accept-language'],
      ),
  );

  app.get(
    '/v1/subjects/:subjectId/decisions',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['decisions'],
        summary: "The subject's recent decisions, newest first, each with why its items were shown",
        description:
          'For the privacy center: each decision explained as by GET /v1/decisions/{decisionId}/explanation, in the `locale` asked for (else the one the decision was made in). Only decisions younger than the audit retention limit are kept and listed. `me` names the subject of the X-Subject-Token.',
        params: SubjectParams,
        querystring: Type.Object(
          {
            locale: Type.Optional(Type.String({ maxLength: 35 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
            cursor: Type.Optional(Type.String({ maxLength: 100, description: 'The nextCursor of the page before.' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            decisions: Type.Array(Explanation),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      decisions.recentDecisions(request.auth.tenantId, subjectParam(request, request.params.subjectId), {
        localeHint: request.query.locale ?? request.headers['accept-language'],
        limit: request.query.limit ?? 10,
        cursor: request.query.cursor,
      }),
  );

  app.get(
    '/v1/placements',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['decisions'],
        summary: 'List configured placements',
        response: { 200: Type.Object({ placements: Type.Array(PlacementOut) }), ...problemResponses },
      },
    },
    async (request) => ({ placements: (await decisions.listPlacements(request.auth.tenantId)).map(placementOut) }),
  );

  app.get(
    '/v1/placements/:placementId',
    {
      config: { auth: 'server' },
      schema: {
        tags: ['decisions'],
        summary: 'A placement’s configuration',
        params: Type.Object({ placementId: PlacementId }),
        response: { 200: PlacementOut, 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => placementOut(await decisions.getPlacement(request.auth.tenantId, request.params.placementId)),
  );

  app.put(
    '/v1/placements/:placementId',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['decisions'],
        summary: 'Create or replace a placement: kind, caps, rules, diversity, exploration, control group',
        params: Type.Object({ placementId: PlacementId }),
        body: PlacementBody,
        response: { 200: PlacementOut, 201: PlacementOut, ...problemResponses },
      },
    },
    async (request, reply) => {
      const config = placementFromInput(request.params.placementId, request.body);
      const { created } = await decisions.putPlacement(request.auth.tenantId, config);
      return reply.status(created ? 201 : 200).send(placementOut(config));
    },
  );

  app.delete(
    '/v1/placements/:placementId',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['decisions'],
        summary: 'Delete a placement (it falls back to the defaults)',
        params: Type.Object({ placementId: PlacementId }),
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      await decisions.deletePlacement(request.auth.tenantId, request.params.placementId);
      return reply.status(204).send(null);
    },
  );
}
