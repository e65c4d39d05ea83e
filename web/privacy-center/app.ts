/**
 * The privacy center: the customer's page, served by Pertinent at
 * /privacy-center. It acts for the subject of the subject token given in the
 * URL fragment (`#key=pk_…&token=…&lang=fr`; the fragment never
 * reaches a server and is removed from the address bar at once). Everything is
 * rendered from `state`; after each change the element that had the focus gets
 * it back, and the outcome is announced in the page's live region.
 */
import type { Client, Consents, Explanation } from '../../sdk/client.ts';
import { createClient, PertinentError } from '../../sdk/client.ts';
import { GPC_PURPOSES, gpcEnabled } from '../../sdk/consent.ts';
import { h } from '../../sdk/dom.ts';
import type { Locale } from '../../sdk/i18n.ts';
import { LOCALES, pickLocale } from '../../sdk/i18n.ts';
import type { CenterMessages, PurposeWords } from './messages.ts';
import { CENTER_MESSAGES, LANGUAGE_NAMES } from './messages.ts';

const BASE = ['personalization', 'measurement', 'retargeting', 'marketing_messages', 'location_offers', 'sale_sharing'];

interface Preferences {
  interests: { categories: string[]; topics: string[] };
  notInterested: { itemId?: string; category?: string; until?: string }[];
  [field: string]: unknown;
}

interface State {
  locale: Locale;
  client: Client | undefined;
  consents: Consents | undefined;
  prefs: Preferences | undefined;
  objecting: boolean | 'unavailable' | undefined;
  explanations: Explanation[];
  /** Where the next page of recent decisions starts (null: there is none). */
  olderCursor: string | null;
  confirmingErase: boolean;
  erased: boolean;
  notes: Partial<
    Record<'consents' | 'prefs' | 'recent' | 'download' | 'object' | 'erase' | 'load', string | undefined>
  >;
}

const STORE = 'pertinent.privacy-center';

function readAccess(): { key?: string; token?: string; lang?: string } {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('token')) {
    const access = Object.fromEntries(fragment);
    sessionStorage.setItem(STORE, JSON.stringify(access));
    history.replaceState(null, '', location.pathname + location.search);
    return access;
  }
  try {
    return JSON.parse(sessionStorage.getItem(STORE) ?? '{}');
  } catch {
    return {};
  }
}

const access = readAccess();
const state: State = {
  locale: pickLocale(new URLSearchParams(location.search).get('lang'), access.lang, navigator.language),
  client:
    access.key && access.token
      ? createClient({ endpoint: location.origin, key: access.key, token: access.token })
      : undefined,
  consents: undefined,
  prefs: undefined,
  objecting: undefined,
  explanations: [],
  olderCursor: null,
  confirmingErase: false,
  erased: false,
  notes: {},
};

const t = (): CenterMessages => CENTER_MESSAGES[state.locale];
const announcer = document.getElementById('announce') as HTMLElement;

/** Says `text` in the live region; the same text is also shown beside the control that caused it. */
function announce(text: string): void {
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

const unavailable = (e: unknown) => e instanceof PertinentError && e.status === 404 && e.code === 'route_not_found';
/** What to say when a call fails: an expired or invalid link asks for a new one. */
const fail = (e: unknown) =>
  unavailable(e) ? t().unavailable : e instanceof PertinentError && e.status === 401 ? t().noAccess : t().error;

function purposeWords(purpose: string): PurposeWords {
  const m = t();
  const known = m.purposes[purpose];
  if (known) return known;
  const cls = purpose.replace(/^sensitive:/, '');
  return m.sensitiveWords(m.sensitive[cls] ?? cls.replaceAll('_', ' '));
}

function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  // The browser's regional variant when it speaks the page's language (en-GB dates for a British browser).
  const regional = navigator.languages.filter((l) => l.toLowerCase().startsWith(state.locale));
  return new Intl.DateTimeFormat([...regional, state.locale], { dateStyle: 'long', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

// ------------------------------------------------------------------ actions

async function load(): Promise<void> {
  const c = state.client;
  if (!c) return render();
  const tasks: Promise<unknown>[] = [
    c.consents().then((x) => {
      state.consents = x;
    }),
    c.request<{ preferences: Preferences }>('GET', '/v1/subjects/me/preferences').then((x) => {
      state.prefs = x.preferences;
    }),
    c
      .request<{ objectToProfiling: boolean }>('GET', '/v1/subjects/me/restrictions')
      .then((x) => {
        state.objecting = x.objectToProfiling;
      })
      .catch((e) => {
        if (!unavailable(e)) throw e;
        state.objecting = 'unavailable';
      }),
    recentDecisions(c, undefined).then((page) => {
      state.explanations = page.decisions;
      state.olderCursor = page.nextCursor;
    }),
  ];
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r) => r.status === 'rejected');
  state.notes.load = failed ? fail((failed as PromiseRejectedResult).reason) : undefined;
  render();
}

const RECENT_PAGE = 5;

/** A page of the subject's recent decisions, explained in the page's language. */
function recentDecisions(c: Client, cursor: string | undefined) {
  const query = new URLSearchParams({ locale: state.locale, limit: String(RECENT_PAGE) });
  if (cursor !== undefined) query.set('cursor', cursor);
  return c.request<{ decisions: Explanation[]; nextCursor: string | null }>(
    'GET',
    `/v1/subjects/me/decisions?${query}`,
  );
}

async function showOlder(): Promise<void> {
  const c = state.client;
  if (!c || state.olderCursor === null) return;
  const firstNew = state.explanations.length;
  try {
    const page = await recentDecisions(c, state.olderCursor);
    state.explanations = [...state.explanations, ...page.decisions];
    state.olderCursor = page.nextCursor;
    state.notes.recent = undefined;
  } catch (e) {
    state.notes.recent = fail(e);
  }
  render();
  // The keyboard goes on to the first decision just shown (the button may be gone).
  const next = document.querySelectorAll<HTMLElement>('#recent .decision')[firstNew];
  next?.focus();
  if (state.notes.recent) announce(state.notes.recent);
}

async function choose(purpose: string, allow: boolean): Promise<void> {
  const c = state.client;
  const current = state.consents?.purposes.find((p) => p.purpose === purpose)?.status;
  const version = state.consents?.currentPolicyVersion;
  if (!c || !version) return;
  const status = allow ? 'granted' : current === 'granted' ? 'withdrawn' : 'denied';
  try {
    const res = await c.request<{ consents: Consents }>('POST', '/v1/consents', {
      policyVersion: version,
      choices: [{ purpose, status }],
      source: 'privacy-center',
    });
    state.consents = res.consents;
    state.notes.consents = t().saved(purposeWords(purpose).name, allow);
  } catch (e) {
    state.notes.consents = fail(e);
  }
  render();
  announce(state.notes.consents ?? '');
}

async function savePreferences(change: (p: Preferences) => void): Promise<void> {
  const c = state.client;
  if (!c || !state.prefs) return;
  const next: Preferences = structuredClone(state.prefs);
  change(next);
  // PUT replaces everything declared: send back every field, leaving out only empty ones.
  const body = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== null && v !== undefined));
  try {
    const res = await c.request<{ preferences: Preferences }>('PUT', '/v1/subjects/me/preferences', body);
    state.prefs = res.preferences;
    state.notes.prefs = t().prefsSaved;
  } catch (e) {
    state.notes.prefs = fail(e);
  }
  render();
  announce(state.notes.prefs ?? '');
}

async function download(): Promise<void> {
  const c = state.client;
  if (!c) return;
  try {
    const doc = await c.request<{ events?: unknown[] }>('GET', '/v1/subjects/me/export');
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
    const a = h('a', { href: url, download: 'my-data.json', hidden: '' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    state.notes.download = t().downloaded(doc.events?.length ?? 0);
  } catch (e) {
    state.notes.download = fail(e);
  }
  render();
  announce(state.notes.download ?? '');
}

async function object(on: boolean): Promise<void> {
  const c = state.client;
  if (!c) return;
  try {
    const res = await c.request<{ objectToProfiling: boolean }>('PUT', '/v1/subjects/me/restrictions', {
      objectToProfiling: on,
    });
    state.objecting = res.objectToProfiling;
    // The state line beside the button says it; only the live region repeats it.
    state.notes.object = undefined;
  } catch (e) {
    state.notes.object = fail(e);
  }
  render();
  announce(state.notes.object ?? (state.objecting ? t().objecting : t().notObjecting));
}

async function erase(): Promise<void> {
  const c = state.client;
  if (!c) return;
  try {
    await c.request('POST', '/v1/subjects/me/erasure', { confirm: true });
    state.erased = true;
    state.confirmingErase = false;
    sessionStorage.removeItem(STORE);
    state.notes.erase = t().erased;
  } catch (e) {
    state.notes.erase = fail(e);
  }
  render();
  document.getElementById('erase-done')?.focus();
  announce(state.notes.erase ?? '');
}

// ------------------------------------------------------------------ rendering

const button = (id: string, label: string, onClick: () => void, attrs: Record<string, string> = {}) => {
  const b = h('button', { type: 'button', id, ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
};
const note = (text: string | undefined) => (text ? h('p', { class: 'note' }, text) : '');
const section = (id: string, title: string, ...children: (Node | string)[]) =>
  h('section', { 'aria-labelledby': `h-${id}`, id }, h('h2', { id: `h-${id}` }, title), ...children);

function consentsSection(): HTMLElement {
  const m = t();
  const consents = state.consents;
  if (!consents) return section('consents', m.consentsTitle, h('p', {}, m.loading));
  const shown = consents.purposes.filter((p) => BASE.includes(p.purpose) || p.status !== 'unset');
  shown.sort((a, b) => ((BASE.indexOf(a.purpose) + 99) % 99) - ((BASE.indexOf(b.purpose) + 99) % 99));
  const canRecord = consents.currentPolicyVersion !== null;
  return section(
    'consents',
    m.consentsTitle,
    h('p', {}, m.consentsIntro),
    canRecord ? '' : h('p', { class: 'warn' }, m.noPolicy),
    ...shown.map((p) => {
      const words = purposeWords(p.purpose);
      const slug = p.purpose.replace(':', '-');
      const full = consents.purposes.find((x) => x.purpose === p.purpose) as { recordedAt?: string | null } | undefined;
      const statusText = `${m.status[p.status] ?? p.status}${
        p.status !== 'unset' && full?.recordedAt ? ` ${m.since} ${formatDate(full.recordedAt)}` : ''
      }`;
      const allowed = p.status === 'granted';
      const refused = p.status === 'denied' || p.status === 'withdrawn';
      return h(
        'div',
        { class: 'purpose', role: 'group', 'aria-labelledby': `n-${slug}`, 'data-purpose': p.purpose },
        h('h3', { id: `n-${slug}` }, words.name),
        h('p', {}, words.what),
        h('p', {}, h('strong', {}, m.youGet), ' ', words.gives),
        gpcEnabled() && GPC_PURPOSES.includes(p.purpose) ? h('p', { class: 'gpc' }, m.gpcNote) : '',
        h('p', { class: `state state-${p.status}`, id: `s-${slug}` }, statusText),
        h(
          'div',
          { class: 'choice' },
          button(`allow-${slug}`, m.allow, () => !allowed && choose(p.purpose, true), {
            'aria-pressed': String(allowed),
            'aria-describedby': `s-${slug}`,
            ...(canRecord ? {} : { disabled: '' }),
          }),
          button(`refuse-${slug}`, m.refuse, () => !refused && choose(p.purpose, false), {
            'aria-pressed': String(refused),
            'aria-describedby': `s-${slug}`,
            ...(canRecord ? {} : { disabled: '' }),
          }),
        ),
      );
    }),
    note(state.notes.consents),
  );
}

function preferencesSection(): HTMLElement {
  const m = t();
  const prefs = state.prefs;
  if (!prefs) return section('prefs', m.prefsTitle, h('p', {}, m.loading));
  const interests = [
    ...prefs.interests.categories.map((v) => ({ v, kind: 'categories' as const })),
    ...prefs.interests.topics.map((v) => ({ v, kind: 'topics' as const })),
  ];
  const input = h('input', {
    id: 'new-interest',
    name: 'interest',
    maxlength: '100',
    autocomplete: 'off',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'add' },
    h('label', { for: 'new-interest' }, m.addInterest),
    h('div', { class: 'row' }, input, h('button', { type: 'submit', id: 'add-interest' }, m.add)),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (v) savePreferences((p) => p.interests.topics.push(v));
  });
  // Items are named by their titles when a recent recommendation showed them.
  const titles = new Map(state.explanations.flatMap((ex) => ex.items.map((i) => [i.itemId, i.title] as const)));
  const label = (n: { itemId?: string; category?: string }) =>
    (n.itemId === undefined ? undefined : titles.get(n.itemId)) ?? n.itemId ?? n.category ?? '';
  return section(
    'prefs',
    m.prefsTitle,
    h('h3', {}, m.interests),
    interests.length === 0
      ? h('p', {}, m.noInterests)
      : h(
          'ul',
          { class: 'chips' },
          ...interests.map(({ v, kind }, i) =>
            h(
              'li',
              {},
              h('span', {}, v.replaceAll('_', ' ')),
              button(
                `rm-interest-${i}`,
                '×',
                () => savePreferences((p) => p.interests[kind].splice(p.interests[kind].indexOf(v), 1)),
                {
                  'aria-label': m.remove(v),
                  class: 'rm',
                },
              ),
            ),
          ),
        ),
    form,
    h('h3', {}, m.notInterested),
    prefs.notInterested.length === 0
      ? h('p', {}, m.noNotInterested)
      : h(
          'ul',
          { class: 'chips' },
          ...prefs.notInterested.map((n, i) =>
            h(
              'li',
              {},
              h('span', {}, label(n)),
              button(`rm-not-${i}`, '×', () => savePreferences((p) => p.notInterested.splice(i, 1)), {
                'aria-label': m.remove(label(n)),
                class: 'rm',
              }),
            ),
          ),
        ),
    ...otherDeclarations(prefs),
    note(state.notes.prefs),
  );
}

/** Contact data, channels, quiet hours and language, when declared (read-only here). */
function otherDeclarations(prefs: Preferences): HTMLElement[] {
  const m = t();
  const rows: [string, string][] = [];
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const email = text(prefs.email);
  const phone = text(prefs.phone);
  const channels = Array.isArray(prefs.channels) ? (prefs.channels as string[]) : [];
  const quiet = prefs.quietHours as { start: string; end: string; timeZone: string } | null | undefined;
  const locale = text(prefs.locale);
  if (email) rows.push([m.declaredLabels.email, email]);
  if (phone) rows.push([m.declaredLabels.phone, phone]);
  if (channels.length > 0) rows.push([m.declaredLabels.channels, channels.join(', ')]);
  if (quiet) rows.push([m.declaredLabels.quietHours, `${quiet.start}–${quiet.end} (${quiet.timeZone})`]);
  if (locale) rows.push([m.declaredLabels.locale, locale]);
  if (rows.length === 0) return [];
  return [
    h('h3', {}, m.otherDeclared),
    h('dl', { class: 'declared' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  ];
}

function recentSection(): HTMLElement {
  const m = t();
  if (state.explanations.length === 0) return section('recent', m.recentTitle, h('p', {}, m.recentNone));
  return section(
    'recent',
    m.recentTitle,
    h('p', {}, m.recentIntro),
    h(
      'ol',
      { class: 'decisions' },
      ...state.explanations.map((ex) =>
        h(
          'li',
          {},
          h(
            'article',
            {
              class: 'decision',
              'data-decision': ex.decisionId,
              'aria-labelledby': `d-${ex.decisionId}`,
              tabindex: '-1',
            },
            h('h3', { id: `d-${ex.decisionId}` }, m.shownOn(formatDate(ex.at), ex.placement)),
            h(
              'ul',
              {},
              ...ex.items.map((i) =>
                h(
                  'li',
                  { 'data-item': i.itemId },
                  h('strong', {}, i.title),
                  h('span', { class: 'why' }, ` ${m.why} `, i.reasons.map((r) => r.text).join('; ')),
                ),
              ),
            ),
            h('p', { class: 'used' }, ex.mode === 'personalized' ? `${m.dataUsed} ${ex.summary}` : ex.summary),
          ),
        ),
      ),
    ),
    state.olderCursor === null ? '' : button('older-recent', m.olderRecent, () => showOlder()),
    note(state.notes.recent),
  );
}

function dataSection(): HTMLElement {
  const m = t();
  const objecting = state.objecting;
  return section(
    'data',
    m.dataTitle,
    h(
      'div',
      { class: 'right' },
      h('h3', {}, m.download),
      h('p', {}, m.downloadHelp),
      button('download', m.download, () => download()),
      note(state.notes.download),
    ),
    h(
      'div',
      { class: 'right' },
      h('h3', {}, m.objectTitle),
      h('p', {}, m.objectHelp),
      objecting === 'unavailable'
        ? h('p', {}, m.unavailable)
        : h(
            'div',
            {},
            h('p', { id: 'object-state' }, objecting ? m.objecting : m.notObjecting),
            button('object', objecting ? m.unobject : m.object, () => object(!objecting), {
              'aria-describedby': 'object-state',
            }),
          ),
      note(state.notes.object),
    ),
    h(
      'div',
      { class: 'right danger' },
      h('h3', {}, m.eraseTitle),
      h('p', {}, m.eraseHelp),
      state.confirmingErase
        ? h(
            'div',
            { class: 'confirm', role: 'group', 'aria-labelledby': 'erase-q' },
            h('p', { id: 'erase-q' }, h('strong', {}, m.eraseConfirm)),
            h(
              'div',
              { class: 'row' },
              button('erase-yes', m.eraseYes, () => erase(), { class: 'danger' }),
              button('erase-cancel', m.cancel, () => {
                state.confirmingErase = false;
                render();
                document.getElementById('erase')?.focus();
              }),
            ),
          )
        : button('erase', m.erase, () => {
            state.confirmingErase = true;
            state.notes.erase = undefined;
            render();
            document.getElementById('erase-cancel')?.focus();
          }),
      note(state.notes.erase),
    ),
  );
}

function render(): void {
  const m = t();
  const focused = document.activeElement?.id;
  document.documentElement.lang = state.locale;
  document.title = m.title;
  const select = h(
    'select',
    { id: 'lang' },
    ...LOCALES.map((l) =>
      h('option', { value: l, lang: l, ...(l === state.locale ? { selected: '' } : {}) }, LANGUAGE_NAMES[l]),
    ),
  ) as HTMLSelectElement;
  select.addEventListener('change', () => {
    state.locale = pickLocale(select.value);
    const url = new URL(location.href);
    url.searchParams.set('lang', state.locale);
    history.replaceState(null, '', url);
    // Explanations are localized by the server: fetch them again in the new language.
    if (state.client) load();
    else render();
  });
  (document.getElementById('skip') as HTMLElement).textContent = m.skip;
  (document.getElementById('top') as HTMLElement).replaceChildren(
    h('h1', {}, m.title),
    h('div', { class: 'lang' }, h('label', { for: 'lang' }, m.language), select),
  );
  const main = document.getElementById('main') as HTMLElement;
  if (!state.client) {
    main.replaceChildren(h('p', { class: 'warn', role: 'alert' }, m.noAccess));
  } else if (state.erased) {
    main.replaceChildren(h('p', { class: 'done', id: 'erase-done', tabindex: '-1' }, m.erased));
  } else {
    main.replaceChildren(
      h('p', { class: 'intro' }, m.intro),
      state.notes.load ? h('p', { class: 'warn', role: 'alert' }, state.notes.load) : '',
      consentsSection(),
      preferencesSection(),
      recentSection(),
      dataSection(),
    );
  }
  if (focused) document.getElementById(focused)?.focus();
}

render();
load();
