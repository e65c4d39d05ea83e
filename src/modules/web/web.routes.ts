import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BundleName } from '../../../sdk/build.ts';
import { buildBundle } from '../../../sdk/build.ts';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http.ts';
import type { TenantService } from '../tenants/tenants.service.ts';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '../../../web');

/** The privacy center may call only its own server; it may be embedded in a shop's page (no frame-ancestors). */
const CENTER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'";

interface Asset {
  readonly body: string;
  readonly etag: string;
}

/** Built once per process, on first request (esbuild, a few tens of milliseconds). */
function memo(load: () => Promise<string>): () => Promise<Asset> {
  let asset: Promise<Asset> | undefined;
  return () => {
    asset ??= load()
      .then((body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }))
      .catch((error: unknown) => {
        asset = undefined;
        throw error;
      });
    return asset;
  };
}

const bundle = (name: BundleName) => memo(() => buildBundle(name));
const file = (path: string) => memo(() => readFile(join(WEB, path), 'utf8'));

async function send(
  reply: FastifyReply,
  get: () => Promise<Asset>,
  type: string,
  ifNoneMatch: string | undefined,
  extra: Record<string, string> = {},
) {
  const { body, etag } = await get();
  reply.header('etag', etag).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff');
  for (const [k, v] of Object.entries(extra)) reply.header(k, v);
  if (ifNoneMatch === etag) return reply.status(304).send();
  return reply.type(type).send(body);
}

/**
 * The browser side, served by Pertinent itself: the SDK (`/sdk/pertinent.js`,
 * global `Pertinent`; `/sdk/pertinent.mjs`, ES module) and the privacy center
 * (`/privacy-center`). Static, no key needed: the page and the SDK call the API
 * with the publishable key and subject token they are given.
 */
export function webRoutes(app: App): void {
  const hide = { hide: true } as const;
  const open = { config: { auth: 'none' as const }, schema: hide };
  const js = 'text/javascript; charset=utf-8';

  const sdk = bundle('pertinent.js');
  const sdkModule = bundle('pertinent.mjs');
  const centerJs = bundle('privacy-center.js');
  const centerHtml = file('privacy-center/index.html');
  const centerCss = file('privacy-center/style.css');

  app.get('/sdk/pertinent.js', open, (req, reply) => send(reply, sdk, js, req.headers['if-none-match']));
  app.get('/sdk/pertinent.mjs', open, (req, reply) => send(reply, sdkModule, js, req.headers['if-none-match']));

  const page = { 'content-security-policy': CENTER_CSP, 'referrer-policy': 'no-referrer' };
  for (const url of ['/privacy-center', '/privacy-center/']) {
    app.get(url, open, (req, reply) =>
      send(reply, centerHtml, 'text/html; charset=utf-8', req.headers['if-none-match'], page),
    );
  }
  app.get('/privacy-center/app.js', open, (req, reply) => send(reply, centerJs, js, req.headers['if-none-match']));
  app.get('/privacy-center/style.css', open, (req, reply) =>
    send(reply, centerCss, 'text/css; charset=utf-8', req.headers['if-none-match']),
  );
  // The explanations' "controls" link points at /privacy by default.
  app.get('/privacy', open, (_req, reply) => reply.redirect('/privacy-center', 302));
}

/**
 * Lets shop pages call the API from the browser, from the origins each tenant
 * allows (docs/adr/0013-browser-origins-and-model-removals.md). A request with
 * a publishable key from another origin is refused and gets no CORS header, so
 * the page reads nothing; the server's own origin (the privacy center) is
 * always allowed. Server and admin keys are server to server and unaffected.
 * Keys travel in headers, never cookies: credentials are never allowed.
 */
export function browserAccess(app: App, tenants: TenantService): void {
  app.options('/v1/*', { config: { auth: 'none' }, schema: { hide: true } }, (_req, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET, POST, PUT, DELETE')
      .header('access-control-allow-headers', 'authorization, content-type, x-subject-token, accept-language')
      .header('access-control-max-age', '600')
      .status(204)
      .send(),
  );
  /** Whether the page on `origin` may read this answer: `*` (not a browser key), `origin`, or undefined. */
  const allowOf = async (request: FastifyRequest, origin: string): Promise<string | undefined> => {
    let auth: { tenantId: string; scope: string } | undefined = request.auth ?? undefined;
    if (!auth) {
      // Authentication failed (e.g. an expired subject token): the page may read why if its key's tenant allows it.
      const header = request.headers.authorization;
      auth = await tenants
        .authenticate(header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined)
        .catch(() => undefined);
      if (!auth) return undefined;
    }
    if (auth.scope !== 'publishable') return '*';
    const own = URL.canParse(origin) && new URL(origin).host === request.headers.host;
    return own || (await tenants.originAllowed(auth.tenantId, origin)) ? origin : undefined;
  };
  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin;
    if (origin === undefined || request.auth?.scope !== 'publishable' || !request.url.startsWith('/v1/')) return;
    if ((await allowOf(request, origin)) === undefined) {
      throw new AppError(
        'origin_not_allowed',
        403,
        `Pages on ${origin} may not call this API with this tenant's key.`,
        {
          hint: "Add the shop's origin with PUT /v1/allowed-origins (admin key), or call from your backend with a server key.",
        },
      );
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const origin = request.headers.origin;
    if (origin === undefined || !request.url.startsWith('/v1/')) return payload;
    const allow = await allowOf(request, origin);
    if (allow !== undefined) {
      reply.header('access-control-allow-origin', allow);
      reply.header('access-control-expose-headers', 'content-disposition');
      if (allow !== '*') reply.header('vary', 'Origin');
    }
    return payload;
  });
}
