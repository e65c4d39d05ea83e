/**
 * The SDK's words in English, French and Italian. Every text a customer sees
 * comes from here; the server localizes the reasons themselves.
 */

/**
 * The languages the SDK speaks.
 *
 * @example
 * LOCALES.includes('it'); // true
 */
export const LOCALES = ['en', 'fr', 'it'] as const;
/**
 * One of {@link LOCALES}.
 *
 * @example
 * const locale: Locale = pickLocale(navigator.language);
 */
export type Locale = (typeof LOCALES)[number];

/**
 * The first candidate we speak (by its language part), else English.
 *
 * @example
 * pickLocale(undefined, 'fr-CA', 'en'); // 'fr'
 */
export function pickLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const c of candidates) {
    const lang = c?.slice(0, 2).toLowerCase();
    if ((LOCALES as readonly string[]).includes(lang ?? '')) return lang as Locale;
  }
  return 'en';
}

/**
 * The purposes a shop usually asks for in its banner.
 *
 * @example
 * const purposes: BannerPurpose[] = ['personalization', 'measurement'];
 */
export type BannerPurpose = 'personalization' | 'measurement' | 'retargeting' | 'marketing_messages';

/**
 * A purpose in plain words: its name and what the customer gets in exchange.
 *
 * @example
 * const { name, gives }: PurposeText = MESSAGES.fr.purposes.measurement;
 */
export interface PurposeText {
  readonly name: string;
  readonly gives: string;
}

/**
 * The SDK's texts in one language.
 *
 * @example
 * const m: Messages = MESSAGES[pickLocale(document.documentElement.lang)];
 * m.why; // 'Why?'
 */
export interface Messages {
  readonly bannerTitle: string;
  readonly bannerText: string;
  readonly acceptAll: string;
  readonly refuseAll: string;
  readonly choose: string;
  readonly save: string;
  readonly gpc: string;
  readonly renew: string;
  readonly privacyCenter: string;
  readonly picked: string;
  readonly popular: string;
  readonly why: string;
  readonly notInterested: string;
  readonly noted: string;
  readonly close: string;
  readonly dataUsed: string;
  readonly loading: string;
  readonly failed: string;
  readonly purposes: Readonly<Record<BannerPurpose, PurposeText>>;
}

/**
 * The texts per language.
 *
 * @example
 * MESSAGES.it.acceptAll; // 'Accetta tutto'
 */
export const MESSAGES: Readonly<Record<Locale, Messages>> = {
  en: {
    bannerTitle: 'Your choices about your data',
    bannerText:
      'With your permission we use what you do in this shop for the purposes below. Nothing is used for a purpose you refuse, and you can change your mind at any time.',
    acceptAll: 'Accept all',
    refuseAll: 'Refuse all',
    choose: 'Choose per purpose',
    save: 'Save my choices',
    gpc: 'Your browser sends the Global Privacy Control signal: we do not use reminders of viewed items and never sell or share your data.',
    renew: 'Our privacy policy has changed since your last choice: please choose again.',
    privacyCenter: 'Privacy center',
    picked: 'Picked for you',
    popular: 'You might like',
    why: 'Why?',
    notInterested: 'Not interested',
    noted: 'Noted: we will not suggest it again.',
    close: 'Close',
    dataUsed: 'Data used:',
    loading: 'Loading…',
    failed: 'Sorry, this could not be loaded.',
    purposes: {
      personalization: {
        name: 'Personalized recommendations',
        gives: 'We use what you buy and look at here to suggest products. You get: items that suit you, first.',
      },
      measurement: {
        name: 'Measurement',
        gives: 'We count visits and clicks to improve the shop. You get: a better shop; nobody is targeted.',
      },
      retargeting: {
        name: 'Reminders of items you viewed',
        gives: 'We may show again items you looked at. You get: finding them easily; reminders stop after a few days.',
      },
      marketing_messages: {
        name: 'Offers by e-mail and messages',
        gives: 'We send you offers by e-mail, SMS or notification. You get: discounts chosen for you.',
      },
    },
  },
  fr: {
    bannerTitle: 'Vos choix sur vos données',
    bannerText:
      'Avec votre accord, nous utilisons ce que vous faites dans cette boutique pour les finalités ci-dessous. Rien n’est utilisé pour une finalité que vous refusez, et vous pouvez changer d’avis à tout moment.',
    acceptAll: 'Tout accepter',
    refuseAll: 'Tout refuser',
    choose: 'Choisir par finalité',
    save: 'Enregistrer mes choix',
    gpc: 'Votre navigateur envoie le signal Global Privacy Control : nous ne vous rappelons pas les articles consultés et ne vendons ni ne partageons jamais vos données.',
    renew: 'Notre politique de confidentialité a changé depuis votre dernier choix : merci de choisir à nouveau.',
    privacyCenter: 'Centre de confidentialité',
    picked: 'Choisis pour vous',
    popular: 'Vous aimerez peut-être',
    why: 'Pourquoi ?',
    notInterested: 'Pas intéressé',
    noted: 'C’est noté : nous ne vous le suggérerons plus.',
    close: 'Fermer',
    dataUsed: 'Données utilisées :',
    loading: 'Chargement…',
    failed: 'Désolé, le chargement a échoué.',
    purposes: {
      personalization: {
        name: 'Recommandations personnalisées',
        gives:
          'Nous utilisons vos achats et les articles consultés ici pour vous suggérer des produits. En échange : des articles qui vous correspondent, en premier.',
      },
      measurement: {
        name: 'Mesure d’audience',
        gives:
          'Nous comptons les visites et les clics pour améliorer la boutique. En échange : une meilleure boutique ; personne n’est ciblé.',
      },
      retargeting: {
        name: 'Rappels des articles consultés',
        gives:
          'Nous pouvons vous remontrer des articles consultés. En échange : les retrouver facilement ; les rappels cessent après quelques jours.',
      },
      marketing_messages: {
        name: 'Offres par e-mail et messages',
        gives:
          'Nous vous envoyons des offres par e-mail, SMS ou notification. En échange : des réductions choisies pour vous.',
      },
    },
  },
  it: {
    bannerTitle: 'Le tue scelte sui tuoi dati',
    bannerText:
      'Con il tuo permesso usiamo ciò che fai in questo negozio per le finalità qui sotto. Nulla viene usato per una finalità che rifiuti, e puoi cambiare idea in qualsiasi momento.',
    acceptAll: 'Accetta tutto',
    refuseAll: 'Rifiuta tutto',
    choose: 'Scegli per finalità',
    save: 'Salva le mie scelte',
    gpc: 'Il tuo browser invia il segnale Global Privacy Control: non ti ricordiamo gli articoli visti e non vendiamo né condividiamo mai i tuoi dati.',
    renew: 'La nostra informativa privacy è cambiata dalla tua ultima scelta: scegli di nuovo.',
    privacyCenter: 'Centro privacy',
    picked: 'Scelti per te',
    popular: 'Potrebbe piacerti',
    why: 'Perché?',
    notInterested: 'Non mi interessa',
    noted: 'Preso nota: non te lo suggeriremo più.',
    close: 'Chiudi',
    dataUsed: 'Dati usati:',
    loading: 'Caricamento…',
    failed: 'Spiacenti, il caricamento non è riuscito.',
    purposes: {
      personalization: {
        name: 'Consigli personalizzati',
        gives:
          'Usiamo i tuoi acquisti e gli articoli che guardi qui per suggerirti prodotti. In cambio: prima gli articoli adatti a te.',
      },
      measurement: {
        name: 'Misurazione',
        gives:
          'Contiamo visite e clic per migliorare il negozio. In cambio: un negozio migliore; nessuno viene profilato.',
      },
      retargeting: {
        name: 'Promemoria degli articoli visti',
        gives:
          'Potremmo mostrarti di nuovo articoli che hai guardato. In cambio: ritrovarli facilmente; i promemoria finiscono dopo pochi giorni.',
      },
      marketing_messages: {
        name: 'Offerte via e-mail e messaggi',
        gives: 'Ti inviamo offerte via e-mail, SMS o notifica. In cambio: sconti scelti per te.',
      },
    },
  },
};
