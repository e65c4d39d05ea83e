import type { Locale } from '../../sdk/i18n.ts';

/** A purpose in plain words: its name, what is done, and what the customer gets in exchange. */
export interface PurposeWords {
  readonly name: string;
  readonly what: string;
  readonly gives: string;
}

/** Every text of the privacy center in one language. */
export interface CenterMessages {
  readonly title: string;
  readonly intro: string;
  readonly skip: string;
  readonly language: string;
  readonly noAccess: string;
  readonly loading: string;
  readonly error: string;
  readonly unavailable: string;
  readonly consentsTitle: string;
  readonly consentsIntro: string;
  readonly allow: string;
  readonly refuse: string;
  readonly youGet: string;
  readonly status: Readonly<Record<string, string>>;
  readonly since: string;
  readonly gpcNote: string;
  readonly noPolicy: string;
  readonly saved: (purpose: string, allowed: boolean) => string;
  readonly prefsTitle: string;
  readonly interests: string;
  readonly noInterests: string;
  readonly addInterest: string;
  readonly add: string;
  readonly remove: (what: string) => string;
  readonly notInterested: string;
  readonly noNotInterested: string;
  readonly prefsSaved: string;
  readonly otherDeclared: string;
  readonly declaredLabels: Readonly<Record<'email' | 'phone' | 'channels' | 'quietHours' | 'locale', string>>;
  readonly recentTitle: string;
  readonly recentNone: string;
  readonly shownOn: (date: string, placement: string) => string;
  readonly dataUsed: string;
  readonly recentIntro: string;
  readonly why: string;
  readonly olderRecent: string;
  readonly dataTitle: string;
  readonly download: string;
  readonly downloadHelp: string;
  readonly downloaded: (events: number) => string;
  readonly objectTitle: string;
  readonly objectHelp: string;
  readonly object: string;
  readonly unobject: string;
  readonly objecting: string;
  readonly notObjecting: string;
  readonly eraseTitle: string;
  readonly eraseHelp: string;
  readonly erase: string;
  readonly eraseConfirm: string;
  readonly eraseYes: string;
  readonly cancel: string;
  readonly erased: string;
  readonly purposes: Readonly<Record<string, PurposeWords>>;
  readonly sensitive: Readonly<Record<string, string>>;
  readonly sensitiveWords: (cls: string) => PurposeWords;
}

const en: CenterMessages = {
  title: 'Your privacy center',
  intro:
    'Here you see what this shop does with your data, why you were shown each recommendation, and you can change your mind at any time.',
  skip: 'Skip to the content',
  language: 'Language',
  noAccess:
    'This page needs the link the shop gives you (it identifies you for a short time). Open the privacy center from the shop again.',
  loading: 'Loading…',
  error: 'Something went wrong; please try again.',
  unavailable: 'This is not available on this server yet.',
  consentsTitle: 'Your consents',
  consentsIntro:
    'Each use of your data needs your permission. Refusing or withdrawing is as easy as accepting, and withdrawing also deletes what was collected only for that use.',
  allow: 'Allow',
  refuse: 'Do not allow',
  youGet: 'What you get:',
  status: {
    granted: 'Allowed',
    denied: 'Not allowed',
    withdrawn: 'Withdrawn',
    needs_renewal: 'Our policy changed: please choose again',
    unset: 'You have not chosen yet',
  },
  since: 'since',
  gpcNote: 'Your browser sends the Global Privacy Control signal: this stays off unless you allow it here.',
  noPolicy: 'The shop has not published its privacy policy yet, so choices cannot be recorded.',
  saved: (p, a) => `Saved: ${p} is now ${a ? 'allowed' : 'not allowed'}.`,
  prefsTitle: 'What you told us',
  interests: 'Your interests',
  noInterests: 'You have not told us any interests.',
  addInterest: 'Add an interest',
  add: 'Add',
  remove: (w) => `Remove ${w}`,
  notInterested: 'Not interested',
  noNotInterested: 'You have not marked anything as not interesting.',
  prefsSaved: 'Your preferences are saved.',
  otherDeclared: 'Other things you told us',
  declaredLabels: {
    email: 'E-mail address',
    phone: 'Phone number',
    channels: 'Channels for offers',
    quietHours: 'Quiet hours',
    locale: 'Language',
  },
  recentTitle: 'Your recent recommendations',
  recentNone: 'We have not shown you any recommendations recently.',
  recentIntro: 'What we recommended to you lately, newest first, and why we showed each item.',
  why: 'Why:',
  olderRecent: 'Show older recommendations',
  shownOn: (d, p) => `Shown on ${d} (${p})`,
  dataUsed: 'Data used:',
  dataTitle: 'Your data',
  download: 'Download my data',
  downloadHelp: 'A file with everything we hold about you, in a machine-readable format (JSON).',
  downloaded: (n) => `Your data is downloaded (${n} events).`,
  objectTitle: 'Object to profiling',
  objectHelp:
    'If you object, nothing is chosen for you from your history any more: you see what everyone sees. Your data is kept until you erase it.',
  object: 'I object to profiling',
  unobject: 'Withdraw my objection',
  objecting: 'You object to profiling: recommendations are not personal.',
  notObjecting: 'You do not object to profiling.',
  eraseTitle: 'Erase my data',
  eraseHelp:
    'Erases everything about you: your events, what you told us, your consents and the recommendations made for you. This cannot be undone.',
  erase: 'Erase my data…',
  eraseConfirm: 'Do you really want to erase all your data? This cannot be undone.',
  eraseYes: 'Yes, erase everything',
  cancel: 'Cancel',
  erased: 'Your data has been erased. Only a record that an erasure happened, without your identity, is kept.',
  purposes: {
    personalization: {
      name: 'Personalized recommendations',
      what: 'We use what you buy and look at in this shop to choose the products we show you.',
      gives: 'items that suit you first, and fewer irrelevant suggestions.',
    },
    measurement: {
      name: 'Measurement',
      what: 'We count visits, views and clicks to know which pages and suggestions work.',
      gives: 'a better shop. The figures are counted for everyone together; nobody is targeted.',
    },
    retargeting: {
      name: 'Reminders of items you viewed',
      what: 'We may show you again items you looked at recently.',
      gives: 'finding them again easily. Reminders fade and stop after a few days, and stop at once if you buy.',
    },
    marketing_messages: {
      name: 'Offers by e-mail and messages',
      what: 'We send you offers by e-mail, SMS or notification, never during your quiet hours.',
      gives: 'discounts and news chosen for you.',
    },
    location_offers: {
      name: 'Offers near you',
      what: 'We use your location, when you share it, to show offers of nearby shops.',
      gives: 'offers you can use right where you are.',
    },
    sale_sharing: {
      name: 'Sharing with partners',
      what: 'We may share or sell data about you to partner companies.',
      gives: 'offers from our partners. Nothing is shared unless you allow it.',
    },
  },
  sensitive: {
    health: 'health',
    pregnancy_baby: 'pregnancy and babies',
    sexual_life: 'sexual life',
    religion: 'religion',
    political: 'political opinions',
    ethnic_origin: 'ethnic origin',
    finance_credit: 'finance and credit',
    children: 'children',
  },
  sensitiveWords: (c) => ({
    name: `What you told us about ${c}`,
    what: `We use the interest you declared in ${c} — never guessed from your purchases — to choose products.`,
    gives: 'products in the areas you told us about.',
  }),
};

const fr: CenterMessages = {
  title: 'Votre centre de confidentialité',
  intro:
    'Vous voyez ici ce que cette boutique fait de vos données, pourquoi chaque recommandation vous a été montrée, et vous pouvez changer d’avis à tout moment.',
  skip: 'Aller au contenu',
  language: 'Langue',
  noAccess:
    'Cette page a besoin du lien fourni par la boutique (il vous identifie pour un court moment). Ouvrez de nouveau le centre de confidentialité depuis la boutique.',
  loading: 'Chargement…',
  error: 'Une erreur est survenue ; veuillez réessayer.',
  unavailable: 'Ce n’est pas encore disponible sur ce serveur.',
  consentsTitle: 'Vos consentements',
  consentsIntro:
    'Chaque utilisation de vos données demande votre accord. Refuser ou retirer son accord est aussi simple qu’accepter, et le retrait efface aussi ce qui avait été collecté uniquement pour cette utilisation.',
  allow: 'Autoriser',
  refuse: 'Ne pas autoriser',
  youGet: 'Ce que vous y gagnez :',
  status: {
    granted: 'Autorisé',
    denied: 'Non autorisé',
    withdrawn: 'Retiré',
    needs_renewal: 'Notre politique a changé : merci de choisir à nouveau',
    unset: 'Vous n’avez pas encore choisi',
  },
  since: 'depuis le',
  gpcNote:
    'Votre navigateur envoie le signal Global Privacy Control : cette utilisation reste désactivée sauf si vous l’autorisez ici.',
  noPolicy:
    'La boutique n’a pas encore publié sa politique de confidentialité : les choix ne peuvent pas être enregistrés.',
  saved: (p, a) => `Enregistré : ${p} est désormais ${a ? 'autorisé' : 'non autorisé'}.`,
  prefsTitle: 'Ce que vous nous avez dit',
  interests: 'Vos centres d’intérêt',
  noInterests: 'Vous ne nous avez indiqué aucun centre d’intérêt.',
  addInterest: 'Ajouter un centre d’intérêt',
  add: 'Ajouter',
  remove: (w) => `Retirer ${w}`,
  notInterested: 'Ne m’intéresse pas',
  noNotInterested: 'Vous n’avez rien marqué comme sans intérêt.',
  prefsSaved: 'Vos préférences sont enregistrées.',
  otherDeclared: 'Autres informations que vous nous avez données',
  declaredLabels: {
    email: 'Adresse e-mail',
    phone: 'Numéro de téléphone',
    channels: 'Canaux pour les offres',
    quietHours: 'Heures de tranquillité',
    locale: 'Langue',
  },
  recentTitle: 'Vos recommandations récentes',
  recentNone: 'Nous ne vous avons montré aucune recommandation récemment.',
  recentIntro:
    'Ce que nous vous avons recommandé ces derniers temps, du plus récent au plus ancien, et pourquoi chaque article vous a été montré.',
  why: 'Pourquoi :',
  olderRecent: 'Afficher les recommandations plus anciennes',
  shownOn: (d, p) => `Affiché le ${d} (${p})`,
  dataUsed: 'Données utilisées :',
  dataTitle: 'Vos données',
  download: 'Télécharger mes données',
  downloadHelp: 'Un fichier avec tout ce que nous détenons sur vous, dans un format lisible par machine (JSON).',
  downloaded: (n) => `Vos données sont téléchargées (${n} événements).`,
  objectTitle: 'S’opposer au profilage',
  objectHelp:
    'Si vous vous y opposez, plus rien n’est choisi pour vous à partir de votre historique : vous voyez ce que tout le monde voit. Vos données sont conservées jusqu’à ce que vous les effaciez.',
  object: 'Je m’oppose au profilage',
  unobject: 'Retirer mon opposition',
  objecting: 'Vous vous opposez au profilage : les recommandations ne sont pas personnelles.',
  notObjecting: 'Vous ne vous opposez pas au profilage.',
  eraseTitle: 'Effacer mes données',
  eraseHelp:
    'Efface tout ce qui vous concerne : vos événements, ce que vous nous avez dit, vos consentements et les recommandations faites pour vous. C’est irréversible.',
  erase: 'Effacer mes données…',
  eraseConfirm: 'Voulez-vous vraiment effacer toutes vos données ? C’est irréversible.',
  eraseYes: 'Oui, tout effacer',
  cancel: 'Annuler',
  erased: 'Vos données ont été effacées. Seule une trace de l’effacement, sans votre identité, est conservée.',
  purposes: {
    personalization: {
      name: 'Recommandations personnalisées',
      what: 'Nous utilisons vos achats et les articles consultés dans cette boutique pour choisir les produits affichés.',
      gives: 'les articles qui vous correspondent en premier, et moins de suggestions sans rapport.',
    },
    measurement: {
      name: 'Mesure d’audience',
      what: 'Nous comptons les visites, les vues et les clics pour savoir quelles pages et suggestions fonctionnent.',
      gives: 'une meilleure boutique. Les chiffres sont agrégés ; personne n’est ciblé.',
    },
    retargeting: {
      name: 'Rappels des articles consultés',
      what: 'Nous pouvons vous remontrer des articles consultés récemment.',
      gives:
        'les retrouver facilement. Les rappels s’estompent et cessent après quelques jours, et dès que vous achetez.',
    },
    marketing_messages: {
      name: 'Offres par e-mail et messages',
      what: 'Nous vous envoyons des offres par e-mail, SMS ou notification, jamais pendant vos heures de tranquillité.',
      gives: 'des réductions et nouveautés choisies pour vous.',
    },
    location_offers: {
      name: 'Offres à proximité',
      what: 'Nous utilisons votre position, quand vous la partagez, pour montrer les offres des magasins proches.',
      gives: 'des offres utilisables là où vous êtes.',
    },
    sale_sharing: {
      name: 'Partage avec des partenaires',
      what: 'Nous pouvons partager ou vendre des données vous concernant à des entreprises partenaires.',
      gives: 'des offres de nos partenaires. Rien n’est partagé sans votre accord.',
    },
  },
  sensitive: {
    health: 'la santé',
    pregnancy_baby: 'la grossesse et les bébés',
    sexual_life: 'la vie sexuelle',
    religion: 'la religion',
    political: 'les opinions politiques',
    ethnic_origin: 'l’origine ethnique',
    finance_credit: 'les finances et le crédit',
    children: 'les enfants',
  },
  sensitiveWords: (c) => ({
    name: `Ce que vous nous avez dit sur ${c}`,
    what: `Nous utilisons l’intérêt que vous avez déclaré pour ${c} — jamais déduit de vos achats — pour choisir des produits.`,
    gives: 'des produits dans les domaines que vous nous avez indiqués.',
  }),
};

const it: CenterMessages = {
  title: 'Il tuo centro privacy',
  intro:
    'Qui vedi cosa fa questo negozio con i tuoi dati, perché ti è stato mostrato ogni consiglio, e puoi cambiare idea in qualsiasi momento.',
  skip: 'Vai al contenuto',
  language: 'Lingua',
  noAccess:
    'Questa pagina ha bisogno del link fornito dal negozio (ti identifica per poco tempo). Apri di nuovo il centro privacy dal negozio.',
  loading: 'Caricamento…',
  error: 'Si è verificato un errore; riprova.',
  unavailable: 'Non è ancora disponibile su questo server.',
  consentsTitle: 'I tuoi consensi',
  consentsIntro:
    'Ogni uso dei tuoi dati richiede il tuo permesso. Rifiutare o revocare è facile quanto accettare, e revocare cancella anche ciò che era stato raccolto solo per quell’uso.',
  allow: 'Consenti',
  refuse: 'Non consentire',
  youGet: 'Cosa ottieni:',
  status: {
    granted: 'Consentito',
    denied: 'Non consentito',
    withdrawn: 'Revocato',
    needs_renewal: 'La nostra informativa è cambiata: scegli di nuovo',
    unset: 'Non hai ancora scelto',
  },
  since: 'dal',
  gpcNote:
    'Il tuo browser invia il segnale Global Privacy Control: questo resta disattivato a meno che tu non lo consenta qui.',
  noPolicy:
    'Il negozio non ha ancora pubblicato l’informativa privacy, quindi le scelte non possono essere registrate.',
  saved: (p, a) => `Salvato: ${p} ora è ${a ? 'consentito' : 'non consentito'}.`,
  prefsTitle: 'Cosa ci hai detto',
  interests: 'I tuoi interessi',
  noInterests: 'Non ci hai indicato alcun interesse.',
  addInterest: 'Aggiungi un interesse',
  add: 'Aggiungi',
  remove: (w) => `Rimuovi ${w}`,
  notInterested: 'Non mi interessa',
  noNotInterested: 'Non hai segnato nulla come non interessante.',
  prefsSaved: 'Le tue preferenze sono salvate.',
  otherDeclared: 'Altre cose che ci hai detto',
  declaredLabels: {
    email: 'Indirizzo e-mail',
    phone: 'Numero di telefono',
    channels: 'Canali per le offerte',
    quietHours: 'Ore di silenzio',
    locale: 'Lingua',
  },
  recentTitle: 'I tuoi consigli recenti',
  recentNone: 'Di recente non ti abbiamo mostrato nessun consiglio.',
  recentIntro: 'Cosa ti abbiamo consigliato ultimamente, dal più recente, e perché ti abbiamo mostrato ogni articolo.',
  why: 'Perché:',
  olderRecent: 'Mostra i consigli meno recenti',
  shownOn: (d, p) => `Mostrato il ${d} (${p})`,
  dataUsed: 'Dati usati:',
  dataTitle: 'I tuoi dati',
  download: 'Scarica i miei dati',
  downloadHelp: 'Un file con tutto ciò che conserviamo su di te, in un formato leggibile da una macchina (JSON).',
  downloaded: (n) => `I tuoi dati sono stati scaricati (${n} eventi).`,
  objectTitle: 'Opposizione alla profilazione',
  objectHelp:
    'Se ti opponi, nulla viene più scelto per te dalla tua cronologia: vedi ciò che vedono tutti. I tuoi dati restano finché non li cancelli.',
  object: 'Mi oppongo alla profilazione',
  unobject: 'Revoca la mia opposizione',
  objecting: 'Ti opponi alla profilazione: i consigli non sono personali.',
  notObjecting: 'Non ti opponi alla profilazione.',
  eraseTitle: 'Cancella i miei dati',
  eraseHelp:
    'Cancella tutto ciò che ti riguarda: i tuoi eventi, ciò che ci hai detto, i tuoi consensi e i consigli fatti per te. Non si può annullare.',
  erase: 'Cancella i miei dati…',
  eraseConfirm: 'Vuoi davvero cancellare tutti i tuoi dati? Non si può annullare.',
  eraseYes: 'Sì, cancella tutto',
  cancel: 'Annulla',
  erased: 'I tuoi dati sono stati cancellati. Resta solo una traccia della cancellazione, senza la tua identità.',
  purposes: {
    personalization: {
      name: 'Consigli personalizzati',
      what: 'Usiamo i tuoi acquisti e gli articoli che guardi in questo negozio per scegliere i prodotti che ti mostriamo.',
      gives: 'prima gli articoli adatti a te, e meno suggerimenti fuori luogo.',
    },
    measurement: {
      name: 'Misurazione',
      what: 'Contiamo visite, visualizzazioni e clic per sapere quali pagine e suggerimenti funzionano.',
      gives: 'un negozio migliore. I numeri sono aggregati; nessuno viene profilato.',
    },
    retargeting: {
      name: 'Promemoria degli articoli visti',
      what: 'Potremmo mostrarti di nuovo articoli che hai guardato di recente.',
      gives: 'ritrovarli facilmente. I promemoria si attenuano e finiscono dopo pochi giorni, e subito se acquisti.',
    },
    marketing_messages: {
      name: 'Offerte via e-mail e messaggi',
      what: 'Ti inviamo offerte via e-mail, SMS o notifica, mai nelle tue ore di silenzio.',
      gives: 'sconti e novità scelti per te.',
    },
    location_offers: {
      name: 'Offerte vicino a te',
      what: 'Usiamo la tua posizione, quando la condividi, per mostrarti offerte dei negozi vicini.',
      gives: 'offerte da usare proprio dove sei.',
    },
    sale_sharing: {
      name: 'Condivisione con partner',
      what: 'Potremmo condividere o vendere dati che ti riguardano ad aziende partner.',
      gives: 'offerte dei nostri partner. Nulla viene condiviso senza il tuo permesso.',
    },
  },
  sensitive: {
    health: 'la salute',
    pregnancy_baby: 'la gravidanza e i neonati',
    sexual_life: 'la vita sessuale',
    religion: 'la religione',
    political: 'le opinioni politiche',
    ethnic_origin: 'l’origine etnica',
    finance_credit: 'le finanze e il credito',
    children: 'i bambini',
  },
  sensitiveWords: (c) => ({
    name: `Cosa ci hai detto su ${c}`,
    what: `Usiamo l’interesse che hai dichiarato per ${c} — mai dedotto dai tuoi acquisti — per scegliere i prodotti.`,
    gives: 'prodotti negli ambiti che ci hai indicato.',
  }),
};

/**
 * The privacy center's texts per language.
 *
 * @example
 * CENTER_MESSAGES.fr.download; // 'Télécharger mes données'
 */
export const CENTER_MESSAGES: Readonly<Record<Locale, CenterMessages>> = { en, fr, it };

/** The names shown in the language picker, each in its own language. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', fr: 'Français', it: 'Italiano' };
