/**
 * The HTTP client of the browser SDK: every call carries the tenant's
 * publishable key and the subject token, so it acts only for that subject.
 * No cookies are used (`credentials: 'omit'`).
 */

/**
 * Where the API is and who is calling.
 *
 * @example
 * const options: ClientOptions = { endpoint: 'https://p.example.com', key: 'pk_live_…', token };
 */
export interface ClientOptions {
  /** The Pertinent server, e.g. `https://pertinent.example.com` (no trailing slash needed). */
  readonly endpoint: string;
  /** The tenant's publishable key (`pk_…`). */
  readonly key: string;
  /** The subject token your backend signed for this visitor (HS256, claims sub, tid, exp). */
  readonly token: string;
}

/**
 * A consent status as the API reports it for one purpose.
 *
 * @example
 * const undecided = (s: ConsentStatus) => s === 'unset' || s === 'needs_renewal';
 */
export type ConsentStatus = 'granted' | 'denied' | 'withdrawn' | 'needs_renewal' | 'unset';

/**
 * The effective consents of the subject (GET /v1/consents/me).
 *
 * @example
 * const { purposes }: Consents = await client.consents();
 * purposes.find((p) => p.purpose === 'personalization')?.status; // 'granted'
 */
export interface Consents {
  readonly subjectId: string;
  readonly currentPolicyVersion: string | null;
  readonly purposes: readonly { readonly purpose: string; readonly status: ConsentStatus }[];
}

/**
 * One choice sent to POST /v1/consents.
 *
 * @example
 * const choice: ConsentChoice = { purpose: 'measurement', status: 'withdrawn' };
 */
export interface ConsentChoice {
  readonly purpose: string;
  readonly status: 'granted' | 'denied' | 'withdrawn';
}

/**
 * One reason of a recommended item, localized by the server.
 *
 * @example
 * const reason: Reason = { code: 'bought', text: 'Because you bought Wool coat' };
 */
export interface Reason {
  readonly code: string;
  readonly text: string;
}

/**
 * A decision (POST /v1/decisions).
 *
 * @example
 * const d: Decision = await client.decide({ placement: 'home' }, 'en');
 * d.mode; // 'personalized' once the visitor consented to personalization
 */
export interface Decision {
  readonly decisionId: string;
  readonly placement: string;
  readonly mode: 'personalized' | 'contextual' | 'popular';
  readonly items: readonly { readonly itemId: string; readonly title: string; readonly reasons: readonly Reason[] }[];
  readonly locale: string;
  readonly explanationUrl: string;
}

/**
 * Why a decision was made (GET /v1/decisions/:id/explanation).
 *
 * @example
 * const why: Explanation = await client.explain(decision, 'fr');
 * why.items[0]?.reasons[0]?.text; // 'Parce que vous avez acheté Manteau en laine'
 */
export interface Explanation {
  readonly decisionId: string;
  readonly at: string;
  readonly placement: string;
  readonly mode: string;
  readonly summary: string;
  readonly items: readonly { readonly itemId: string; readonly title: string; readonly reasons: readonly Reason[] }[];
  readonly dataUsed: readonly { readonly category: string; readonly text: string }[];
  readonly controls: { readonly text: string; readonly url: string };
}

/**
 * An error answer of the API (problem+json): `code` is stable, `detail` says what happened.
 *
 * @example
 * try { await client.consents(); } catch (e) { if (e instanceof PertinentError && e.status === 401) renewToken(); }
 */
export class PertinentError extends Error {
  /** The HTTP status (0 when the server could not be reached). */
  readonly status: number;
  /** The stable error code, e.g. `invalid_subject_token`. */
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/**
 * The calls the SDK and the privacy center make.
 *
 * @example
 * const client: Client = createClient({ endpoint, key, token });
 * await client.request('PUT', '/v1/subjects/me/restrictions', { objectToProfiling: true });
 */
export interface Client {
  readonly endpoint: string;
  /** Any API call; JSON in, JSON out; throws {@link PertinentError}. */
  request<T>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T>;
  consents(): Promise<Consents>;
  recordConsents(policyVersion: string, choices: readonly ConsentChoice[], source: string): Promise<unknown>;
  decide(body: Record<string, unknown>, locale: string): Promise<Decision>;
  explain(decision: Pick<Decision, 'explanationUrl'>, locale: string): Promise<Explanation>;
}

/**
 * A client for the subject of `token`.
 *
 * @example
 * const client = createClient({ endpoint: 'https://p.example.com', key: 'pk_live_…', token });
 * const { purposes } = await client.consents();
 */
export function createClient(options: ClientOptions): Client {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const request = async <T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.key}`,
      'x-subject-token': options.token,
      ...(init.headers as Record<string, string> | undefined),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(endpoint + path, {
        ...init,
        method,
        headers,
        credentials: 'omit',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new PertinentError(0, 'network_error', String(error));
    }
    const type = res.headers.get('content-type') ?? '';
    const data = type.includes('json') ? await res.json() : res.status === 204 ? undefined : await res.text();
    if (!res.ok) {
      const p = (data ?? {}) as { code?: string; detail?: string };
      throw new PertinentError(res.status, p.code ?? 'http_error', p.detail ?? `HTTP ${res.status}`);
    }
    return data as T;
  };
  return {
    endpoint,
    request,
    consents: () => request<Consents>('GET', '/v1/consents/me'),
    recordConsents: (policyVersion, choices, source) =>
      request('POST', '/v1/consents', { policyVersion, choices, source }),
    decide: (body, locale) =>
      request<Decision>('POST', '/v1/decisions', body, { headers: { 'accept-language': locale } }),
    explain: (decision, locale) =>
      request<Explanation>('GET', `${decision.explanationUrl}?locale=${encodeURIComponent(locale)}`),
  };
}
