import type { Client, ConsentChoice } from './client.ts';
import type { ConsentState } from './consent.ts';
import { GPC_PURPOSES } from './consent.ts';
import { h, injectStyles, nextId } from './dom.ts';
import type { BannerPurpose, Locale } from './i18n.ts';
import { MESSAGES } from './i18n.ts';

/**
 * What the banner needs.
 *
 * @example
 * const options: BannerOptions = { client, consent, locale: 'it', purposes: ['personalization'] };
 */
export interface BannerOptions {
  readonly client: Client;
  readonly consent: ConsentState;
  readonly locale: Locale;
  /** The purposes asked for, in this order. */
  readonly purposes: readonly BannerPurpose[];
  /** The policy version the choices are recorded under; defaults to the server's current one. */
  readonly policyVersion?: string | undefined;
  /** A link to the privacy center (with the key and token in its fragment). */
  readonly privacyCenterUrl?: string | undefined;
}

/**
 * Shows the consent banner. Its first layer offers "Refuse all" and "Accept
 * all" as two buttons of the same size and style, and "Choose per purpose",
 * which reveals one checkbox per purpose (none pre-ticked) with what the
 * person gets in exchange. With Global Privacy Control on, the purposes GPC
 * refuses are not offered and the banner says why. Resolves with the banner
 * element; it removes itself once the choice is recorded.
 *
 * @example
 * showConsentBanner({ client, consent, locale: 'fr', purposes: ['personalization', 'measurement'] });
 */
export function showConsentBanner(options: BannerOptions): HTMLElement {
  injectStyles();
  const { client, consent, locale } = options;
  const m = MESSAGES[locale];
  const offered = options.purposes.filter((p) => !(consent.gpc && GPC_PURPOSES.includes(p)));
  const titleId = nextId('pt-title');
  const listId = nextId('pt-purposes');
  const status = h('p', { role: 'status', class: 'pt-status' });
  const boxes = offered.map((p) =>
    h('input', { type: 'checkbox', name: p, value: p, ...(consent.granted(p) ? { checked: '' } : {}) }),
  ) as HTMLInputElement[];
  const list = h(
    'fieldset',
    { id: listId, hidden: '' },
    h('legend', {}, m.choose),
    ...offered.map((p, i) =>
      h(
        'label',
        {},
        boxes[i] as HTMLInputElement,
        h('span', {}, h('strong', {}, m.purposes[p].name), h('small', {}, m.purposes[p].gives)),
      ),
    ),
  );
  const button = (label: string, action: string) =>
    h('button', { type: 'button', class: 'pt-btn', 'data-pt': action }, label);
  const save = button(m.save, 'save');
  list.append(h('div', { class: 'pt-row' }, save));
  const toggle = h(
    'button',
    { type: 'button', class: 'pt-link', 'aria-expanded': 'false', 'aria-controls': listId },
    m.choose,
  );
  const banner = h(
    'section',
    { class: 'pt-banner', 'aria-labelledby': titleId, lang: locale, 'data-pt': 'banner' },
    h('h2', { id: titleId }, m.bannerTitle),
    h('p', {}, m.bannerText),
    offered.some((p) => consent.status(p) === 'needs_renewal') && h('p', { 'data-pt': 'renew' }, m.renew),
    consent.gpc && h('p', { 'data-pt': 'gpc' }, m.gpc),
    h('div', { class: 'pt-row' }, button(m.refuseAll, 'refuse'), button(m.acceptAll, 'accept')),
    h(
      'div',
      { class: 'pt-row' },
      toggle,
      options.privacyCenterUrl &&
        h('a', { href: options.privacyCenterUrl, target: '_blank', rel: 'noopener' }, m.privacyCenter),
    ),
    list,
    status,
  );

  toggle.addEventListener('click', () => {
    const open = list.hidden;
    list.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) boxes[0]?.focus();
  });
  const record = async (choose: (p: string, i: number) => boolean) => {
    const version = options.policyVersion ?? consent.policyVersion;
    if (!version) {
      status.textContent = m.failed;
      return;
    }
    const choices: ConsentChoice[] = offered.map((p, i) => consent.choice(p, choose(p, i)));
    try {
      const res = (await client.recordConsents(version, choices, 'banner')) as {
        consents: Parameters<ConsentState['set']>[0];
      };
      banner.remove();
      consent.set(res.consents);
    } catch {
      status.textContent = m.failed;
    }
  };
  banner.addEventListener('click', (e) => {
    const action = (e.target as HTMLElement).closest('[data-pt]')?.getAttribute('data-pt');
    if (action === 'accept') record(() => true);
    else if (action === 'refuse') record(() => false);
    else if (action === 'save') record((_, i) => boxes[i]?.checked === true);
  });
  document.querySelector('[data-pt=banner]')?.remove();
  document.body.prepend(banner);
  return banner;
}
