/**
 * Pertinent's browser SDK: a consent banner, consent-gated event tracking,
 * a recommendation widget with "Why?" explanations, and a link to the
 * privacy center. No dependencies; built to one file (`npm run build:sdk`),
 * served by Pertinent at `/sdk/pertinent.js` (global `Pertinent`) and
 * `/sdk/pertinent.mjs` (ES module).
 *
 * @example
 * <script src="https://pertinent.example.com/sdk/pertinent.js"></script>
 * <script>
 *   Pertinent.init({ endpoint: 'https://pertinent.example.com', key: 'pk_…', token: '…' }).then((p) => {
 *     p.track({ type: 'view', itemId: 'coat-wool' });
 *     p.recommend(document.getElementById('recs'), { placement: 'home' });
 *   });
 * </script>
 */
import { showConsentBanner } from './banner.ts';
import type { ClientOptions, Consents, Decision } from './client.ts';
import { createClient, PertinentError } from './client.ts';
import { ConsentState } from './consent.ts';
import type { BannerPurpose, Locale } from './i18n.ts';
import { pickLocale } from './i18n.ts';
import type { TrackEvent, TrackOutcome } from './tracker.ts';
import { Tracker } from './tracker.ts';
import type { WidgetOptions } from './widget.ts';
import { renderWidget } from './widget.ts';

export type { Client, ClientOptions, Consents, Decision, Explanation } from './client.ts';
export { createClient, PertinentError } from './client.ts';
export { ConsentState, gpcEnabled } from './consent.ts';
export type { BannerPurpose, Locale } from './i18n.ts';
export { pickLocale } from './i18n.ts';
export type { TrackEvent, TrackOutcome } from './tracker.ts';
export type { WidgetOptions } from './widget.ts';

/**
 * How to start the SDK.
 *
 * @example
 * const options: InitOptions = { endpoint: 'https://p.example.com', key: 'pk_…', token, purposes: ['personalization'] };
 */
export interface InitOptions extends ClientOptions {
  /** `en`, `fr` or `it`; defaults to the page's `lang`, then the browser's language. */
  readonly locale?: string;
  /** The purposes the banner asks for (default: personalization, measurement, retargeting, marketing_messages). */
  readonly purposes?: readonly BannerPurpose[];
  /** Show the banner when a purpose is undecided (default true). */
  readonly banner?: boolean;
  /** The policy version choices are recorded under (default: the server's current one). */
  readonly policyVersion?: string;
  /** The privacy center's address (default: `<endpoint>/privacy-center`). */
  readonly privacyCenterUrl?: string;
}

/**
 * The SDK once started: see {@link init}.
 *
 * @example
 * const p: Pertinent = await init(options);
 * document.querySelector('#privacy')?.setAttribute('href', p.privacyCenterUrl());
 */
export interface Pertinent {
  readonly locale: Locale;
  readonly consent: ConsentState;
  /** Reports an event; sent only if its purpose is consented (see {@link TrackOutcome}). */
  track(event: TrackEvent): TrackOutcome;
  /** Fills `target` with recommendations and their "Why?" explanations. */
  recommend(target: Element, options: WidgetOptions): Promise<Decision>;
  /** Shows the consent banner again (e.g. from a "Cookie settings" link). */
  showBanner(): HTMLElement;
  /** Records choices made in your own consent UI (with `banner: false`) and acts on them at once. */
  setConsents(choices: Readonly<Record<string, boolean>>): Promise<void>;
  /** Reads the consents again, e.g. after your backend recorded them. */
  refreshConsents(): Promise<void>;
  /** The privacy center's address for this visitor (key, token and language in the fragment). */
  privacyCenterUrl(): string;
  /** Opens the privacy center in a new tab. */
  openPrivacyCenter(): void;
}

const DEFAULT_PURPOSES: readonly BannerPurpose[] = [
  'personalization',
  'measurement',
  'retargeting',
  'marketing_messages',
];

/**
 * Starts the SDK for the subject of `token`: reads their consents, shows the
 * banner if a purpose is undecided, and returns the tracker, widget and
 * privacy-center link. If the consents cannot be read, nothing is tracked.
 *
 * @example
 * const p = await init({ endpoint: 'https://p.example.com', key: 'pk_…', token, locale: 'it' });
 * p.track({ type: 'view', itemId: 'coat-wool' });
 * await p.recommend(document.querySelector('#recs')!, { placement: 'home' });
 */
export async function init(options: InitOptions): Promise<Pertinent> {
  const client = createClient(options);
  const locale = pickLocale(options.locale, document.documentElement.lang, navigator.language);
  const consent = new ConsentState();
  const tracker = new Tracker(client, consent);
  const purposes = options.purposes ?? DEFAULT_PURPOSES;
  const centerBase = options.privacyCenterUrl ?? `${client.endpoint}/privacy-center`;
  const privacyCenterUrl = () => {
    const f = new URLSearchParams({ key: options.key, token: options.token, lang: locale });
    return `${centerBase}#${f}`;
  };
  const showBanner = () =>
    showConsentBanner({
      client,
      consent,
      locale,
      purposes,
      policyVersion: options.policyVersion,
      privacyCenterUrl: privacyCenterUrl(),
    });
  try {
    consent.set(await client.consents());
  } catch {
    // Unknown consent: nothing is sent; events wait in memory for a decision.
  }
  if (options.banner !== false && consent.loaded && purposes.some((p) => consent.undecided(p))) showBanner();
  return {
    locale,
    consent,
    track: (event) => tracker.track(event),
    recommend: (target, widget) => renderWidget(target, { client, locale, tracker, privacyCenterUrl }, widget),
    showBanner,
    setConsents: async (choices) => {
      const version = options.policyVersion ?? consent.policyVersion;
      if (!version) throw new PertinentError(0, 'no_policy', 'No current policy version to record the choices under.');
      const list = Object.entries(choices).map(([purpose, yes]) => consent.choice(purpose, yes));
      const res = await client.recordConsents(version, list, 'sdk');
      consent.set((res as { consents: Consents }).consents);
    },
    refreshConsents: async () => consent.set(await client.consents()),
    privacyCenterUrl,
    openPrivacyCenter: () => {
      open(privacyCenterUrl(), '_blank', 'noopener');
    },
  };
}
