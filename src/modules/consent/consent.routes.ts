import { Type } from 'typebox';
import { GPC_LAST_UPDATE, gpcSignalOn } from '../../core/consent/gpc.ts';
import { PURPOSES } from '../../core/purposes.ts';
import type { App } from '../../platform/http.ts';
import { problemResponses, subjectOf } from '../../platform/http.ts';
import { SUBJECT_ID_PATTERN } from '../../platform/subject-token.ts';
import type { ConsentService, PolicyInfo, SubjectConsents, SubjectEntry } from './consent.service.ts';
import { consentStateView, ledgerEntryProof } from './consent.views.ts';

const SubjectId = Type.String({ pattern: SUBJECT_ID_PATTERN, description: "The subject's id in the tenant's system." });
const PolicyVersion = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'A policy (notice) version.' });
const Status = Type.Union([Type.Literal('granted'), Type.Literal('denied'), Type.Literal('withdrawn')]);
const Method = Type.Union([
  Type.Literal('accepted'),
  Type.Literal('refused'),
  Type.Literal('withdrawn'),
  Type.Literal('gpc'),
  Type.Literal('api'),
  Type.Literal('tcf'),
]);
const Effective = Type.Union([
  Type.Literal('granted'),
  Type.Literal('denied'),
  Type.Literal('withdrawn'),
  Type.Literal('needs_renewal'),
  Type.Literal('unset'),
]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Entry = Type.Object({
  seq: Type.Integer(),
  subjectId: Type.String(),
  subjectRef: Type.String({
    description:
      'What the ledger records instead of the subject id: SHA-256 of the subject\'s random ledger pseudonym. The hash covers it (as "subjectId" in the canonical JSON).',
  }),
  purpose: Type.String(),
  status: Status,
  method: Method,
  policyVersion: Nullable(Type.String()),
  noticeHash: Nullable(Type.String()),
  jurisdiction: Nullable(Type.String()),
  source: Type.String(),
  tcString: Nullable(Type.String()),
  gppString: Nullable(Type.String()),
  recordedAt: Type.String({ format: 'date-time' }),
  prevHash: Type.String(),
  hash: Type.String(),
});

const Consents = Type.Object({
  subjectId: Type.String(),
  currentPolicyVersion: Nullable(Type.String()),
  purposes: Type.Array(
    Type.Object({
      purpose: Type.String(),
      status: Effective,
      /** Proof: the ledger entry behind the status. */
      seq: Nullable(Type.Integer()),
      method: Nullable(Method),
      policyVersion: Nullable(Type.String()),
      recordedAt: Nullable(Type.String({ format: 'date-time' })),
    }),
  ),
});

const Policy = Type.Object({
  version: Type.String(),
  noticeHash: Type.String(),
  noticeText: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  current: Type.Boolean(),
});

const iso = (ms: number) => new Date(ms).toISOString();

const entryView = (e: SubjectEntry) => ({ subjectId: e.subjectId, ...ledgerEntryProof(e) });

const consentsView = (c: SubjectConsents) => ({
  subjectId: c.subjectId,
  currentPolicyVersion: c.currentPolicyVersion,
  purposes: c.purposes.map(consentStateView),
});

const policyView = (p: PolicyInfo) => ({
  version: p.version,
  noticeHash: p.noticeHash,
  noticeText: p.noticeText,
  createdAt: iso(p.createdAt),
  current: p.current,
});

const GPC_HEADER_NOTE =
  ' A request with `Sec-GPC: 1` also records an objection to retargeting and sale_sharing, unless the person chose otherwise under the current policy.';

/** Consents per subject and purpose, the ledger behind them, policy versions and GPC. */
export function consentRoutes(app: App, consent: ConsentService): void {
  app.get(
    '/.well-known/gpc.json',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['consent'],
        summary: 'Global Privacy Control support resource',
        response: { 200: Type.Object({ gpc: Type.Boolean(), lastUpdate: Type.String() }) },
      },
    },
    async () => ({ gpc: true, lastUpdate: GPC_LAST_UPDATE }),
  );

  app.post(
    '/v1/consents',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['consent'],
        summary: 'Record consent choices (and/or a TCF string) of a subject in the ledger',
        description: `A publishable key records only for the subject of its X-Subject-Token; a server key names any subject.${GPC_HEADER_NOTE}`,
        body: Type.Object(
          {
            subjectId: Type.Optional(SubjectId),
            policyVersion: PolicyVersion,
            method: Type.Optional(
              Type.Union(
                [Type.Literal('accepted'), Type.Literal('refused'), Type.Literal('withdrawn'), Type.Literal('api')],
                {
                  description:
                    'How the choice was made; omit to derive it from each status (granted → accepted, denied → refused, withdrawn → withdrawn). `api`: recorded by your systems without the person.',
                },
              ),
            ),
            choices: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    purpose: Type.String({ maxLength: 64, description: `One of ${PURPOSES.join(', ')}.` }),
                    status: Status,
                  },
                  { additionalProperties: false },
                ),
                { maxItems: 64 },
              ),
            ),
            jurisdiction: Type.Optional(
              Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$', description: 'e.g. EU, FR, US-CA' }),
            ),
            source: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'Where the choice was made, e.g. "banner/checkout".',
              }),
            ),
            tcString: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })),
            gppString: Type.Optional(Type.String({ minLength: 1, maxLength: 20000, pattern: '^[A-Za-z0-9_.~-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ entries: Type.Array(Entry), consents: Consents }),
          409: Type.Ref('Problem'),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const subjectId = subjectOf(request, body.subjectId);
      const { tenantId, scope, keyId } = request.auth;
      const entries = await consent.record(tenantId, {
        subjectId,
        policyVersion: body.policyVersion,
        method: body.method,
        choices: body.choices,
        jurisdiction: body.jurisdiction,
        source: body.source ?? `${scope} key ${keyId}`,
        tcString: body.tcString,
        gppString: body.gppString,
      });
      if (gpcSignalOn(request.headers['sec-gpc'])) entries.push(...(await consent.applyGpcSignal(tenantId, subjectId)));
      return reply.status(201).send({
        entries: entries.map(entryView),
        consents: consentsView(await consent.consentsOf(tenantId, subjectId)),
      });
    },
  );

  const readConsents = async (tenantId: string, subjectId: string, gpc: string | string[] | undefined) => {
    if (gpcSignalOn(gpc)) await consent.applyGpcSignal(tenantId, subjectId);
    return consentsView(await consent.consentsOf(tenantId, subjectId));
  };

  app.get(
    '/v1/consents/me',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['consent'],
        summary: 'The effective consent per purpose of the subject of the X-Subject-Token',
        description: `Statuses: granted, denied, withdrawn, needs_renewal (given under an older policy version), unset.${GPC_HEADER_NOTE}`,
        response: { 200: Consents, ...problemResponses },
      },
    },
    async (request) => readConsents(request.auth.tenantId, subjectOf(request, undefined), request.headers['sec-gpc']),
  );

  app.get(
    '/v1/consents/:subjectId',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['consent'],
        summary: 'The effective consent per purpose of a subject, with the ledger entry that proves each',
        description: `Statuses: granted, denied, withdrawn, needs_renewal (given under an older policy version), unset.${GPC_HEADER_NOTE}`,
        params: Type.Object({ subjectId: SubjectId }),
        response: { 200: Consents, ...problemResponses },
      },
    },
    async (request) =>
      readConsents(request.auth.tenantId, subjectOf(request, request.params.subjectId), request.headers['sec-gpc']),
  );

  app.get(
    '/v1/consents/:subjectId/history',
    {
      config: { auth: 'publishable' },
      schema: {
        tags: ['consent'],
        summary: "A subject's consent ledger entries, oldest first, with their hashes",
        params: Type.Object({ subjectId: SubjectId }),
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only entries with a greater seq.' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(Entry) }), ...problemResponses },
      },
    },
    async (request) => {
      const subjectId = subjectOf(request, request.params.subjectId);
      const entries = await consent.history(request.auth.tenantId, subjectId, {
        afterSeq: request.query.after ?? 0,
        limit: request.query.limit ?? 100,
      });
      return { entries: entries.map(entryView) };
    },
  );

  app.get(
    '/v1/policies',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['consent'],
        summary: 'List the policy (notice) versions, marking the current one',
        response: { 200: Type.Object({ policies: Type.Array(Policy) }), ...problemResponses },
      },
    },
    async (request) => ({ policies: (await consent.listPolicies(request.auth.tenantId)).map(policyView) }),
  );

  app.post(
    '/v1/policies',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['consent'],
        summary: 'Register a policy version with its notice text (current by default)',
        description:
          'Consents given under another version than the current one are reported as needs_renewal until the person chooses again.',
        body: Type.Object(
          {
            version: PolicyVersion,
            noticeText: Type.String({ minLength: 1, maxLength: 200000, description: 'The notice exactly as shown.' }),
            current: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Policy, 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await consent.registerPolicy(request.auth.tenantId, {
        version: request.body.version,
        noticeText: request.body.noticeText,
        makeCurrent: request.body.current ?? true,
      });
      return reply.status(201).send(policyView(created));
    },
  );

  app.post(
    '/v1/policies/:version/current',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['consent'],
        summary: 'Make a registered policy version the current one',
        params: Type.Object({ version: PolicyVersion }),
        response: { 200: Policy, 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => policyView(await consent.makeCurrent(request.auth.tenantId, request.params.version)),
  );

  app.get(
    '/v1/consent-ledger/verify',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['consent'],
        summary: "Walk the tenant's consent ledger and check every hash and the head",
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            count: Type.Integer(),
            headSeq: Type.Optional(Type.Integer()),
            headHash: Type.Optional(Type.String()),
            seq: Type.Optional(Type.Integer()),
            problem: Type.Optional(Type.String()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const report = await consent.verifyLedger(request.auth.tenantId);
      return report.ok
        ? { ok: true, count: report.count, headSeq: report.headSeq, headHash: report.headHash }
        : { ok: false, count: report.checked, seq: report.seq, problem: report.problem };
    },
  );
}
