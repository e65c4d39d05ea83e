import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { Type } from 'typebox';
import type { AuthContext, TenantService } from '../modules/tenants/tenants.service.ts';
import { AppError } from './errors.ts';
import { SUBJECT_ID_PATTERN, verifySubjectToken } from './subject-token.ts';

/** The Fastify instance type every route module receives. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Who may call a route: nobody needs a key (`none`), or a key of at least this scope. */
export type RouteAuth = 'none' | 'publishable' | 'server' | 'admin';

export interface RequestAuth extends AuthContext {
  /** For publishable keys: the subject named in the verified subject token. */
  readonly subjectId: string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /**
     * `none`: the route acts for no subject (contextual advertising on a
     * screen), so a publishable key needs no subject token and the request
     * carries no subject. Default `required`.
     */
    subject?: 'required' | 'none';
  }
  interface FastifyRequest {
    auth: RequestAuth;
  }
}

const RANK: Record<Exclude<RouteAuth, 'none'>, number> = { publishable: 0, server: 1, admin: 2 };

/** The problem+json body of every error response (RFC 9457). */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    hint: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Problem', description: 'An error, as application/problem+json (RFC 9457).' },
);

/** Error responses every authenticated route may give, for its schema. */
export const problemResponses = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
} as const;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extra: {
    hint?: string | undefined;
    errors?: { path: string; message: string }[];
    details?: Record<string, unknown> | undefined;
  } = {},
): FastifyReply {
  const body: Record<string, unknown> = {
    type: `https://pertinent.dev/errors/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
  };
  if (extra.hint) body.hint = extra.hint;
  if (extra.errors) body.errors = extra.errors;
  if (extra.details) body.details = extra.details;
  return reply.status(status).type('application/problem+json; charset=utf-8').send(body);
}

/**
 * Validation errors in words a client can act on: where, and what is expected.
 * A failed choice between literals (TypeBox unions) becomes one "must be one
 * of" line instead of one line per alternative.
 */
function describeValidation(error: FastifyError): { path: string; message: string }[] {
  const where = error.validationContext ?? 'body';
  const out: { path: string; message: string }[] = [];
  const choices = new Map<string, unknown[]>();
  for (const v of error.validation ?? []) {
    const path = `${where}${v.instancePath.replaceAll('/', '.')}`;
    const params = v.params as Record<string, unknown>;
    if (v.keyword === 'const') {
      choices.set(path, [...(choices.get(path) ?? []), params.allowedValue]);
      continue;
    }
    if (v.keyword === 'anyOf' && choices.has(path)) {
      const allowed = choices.get(path) ?? [];
      out.push({ path, message: `must be one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}` });
      choices.delete(path);
      continue;
    }
    if (v.keyword === 'additionalProperties') {
      out.push({ path, message: `unknown field "${String(params.additionalProperty)}"; remove it` });
    } else if (v.keyword === 'required') {
      out.push({ path, message: `missing required field "${String(params.missingProperty)}"` });
    } else if (v.keyword === 'enum') {
      out.push({
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`,
      });
    } else {
      out.push({ path, message: v.message ?? 'is not valid' });
    }
  }
  for (const [path, allowed] of choices) {
    out.push({ path, message: `must be ${allowed.map((x) => JSON.stringify(x)).join(' or ')}` });
  }
  return out;
}

export function installErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, error.status, error.code, error.message, { hint: error.hint, details: error.details });
    }
    const e = error as FastifyError;
    if (e.validation) {
      const errors = describeValidation(e);
      return sendProblem(
        reply,
        400,
        'invalid_request',
        `The request is not valid: ${errors.map((x) => `${x.path} ${x.message}`).join('; ')}.`,
        {
          errors,
          hint: 'Correct the fields listed in "errors"; the API reference at /docs shows every field.',
        },
      );
    }
    switch (e.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, 400, 'malformed_json', `The body is not valid JSON: ${e.message}.`, {
          hint: 'Send a well-formed JSON document with Content-Type: application/json.',
        });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 413, 'body_too_large', 'The body is larger than this server accepts.', {
          hint: 'Split the data into smaller batches (see PERTINENT_BODY_LIMIT).',
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(
          reply,
          415,
          'unsupported_media_type',
          `Content-Type ${String(request.headers['content-type'])} is not accepted here.`,
          {
            hint: 'Send application/json (or application/x-ndjson where the route says so).',
          },
        );
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return sendProblem(reply, e.statusCode, 'bad_request', e.message);
    }
    request.log.error({ err: { type: e.name, code: e.code, message: e.message, stack: e.stack } }, 'unhandled error');
    return sendProblem(
      reply,
      500,
      'internal_error',
      'Something went wrong on our side; nothing was changed by this request.',
      {
        hint: 'Retry later; if it persists, report the request id to the operator.',
        details: { requestId: request.id },
      },
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, 'route_not_found', `There is no route ${request.method} ${request.url.split('?')[0]}.`, {
      hint: 'See the API reference at /docs or the OpenAPI document at /openapi.json.',
    }),
  );
}

/**
 * Bodies are validated strictly (no type coercion, unknown fields rejected);
 * query strings and path parameters are coerced from text.
 */
export function installValidation(app: App): void {
  const make = (coerceTypes: boolean | 'array') => {
    // allErrors: a client learns every mistake of a request at once (bodies are bounded by bodyLimit).
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
    addFormats.default(ajv);
    return ajv;
  };
  // Only JSON (and, where a route adds it, NDJSON) bodies are accepted.
  app.removeContentTypeParser('text/plain');
  const strict = make(false);
  const coercing = make('array');
  app.setValidatorCompiler(
    ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object) as never,
  );
}

/** Verifies the key (and, for publishable keys, the subject token) each route asks for. */
export function installAuth(app: App, tenants: TenantService): void {
  app.decorateRequest('auth', null as unknown as RequestAuth);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Routes declare who may call them; the reference pages (/docs) are public,
    // anything else that forgot to declare needs a server key.
    const url = request.routeOptions.url;
    const need =
      request.routeOptions.config?.auth ?? (url === undefined || url.startsWith('/docs') ? 'none' : 'server');
    if (need === 'none') return;
    const header = request.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const ctx = await tenants.authenticate(presented);
    if (RANK[ctx.scope] < RANK[need]) {
      throw new AppError(
        'insufficient_scope',
        403,
        `This route needs ${need === 'admin' ? 'an' : 'a'} ${need} key; ${ctx.scope === 'admin' ? 'an' : 'a'} ${ctx.scope} key was sent.`,
        {
          hint:
            need === 'admin'
              ? 'Use an admin key of this tenant.'
              : 'Call this route from your backend with a server key.',
        },
      );
    }
    let subjectId: string | undefined;
    if (ctx.scope === 'publishable' && request.routeOptions.config?.subject !== 'none') {
      const token = request.headers['x-subject-token'];
      if (typeof token !== 'string' || token === '') {
        throw new AppError(
          'subject_token_required',
          401,
          'A publishable key acts only for a subject, and no subject token was sent.',
          {
            hint: 'Sign a subject token on your backend and send it in the X-Subject-Token header.',
          },
        );
      }
      subjectId = verifySubjectToken(token, await tenants.subjectTokenSecret(ctx.tenantId), ctx.tenantId).sub;
    }
    request.auth = Object.assign({}, ctx, { subjectId });
  });
}

/**
 * The subject a request acts for: a publishable key acts only for the subject
 * of its token (a different `requested` id is refused); server and admin keys
 * name the subject explicitly.
 */
export function subjectOf(request: FastifyRequest, requested: string | undefined): string {
  const { subjectId } = request.auth;
  if (subjectId !== undefined) {
    if (requested !== undefined && requested !== subjectId) {
      throw new AppError(
        'subject_mismatch',
        403,
        'A publishable key may only act for the subject of its subject token.',
        {
          hint: 'Omit the subject id, or use the subject named in the token.',
        },
      );
    }
    return subjectId;
  }
  if (requested === undefined) {
    throw new AppError('subject_required', 400, 'This request must name a subject.', {
      hint: 'Give the subject id in the request (server keys act for any subject of the tenant).',
    });
  }
  return requested;
}

/** Path parameters of the routes about one subject: an id, or `me` for the subject of the token. */
export const SubjectParams = Type.Object({
  subjectId: Type.String({
    pattern: SUBJECT_ID_PATTERN,
    description: '"me" names the subject of the subject token (publishable keys)',
  }),
});

/** `me` is the subject of the token; any other id must be that subject for a publishable key. */
export const subjectParam = (request: FastifyRequest, id: string): string =>
  subjectOf(request, id === 'me' ? undefined : id);
