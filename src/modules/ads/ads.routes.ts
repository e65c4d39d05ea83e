import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Campaign } from '../../core/ads/types.ts';
import { WAITING_MOMENTS } from '../../core/ads/types.ts';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import { problemResponses } from '../../platform/http.ts';
import type { AdsService, CampaignInput, VenueInput } from './ads.service.ts';
import type { StoredPlacement } from './ads.store.ts';
import { screenPage } from './screen-page.ts';

const literalUnion = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Id = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Category = Type.String({ minLength: 1, maxLength: 500 });
const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const Url = Type.String({ maxLength: 2000, pattern: '^(https?://|/)' });
const Moment = literalUnion(WAITING_MOMENTS);
const PlacementKind = literalUnion(['web', 'screen'] as const);
const Weekday = Type.Integer({ minimum: 0, maximum: 6 });
const strict = { additionalProperties: false } as const;

const House = Type.Object(
  { headline: Text(200), body: Type.Optional(Text(1000)), imageUrl: Type.Optional(Url) },
  strict,
);
const Interval = Type.Tuple([HHMM, HHMM]);
const Hours = Type.Object(
  Object.fromEntries(
    ['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, Type.Optional(Type.Array(Interval, { maxItems: 6 }))]),
  ),
  strict,
);

const VenueBody = Type.Object(
  {
    name: Text(200),
    kind: Type.String({ pattern: '^[a-z][a-z0-9_]{1,63}$' }),
    categories: Type.Optional(Type.Array(Category, { maxItems: 100 })),
    clientele: Type.Optional(Type.Array(Text(64), { maxItems: 20 })),
    region: Type.String({ minLength: 2, maxLength: 6 }),
    timeZone: Text(64),
    openingHours: Type.Optional(Hours),
    waitingMoments: Type.Optional(Type.Array(Moment, { maxItems: 5 })),
    locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35 })),
    houseContent: Type.Optional(Type.Array(House, { maxItems: 20 })),
  },
  strict,
);
const VenueOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  categories: Type.Array(Type.String()),
  clientele: Type.Array(Type.String()),
  region: Type.String(),
  timeZone: Type.String(),
  openingHours: Type.Record(Type.String(), Type.Array(Type.Array(Type.String()))),
  waitingMoments: Type.Array(Type.String()),
  locale: Type.String(),
  houseContent: Type.Array(
    Type.Object({
      headline: Type.String(),
      body: Type.Optional(Type.String()),
      imageUrl: Type.Optional(Type.String()),
    }),
  ),
  updatedAt: Type.Integer(),
});

const CreativeBody = Type.Object(
  {
    id: Id,
    headline: Text(200),
    body: Type.Optional(Text(1000)),
    imageUrl: Type.Optional(Url),
    clickUrl: Type.Optional(Url),
    background: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{3,8}$' })),
    durationSeconds: Type.Integer({ minimum: 1, maximum: 300 }),
  },
  strict,
);
const Daypart = Type.Object({ days: Type.Array(Weekday, { minItems: 1, maxItems: 7 }), from: HHMM, to: HHMM }, strict);
const CampaignBody = Type.Object(
  {
    name: Text(200),
    advertiser: Text(200),
    status: Type.Optional(literalUnion(['active', 'paused'] as const)),
    categories: Type.Array(Category, { minItems: 1, maxItems: 50 }),
    creatives: Type.Array(CreativeBody, { minItems: 1, maxItems: 20 }),
    targeting: Type.Optional(
      Type.Object(
        {
          venueKinds: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{1,63}$' }), { maxItems: 50 })),
          regions: Type.Optional(
            Type.Array(Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' }), { maxItems: 100 }),
          ),
          dayparts: Type.Optional(Type.Array(Daypart, { maxItems: 28 })),
          waitingMoments: Type.Optional(Type.Array(Moment, { maxItems: 5 })),
          placementKinds: Type.Optional(Type.Array(PlacementKind, { maxItems: 2 })),
        },
        strict,
      ),
    ),
    flight: Type.Object(
      { start: Type.String({ format: 'date-time' }), end: Type.String({ format: 'date-time' }) },
      strict,
    ),
    budget: Type.Object({ impressions: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }) }, strict),
    perScreen: Type.Optional(
      Type.Object(
        {
          limit: Type.Integer({ minimum: 1, maximum: 10_000 }),
          windowMinutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 }),
        },
        strict,
      ),
    ),
  },
  strict,
);
const CampaignOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  advertiser: Type.String(),
  status: Type.String(),
  categories: Type.Array(Type.String()),
  creatives: Type.Array(
    Type.Object({
      id: Type.String(),
      headline: Type.String(),
      body: Type.Optional(Type.String()),
      imageUrl: Type.Optional(Type.String()),
      clickUrl: Type.Optional(Type.String()),
      background: Type.Optional(Type.String()),
      durationSeconds: Type.Integer(),
    }),
  ),
  targeting: Type.Object({
    venueKinds: Type.Array(Type.String()),
    regions: Type.Array(Type.String()),
    dayparts: Type.Array(Type.Object({ days: Type.Array(Type.Integer()), from: Type.String(), to: Type.String() })),
    waitingMoments: Type.Array(Type.String()),
    placementKinds: Type.Array(Type.String()),
  }),
  flight: Type.Object({ start: Type.String(), end: Type.String() }),
  budget: Type.Object({ impressions: Type.Integer() }),
  perScreen: Type.Object({ limit: Type.Integer(), windowMinutes: Type.Integer() }),
  updatedAt: Type.Integer(),
});

const PlacementBody = Type.Object(
  { kind: PlacementKind, venueId: Id, name: Type.Optional(Text(200)), waitingMoment: Type.Optional(Moment) },
  strict,
);
const PlacementOut = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  venueId: Type.String(),
  name: Type.String(),
  waitingMoment: Type.Optional(Type.String()),
  hasScreenKey: Type.Boolean(),
  updatedAt: Type.Integer(),
});

const Relation = Type.Object(
  {
    from: Category,
    to: Category,
    weight: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'strength, 0 to 1; 0 removes a pair the learned table has',
    }),
  },
  strict,
);

const PageContextBody = Type.Object(
  {
    categoryPath: Type.Optional(
      Type.String({ ...Category, description: 'the category the page shows, e.g. "outdoor/footwear/hiking-boots"' }),
    ),
    itemId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'the catalog item the page shows (its category is used)',
      }),
    ),
    query: Type.Optional(Type.String({ maxLength: 200, description: 'the page\'s search words, e.g. "hiking boots"' })),
    keywords: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20, description: "the page's keywords" }),
    ),
  },
  {
    ...strict,
    description:
      'What the page is about (web slots). About the page only: a subject id, token or any other field is refused.',
  },
);
const DecisionBody = Type.Object(
  {
    placementId: Id,
    locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35, description: "the page's or screen's language" })),
    context: Type.Optional(PageContextBody),
  },
  strict,
);

/** Field names that would identify a person; the ad path refuses them by name, with its own error. */
const SUBJECT_FIELDS = new Set([
  'subject',
  'subjectid',
  'subjecttoken',
  'user',
  'userid',
  'customerid',
  'visitorid',
  'anonymousid',
  'deviceid',
  'sessionid',
  'cookieid',
  'email',
]);

/**
 * Refuses, before validation, an ad request that tries to name a person: a
 * subject token header, or a subject-like field in the body or its context.
 */
async function refuseSubject(request: FastifyRequest): Promise<void> {
  const named: string[] = [];
  if (request.headers['x-subject-token'] !== undefined) named.push('X-Subject-Token');
  const body = request.body;
  const scan = (o: unknown, at: string) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
    for (const k of Object.keys(o)) {
      if (SUBJECT_FIELDS.has(k.toLowerCase().replace(/[-_]/g, ''))) named.push(`${at}${k}`);
    }
  };
  scan(body, '');
  if (typeof body === 'object' && body !== null) scan((body as { context?: unknown }).context, 'context.');
  if (named.length === 0) return;
  throw new AppError(
    'ad_subject_not_allowed',
    400,
    `Ad requests carry no subject, and this one names one: ${named.join(', ')}. Nothing was served or counted.`,
    {
      hint: 'Remove the subject id or token: send only placementId, locale and the page context (categoryPath, itemId, query, keywords).',
      details: { fields: named },
    },
  );
}
const DecisionOut = Type.Object({
  decisionId: Type.String(),
  placementId: Type.String(),
  venueId: Type.String(),
  // Plain types, not anyOf: fast-json-stringify would run a validator per response to pick a branch.
  kind: Type.Unsafe<'advert' | 'house'>({ type: 'string', enum: ['advert', 'house'] }),
  locale: Type.String(),
  advert: Type.Optional(
    Type.Object({
      campaignId: Type.String(),
      creativeId: Type.String(),
      advertiser: Type.String(),
      headline: Type.String(),
      body: Type.Optional(Type.String()),
      imageUrl: Type.Optional(Type.String()),
      clickUrl: Type.Optional(Type.String()),
      background: Type.Optional(Type.String()),
    }),
  ),
  house: Type.Optional(
    Type.Object({
      headline: Type.String(),
      body: Type.Optional(Type.String()),
      imageUrl: Type.Optional(Type.String()),
    }),
  ),
  explanation: Type.Object({
    text: Type.String(),
    advertiser: Type.Optional(Type.String()),
    noPersonalData: Type.String(),
    parameters: Type.Optional(Type.Array(Type.String())),
  }),
  durationSeconds: Type.Integer(),
  playToken: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
});

const ReportQuery = Type.Object(
  {
    from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    campaignId: Type.Optional(Id),
    venueId: Type.Optional(Id),
  },
  strict,
);

const notFound = { 404: Type.Ref('Problem') } as const;
const iso = (ms: number) => new Date(ms).toISOString();
const campaignOut = (c: Campaign) => ({
  id: c.id,
  name: c.name,
  advertiser: c.advertiser,
  status: c.status,
  categories: c.categories,
  creatives: c.creatives,
  targeting: c.targeting,
  flight: { start: iso(c.flightStart), end: iso(c.flightEnd) },
  budget: { impressions: c.budgetImpressions },
  perScreen: c.perScreen,
  updatedAt: c.updatedAt,
});
const placementOut = (p: StoredPlacement) => {
  const { keyId, ...rest } = p;
  return { ...rest, hasScreenKey: keyId !== null };
};

/**
 * Contextual advertising: venues, campaigns and placements (server keys),
 * ad decisions and proof of play (publishable keys, no subject — there is no
 * person on this path), reports (server keys), and the screen player page.
 */
export function adsRoutes(app: App, ads: AdsService): void {
  const tags = ['ads'];

  app.put(
    '/v1/ads/venues/:venueId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Create or replace a venue (where screens are: kind of business, what it sells, region, hours)',
        params: Type.Object({ venueId: Id }),
        body: VenueBody,
        response: { 200: Type.Object({ venue: VenueOut }), 201: Type.Object({ venue: VenueOut }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { venue, created } = await ads.putVenue(
        request.auth.tenantId,
        request.params.venueId,
        request.body as VenueInput,
      );
      return reply.status(created ? 201 : 200).send({ venue: venue as never });
    },
  );
  app.get(
    '/v1/ads/venues',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'List venues',
        response: { 200: Type.Object({ venues: Type.Array(VenueOut) }), ...problemResponses },
      },
    },
    async (request) => ({ venues: (await ads.listVenues(request.auth.tenantId)) as never }),
  );
  app.get(
    '/v1/ads/venues/:venueId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Get a venue',
        params: Type.Object({ venueId: Id }),
        response: { 200: Type.Object({ venue: VenueOut }), ...notFound, ...problemResponses },
      },
    },
    async (request) => ({ venue: (await ads.getVenue(request.auth.tenantId, request.params.venueId)) as never }),
  );
  app.delete(
    '/v1/ads/venues/:venueId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Delete a venue that has no placements',
        params: Type.Object({ venueId: Id }),
        response: { 204: Type.Null(), 409: Type.Ref('Problem'), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      await ads.deleteVenue(request.auth.tenantId, request.params.venueId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/v1/ads/campaigns/:campaignId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary:
          'Create or replace a campaign: creatives, targeted contexts (never people), flight, budget, per-screen cap',
        params: Type.Object({ campaignId: Id }),
        body: CampaignBody,
        response: {
          200: Type.Object({ campaign: CampaignOut }),
          201: Type.Object({ campaign: CampaignOut }),
          422: Type.Ref('Problem'),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { campaign, created } = await ads.putCampaign(
        request.auth.tenantId,
        request.params.campaignId,
        request.body as CampaignInput,
      );
      return reply.status(created ? 201 : 200).send({ campaign: campaignOut(campaign) as never });
    },
  );
  app.get(
    '/v1/ads/campaigns',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'List campaigns',
        response: { 200: Type.Object({ campaigns: Type.Array(CampaignOut) }), ...problemResponses },
      },
    },
    async (request) => ({ campaigns: (await ads.listCampaigns(request.auth.tenantId)).map(campaignOut) as never }),
  );
  app.get(
    '/v1/ads/campaigns/:campaignId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Get a campaign and its delivery (served so far, and the paced target now)',
        params: Type.Object({ campaignId: Id }),
        response: {
          200: Type.Object({
            campaign: CampaignOut,
            delivery: Type.Object({ served: Type.Integer(), pacedTarget: Type.Integer() }),
          }),
          ...notFound,
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { campaign, served, pacedTarget } = await ads.getCampaign(request.auth.tenantId, request.params.campaignId);
      return { campaign: campaignOut(campaign) as never, delivery: { served, pacedTarget } };
    },
  );
  app.delete(
    '/v1/ads/campaigns/:campaignId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Delete a campaign (its report rows stay)',
        params: Type.Object({ campaignId: Id }),
        response: { 204: Type.Null(), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      await ads.deleteCampaign(request.auth.tenantId, request.params.campaignId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/v1/ads/placements/:placementId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Create or replace an ad placement: a web slot or a screen, at a venue',
        params: Type.Object({ placementId: Id }),
        body: PlacementBody,
        response: {
          200: Type.Object({ placement: PlacementOut }),
          201: Type.Object({ placement: PlacementOut }),
          ...notFound,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { placement, created } = await ads.putPlacement(
        request.auth.tenantId,
        request.params.placementId,
        request.body,
      );
      const stored = await ads.getPlacement(request.auth.tenantId, placement.id);
      return reply.status(created ? 201 : 200).send({ placement: placementOut(stored) });
    },
  );
  app.get(
    '/v1/ads/placements',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'List ad placements',
        response: { 200: Type.Object({ placements: Type.Array(PlacementOut) }), ...problemResponses },
      },
    },
    async (request) => ({ placements: (await ads.listPlacements(request.auth.tenantId)).map(placementOut) }),
  );
  app.delete(
    '/v1/ads/placements/:placementId',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: "Delete an ad placement (and revoke its screen's key)",
        params: Type.Object({ placementId: Id }),
        response: { 204: Type.Null(), ...notFound, ...problemResponses },
      },
    },
    async (request, reply) => {
      await ads.deletePlacement(request.auth.tenantId, request.params.placementId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/v1/ads/placements/:placementId/screen-key',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary:
          "Issue the screen's own key (publishable, bound to this placement, shown once) and its player URL; revokes the previous one",
        params: Type.Object({ placementId: Id }),
        response: {
          201: Type.Object({ keyId: Type.String(), secret: Type.String(), url: Type.String() }),
          ...notFound,
          ...problemResponses,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await ads.issueScreenKey(request.auth.tenantId, request.params.placementId)),
  );

  app.put(
    '/v1/ads/relations',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary:
          "Replace the operator's category → category complement table; it adds to, and pair by pair overrides, the table learned from consented baskets (weight 0 removes a learned pair)",
        body: Type.Object({ relations: Type.Array(Relation, { maxItems: 10_000 }) }, strict),
        response: { 200: Type.Object({ relations: Type.Array(Relation) }), ...problemResponses },
      },
    },
    async (request) => ({ relations: await ads.replaceRelations(request.auth.tenantId, request.body.relations) }),
  );
  app.get(
    '/v1/ads/relations',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary:
          "The operator's category complement table (relations) and the one learned from consented baskets (learned: an aggregate, each pair bought together by at least PERTINENT_AD_RELATIONS_MIN_SUBJECTS people)",
        response: {
          200: Type.Object({ relations: Type.Array(Relation), learned: Type.Array(Relation) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { manual, learned } = await ads.listRelations(request.auth.tenantId);
      return { relations: manual, learned };
    },
  );

  app.post(
    '/v1/ads/decisions',
    {
      // No subject on this path: a screen's or a web page's publishable key suffices.
      config: { auth: 'publishable', subject: 'none' },
      preValidation: refuseSubject,
      schema: {
        tags,
        summary:
          "The next advert for a placement, chosen from its context only (venue, time, and for a web slot the page's category, item or search words), with why it was shown; the venue's own content when no campaign is eligible. A subject id or token is refused (400 ad_subject_not_allowed)",
        body: DecisionBody,
        response: { 200: DecisionOut, ...notFound, ...problemResponses },
      },
    },
    async (request) =>
      ads.decide(request.auth, request.body.placementId, {
        ...(request.body.locale === undefined ? {} : { locale: request.body.locale }),
        ...(request.body.context === undefined ? {} : { context: request.body.context }),
      }),
  );
  app.post(
    '/v1/ads/plays',
    {
      config: { auth: 'publishable', subject: 'none' },
      preValidation: refuseSubject,
      schema: {
        tags,
        summary: 'Proof of play: the advert of this decision was shown (counted once per decision)',
        body: Type.Object({ playToken: Type.String({ minLength: 10, maxLength: 2000 }) }, strict),
        response: { 200: Type.Object({ counted: Type.Boolean() }), ...problemResponses },
      },
    },
    async (request) => ads.recordPlay(request.auth, request.body.playToken),
  );
  app.get(
    '/v1/ads/reports',
    {
      config: { auth: 'server' },
      schema: {
        tags,
        summary: 'Served and played counts per campaign, venue and UTC day (counts only: no viewer is known)',
        querystring: ReportQuery,
        response: {
          200: Type.Object({
            rows: Type.Array(
              Type.Object({
                day: Type.String(),
                campaignId: Type.String(),
                venueId: Type.String(),
                served: Type.Integer(),
                played: Type.Integer(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({ rows: await ads.report(request.auth.tenantId, request.query) }),
  );

  app.get(
    '/screen/:placementId',
    {
      // The page itself is public and holds nothing; its script calls the API with the key from its URL.
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'The screen player: a page a kiosk browser opens',
        params: Type.Object({ placementId: Id }),
      },
    },
    async (request, reply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header(
          'content-security-policy',
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src https: data: 'self'; connect-src 'self'",
        )
        .send(screenPage(request.params.placementId)),
  );
}
