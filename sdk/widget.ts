import type { Client, Decision, Explanation } from './client.ts';
import { h, injectStyles, nextId } from './dom.ts';
import type { Locale } from './i18n.ts';
import { MESSAGES } from './i18n.ts';
import type { Tracker } from './tracker.ts';

/**
 * Which placement to fill and how.
 *
 * @example
 * const options: WidgetOptions = { placement: 'product-page', context: { itemId: 'coat-wool' }, limit: 4 };
 */
export interface WidgetOptions {
  /** The placement id configured in Pertinent, e.g. `home` or `product-page`. */
  readonly placement: string;
  /** What the page is about: the item or category shown, a search. */
  readonly context?: { readonly itemId?: string; readonly category?: string; readonly search?: string };
  /** How many items (default 4). */
  readonly limit?: number;
  /** The link of an item in your shop; without it items are not links. */
  readonly href?: (itemId: string) => string;
  /** The heading; defaults to "Picked for you" (personalized) or "You might like". */
  readonly title?: string;
}

/**
 * What the widget needs from the SDK.
 *
 * @example
 * const deps: WidgetDeps = { client, locale: 'en', tracker };
 */
export interface WidgetDeps {
  readonly client: Client;
  readonly locale: Locale;
  readonly tracker?: Tracker | undefined;
  /** The privacy center's address, asked when an explanation opens. */
  readonly privacyCenterUrl?: (() => string) | undefined;
  /** Told of each decision shown, so the privacy center can list them. */
  readonly onDecision?: ((decision: Decision) => void) | undefined;
}

/**
 * Fills `target` with the items Pertinent decides for a placement, each with
 * a "Why?" button that opens the explanation (the reasons, the data used and
 * a link to the privacy center) right below it; Escape closes it. Clicks are
 * reported through the tracker, which sends them only with consent.
 *
 * @example
 * await renderWidget(document.querySelector('#recs')!, deps, { placement: 'home', href: (id) => `/p/${id}` });
 */
export async function renderWidget(target: Element, deps: WidgetDeps, options: WidgetOptions): Promise<Decision> {
  injectStyles();
  const m = MESSAGES[deps.locale];
  const decision = await deps.client.decide(
    {
      placement: options.placement,
      limit: options.limit ?? 4,
      context: { ...options.context, locale: deps.locale },
    },
    deps.locale,
  );
  deps.onDecision?.(decision);
  let explanation: Promise<Explanation> | undefined;
  const titleId = nextId('pt-w');
  const list = h('ul', { class: 'pt-list' });
  const status = h('p', { role: 'status', class: 'pt-note' });
  const heading = h('h2', { id: titleId, tabindex: '-1' });
  for (const item of decision.items) {
    const popId = nextId('pt-pop');
    const why = h(
      'button',
      { type: 'button', class: 'pt-why', 'aria-expanded': 'false', 'aria-controls': popId, 'data-pt': 'why' },
      m.why,
    );
    why.setAttribute('aria-label', `${m.why} ${item.title}`);
    const pop = h('div', { id: popId, class: 'pt-pop', hidden: '', 'aria-live': 'polite', 'data-pt': 'explanation' });
    const close = () => {
      pop.hidden = true;
      why.setAttribute('aria-expanded', 'false');
    };
    why.addEventListener('click', async () => {
      if (!pop.hidden) return close();
      pop.hidden = false;
      why.setAttribute('aria-expanded', 'true');
      // Opens towards the side with room, so it never runs off the screen.
      pop.classList.toggle('pt-flip', why.getBoundingClientRect().left + 300 > innerWidth);
      pop.replaceChildren(m.loading);
      try {
        explanation ??= deps.client.explain(decision, deps.locale);
        const ex = await explanation;
        const reasons = ex.items.find((i) => i.itemId === item.itemId)?.reasons ?? item.reasons;
        const closeBtn = h('button', { type: 'button', class: 'pt-link' }, m.close);
        closeBtn.addEventListener('click', () => {
          close();
          why.focus();
        });
        pop.replaceChildren(
          h('ul', {}, ...reasons.map((r) => h('li', {}, r.text))),
          h('small', {}, ex.mode === 'personalized' ? `${m.dataUsed} ${ex.summary}` : ex.summary),
          h('small', {}, ex.controls.text),
          h(
            'div',
            { class: 'pt-row' },
            deps.privacyCenterUrl
              ? h('a', { href: deps.privacyCenterUrl(), target: '_blank', rel: 'noopener' }, m.privacyCenter)
              : '',
            closeBtn,
          ),
        );
      } catch {
        explanation = undefined;
        pop.replaceChildren(m.failed);
      }
    });
    pop.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        close();
        why.focus();
      }
    });
    why.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
    });
    const no = h(
      'button',
      {
        type: 'button',
        class: 'pt-why',
        'data-pt': 'not-interested',
        'aria-label': `${m.notInterested}: ${item.title}`,
      },
      m.notInterested,
    );
    no.addEventListener('click', async () => {
      try {
        await declareNotInterested(deps.client, item.itemId);
        deps.tracker?.track({ type: 'dismiss', itemId: item.itemId, placement: options.placement });
        li.remove();
        status.textContent = `${item.title}: ${m.noted}`;
        heading.focus();
      } catch {
        status.textContent = m.failed;
      }
    });
    const name = options.href ? h('a', { href: options.href(item.itemId) }, item.title) : h('span', {}, item.title);
    name.addEventListener('click', () =>
      deps.tracker?.track({ type: 'click', itemId: item.itemId, placement: options.placement }),
    );
    const li = h(
      'li',
      { class: 'pt-item', 'data-item': item.itemId },
      name,
      h('div', { class: 'pt-row' }, why, no),
      pop,
    );
    list.append(li);
  }
  heading.textContent = options.title ?? (decision.mode === 'personalized' ? m.picked : m.popular);
  target.replaceChildren(
    h(
      'section',
      { class: 'pt-widget', 'aria-labelledby': titleId, lang: deps.locale, 'data-mode': decision.mode },
      heading,
      list,
      status,
    ),
  );
  return decision;
}

/**
 * Adds an item to what the subject declared "not interested" in, keeping
 * every other declaration (the preferences route replaces them all).
 *
 * @example
 * await declareNotInterested(client, 'cat-food-salmon');
 */
export async function declareNotInterested(client: Client, itemId: string): Promise<void> {
  const path = '/v1/subjects/me/preferences';
  const { preferences } = await client.request<{ preferences: Record<string, unknown> }>('GET', path);
  const body: Record<string, unknown> = { source: 'web' };
  for (const [k, v] of Object.entries(preferences)) if (v !== null) body[k] = v;
  body.notInterested = [...((preferences.notInterested as unknown[] | undefined) ?? []), { itemId }];
  await client.request('PUT', path, body);
}
