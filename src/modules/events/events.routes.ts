import { Type } from 'typebox';
import { gpcSignalOn } from '../../core/consent/gpc.ts';
import { PURPOSES } from '../../core/purposes.ts';
import { badRequest } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import { problemResponses, SubjectParams, subjectOf, subjectParam } from '../../platform/http.ts';
import { SUBJECT_ID_PATTERN } from '../../platform/subject-token.ts';
import type { EventService } from './events.service.ts';
import type { EventRecord } from './events.store.ts';
import { EVENT_SOURCES, EVENT_TYPES } from './events.store.ts';
import { eventView } from './events.views.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const EventType = literals(EVENT_TYPES);
const Source = literals(EVENT_SOURCES);

/** An event on the wire (documentation; the service checks every event and lists every mistake). */
const WireEvent = Type.Object(
  {
    eventId: Type.String({
      maxLength: 128,
      description: 'Your id for the event, unique per tenant; a retry with the same id is not stored twice.',
    }),
    subjectId: Type.Optional(
      Type.String({
        pattern: SUBJECT_ID_PATTERN,
        description:
          'Required with a server key; with a publishable key it defaults to (and must be) the subject of the token.',
      }),
    ),
    type: EventType,
    itemId: Type.Optional(
      Type.String({ maxLength: 256, description: 'Required for every type except search; must be in the catalog.' }),
    ),
    query: Type.Optional(Type.String({ maxLength: 500, description: 'Search events only.' })),
    occurredAt: Type.String({ format: 'date-time' }),
    quantity: Type.Optional(Type.Integer({ minimum: 1, description: 'Cart and purchase events only.' })),
    price: Type.Optional(Type.Number({ minimum: 0, description: 'Cart and purchase events only.' })),
    context: Type.Optional(
      Type.Object(
        {
          placement: Type.Optional(Type.String({ maxLength: 128 })),
          page: Type.Optional(
            Type.String({ maxLength: 2048, description: 'Stored without query string and fragment.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    source: Type.Optional(Source),
    purpose: Type.Optional(
      Type.String({
        description: 'A non-sensitive purpose; defaults to personalization (impression: measurement).',
      }),
    ),
  },
  { additionalProperties: false },
);

const IngestResult = Type.Object({ received: Type.Integer(), stored: Type.Integer(), duplicates: Type.Integer() });

const StoredEvent = Type.Object({
  eventId: Type.String(),
  subjectId: Type.String(),
  type: EventType,
  itemId: Type.Union([Type.String(), Type.Null()]),
  query: Type.Union([Type.String(), Type.Null()]),
  occurredAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.String({ format: 'date-time' }),
  quantity: Type.Union([Type.Integer(), Type.Null()]),
  price: Type.Union([Type.Number(), Type.Null()]),
  context: Type.Object({
    placement: Type.Union([Type.String(), Type.Null()]),
    page: Type.Union([Type.String(), Type.Null()]),
  }),
  source: Source,
  purpose: literals(PURPOSES),
  provenance: Type.Literal('observed'),
});

const Channel = literals(['email', 'sms', 'push'] as const);
const PreferencesBody = Type.Object(
  {
    interests: Type.Optional(
      Type.Object(
        {
          categories: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 200 })),
          topics: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
    notInterested: Type.Optional(
      Type.Array(
        Type.Object(
          {
            itemId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            category: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            until: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    ),
    channels: Type.Optional(Type.Array(Channel, { maxItems: 3 })),
    quietHours: Type.Optional(
      Type.Object(
        {
          start: Type.String({ description: '"HH:MM", local time' }),
          end: Type.String({ description: '"HH:MM", local time' }),
          timeZone: Type.String({ maxLength: 64, description: 'IANA time zone, e.g. "Europe/Paris"' }),
        },
        { additionalProperties: false },
      ),
    ),
    locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35, description: 'BCP 47, e.g. "en", "fr", "it"' })),
    email: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 254,
        description: 'Contact e-mail address; stored encrypted (AES-256-GCM).',
      }),
    ),
    phone: Type.Optional(
      Type.String({
        minLength: 8,
        maxLength: 16,
        description: 'Contact phone, E.164 ("+33612345678"); stored encrypted.',
      }),
    ),
    source: Type.Optional(Source),
  },
  { additionalProperties: false },
);

const PreferencesView = Type.Object({
  subjectId: Type.String(),
  preferences: Type.Object({
    interests: Type.Object({ categories: Type.Array(Type.String()), topics: Type.Array(Type.String()) }),
    notInterested: Type.Array(
      Type.Object({
        itemId: Type.Optional(Type.String()),
        category: Type.Optional(Type.String()),
        until: Type.Optional(Type.String()),
      }),
    ),
    channels: Type.Array(Channel),
    quietHours: Type.Union([
      Type.Object({ start: Type.String(), end: Type.String(), timeZone: Type.String() }),
      Type.Null(),
    ]),
    locale: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
  }),
  declarations: Type.Array(
    Type.Object({
      kind: Type.String(),
      source: Source,
      purpose: Type.String(),
      provenance: Type.Literal('declared'),
      declaredAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

/** Each NDJSON line is one event; a line that is not JSON is named in the error. */
export function parseNdjson(text: string): unknown[] {
  const events: unknown[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    try {
      events.push(JSON.parse(raw));
    } catch (error) {
      throw badRequest(
        'malformed_ndjson',
        `Line ${line} of the NDJSON body is not valid JSON: ${(error as Error).message}.`,
        {
          hint: 'Send one JSON event per line, each line a complete JSON object (application/x-ndjson).',
          details: { line },
        },
      );
    }
  }
  return events;
}

/** An event as the events routes return it: with its subject. */
const wire = (e: EventRecord) => ({ subjectId: e.subjectId, ...eventView(e) });

/**
 * Event ingest and declared preferences. Registered as an encapsulated plugin
 * so that the NDJSON body parser applies to these routes only.
 */
export function eventRoutes(app: App, events: EventService): void {
  app.register(async (scope: App) => {
    scope.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseNdjson(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });

    scope.post(
      '/v1/events',
      {
        config: { auth: 'publishable' },
        // The service checks every event itself, so that a refused batch lists
        // each bad event (index, eventId, why) rather than the first mistake.
        validatorCompiler: () => () => true,
        schema: {
          tags: ['events'],
          summary:
            'Send a batch of events (JSON array, {"events": [...]}, or NDJSON); all or nothing, idempotent per eventId',
          description:
            'Stored only if every event is valid; the reply comes after the batch is durably committed. Events whose eventId the tenant already has are counted as duplicates and not stored again. With a publishable key every event must be for the subject of the X-Subject-Token. No IP address is stored.',
          body: Type.Union([
            Type.Array(WireEvent),
            Type.Object({ events: Type.Array(WireEvent) }, { additionalProperties: false }),
          ]),
          response: {
            200: IngestResult,
            413: Type.Ref('Problem'),
            415: Type.Ref('Problem'),
            422: Type.Ref('Problem'),
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const body = request.body as unknown;
        let batch: unknown[];
        if (Array.isArray(body)) batch = body;
        else if (
          typeof body === 'object' &&
          body !== null &&
          Array.isArray((body as { events?: unknown }).events) &&
          Object.keys(body).length === 1
        ) {
          batch = (body as { events: unknown[] }).events;
        } else {
          throw badRequest('invalid_batch', 'The body must be a JSON array of events or an object {"events": [...]}.', {
            hint: 'Send [ {event}, ... ] or {"events": [ ... ]} as application/json, or one event per line as application/x-ndjson.',
          });
        }
        return events.ingest(request.auth.tenantId, batch, {
          subjectFor: (requested) => subjectOf(request, requested),
          gpc: gpcSignalOn(request.headers['sec-gpc']),
        });
      },
    );

    scope.get(
      '/v1/subjects/:subjectId/events',
      {
        config: { auth: 'publishable' },
        schema: {
          tags: ['events'],
          summary: 'A subject\'s events in time order ("me" with a publishable key and subject token)',
          params: SubjectParams,
          querystring: Type.Object(
            {
              types: Type.Optional(Type.Array(EventType)),
              since: Type.Optional(Type.String({ format: 'date-time' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ events: Type.Array(StoredEvent) }), ...problemResponses },
        },
      },
      async (request) => {
        const subjectId = subjectParam(request, request.params.subjectId);
        const { types, since, limit } = request.query;
        const list = await events.listEvents(request.auth.tenantId, subjectId, {
          ...(types === undefined ? {} : { types }),
          ...(since === undefined ? {} : { since: Date.parse(since) }),
          ...(limit === undefined ? {} : { limit }),
        });
        return { events: list.map(wire) };
      },
    );

    scope.put(
      '/v1/subjects/:subjectId/preferences',
      {
        config: { auth: 'publishable' },
        schema: {
          tags: ['preferences'],
          summary:
            'Replace what the subject declared: interests, not interested, channels, quiet hours, locale, contact data',
          description:
            'Fields left out are withdrawn. Each kind of declaration is stored with provenance "declared", its source and the purpose it serves (interests, notInterested, locale: personalization; channels, quietHours, email, phone: marketing_messages). Email and phone are encrypted at rest.',
          params: SubjectParams,
          body: PreferencesBody,
          response: { 200: PreferencesView, ...problemResponses },
        },
      },
      async (request) => {
        const subjectId = subjectParam(request, request.params.subjectId);
        const { source, ...input } = request.body;
        return events.putPreferences(request.auth.tenantId, subjectId, input, source ?? 'web');
      },
    );

    scope.get(
      '/v1/subjects/:subjectId/preferences',
      {
        config: { auth: 'publishable' },
        schema: {
          tags: ['preferences'],
          summary: 'What the subject declared, with the source and purpose of each declaration',
          params: SubjectParams,
          response: { 200: PreferencesView, ...problemResponses },
        },
      },
      async (request) => events.getPreferences(request.auth.tenantId, subjectParam(request, request.params.subjectId)),
    );

    scope.delete(
      '/v1/subjects/:subjectId/preferences',
      {
        config: { auth: 'publishable' },
        schema: {
          tags: ['preferences'],
          summary: 'Withdraw everything the subject declared',
          params: SubjectParams,
          response: { 204: Type.Null(), ...problemResponses },
        },
      },
      async (request, reply) => {
        await events.deletePreferences(request.auth.tenantId, subjectParam(request, request.params.subjectId));
        return reply.status(204).send(null);
      },
    );
  });
}
