import type { EffectiveStatus } from '../consent/state.ts';
import type { Purpose } from '../purposes.ts';
import { sensitivePurpose } from '../purposes.ts';
import type { SensitiveClass } from '../sensitive.ts';
import { isSensitiveClass } from '../sensitive.ts';
import type {
  CatalogView,
  Channel,
  ConsentStates,
  Declarations,
  InteractionKind,
  NonPersonalCause,
  PlacementKind,
  SubjectRecords,
} from './types.ts';

/** One interaction as the view exposes it: never on a sensitive item the person did not declare. */
export interface ViewInteraction {
  readonly itemId: string;
  readonly kind: InteractionKind;
  readonly at: number;
}

/** A declared interest the view lets the decision use. */
export interface ViewInterest {
  readonly interest: string;
  /** Set when the interest is a sensitive class (declared and explicitly consented). */
  readonly sensitiveClass: SensitiveClass | null;
}

export interface ConsentedViewInput {
  readonly purpose: Purpose;
  readonly placementKind: PlacementKind;
  /** Undefined for an anonymous request. */
  readonly subjectId: string | undefined;
  readonly consents: ConsentStates;
  readonly records: SubjectRecords;
  readonly catalog: CatalogView;
  readonly gpc: boolean;
  readonly knownMinor: boolean;
  readonly controlGroup: boolean;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The only way the pipeline reads a subject's data: a view filtered by the
 * decision's purpose and the subject's consents, built once per decision by
 * {@link ConsentedView.build}. Its constructor is private, so no code path can
 * hold a subject's records without going through the filter.
 *
 * Rules:
 * - selection data (history, declared interests, location) is exposed only
 *   when consent for the decision's purpose is `granted`, and each record only
 *   when consent for the purpose it was collected for is granted too;
 * - interactions with items of a sensitive class are dropped, unless the
 *   person declared that class and gave explicit consent (`sensitive:<class>`);
 *   advertising never sees them at all;
 * - retargeting needs `retargeting` consent and no GPC signal;
 * - advertising to a known minor, or on an advertising placement with a
 *   sensitive interest, is never personal;
 * - objections ("not interested", dismissals) are always exposed: they can
 *   only remove items.
 *
 * @example
 * const view = ConsentedView.build({ purpose: 'personalization', consents, records, catalog, ... });
 * view.personal;   // false when consent is missing: the decision is contextual
 * view.history();  // [] then
 */
export class ConsentedView {
  readonly purpose: Purpose;
  /** True when the subject's data may be used to choose items. */
  readonly personal: boolean;
  readonly nonPersonalBecause: NonPersonalCause | null;
  readonly #history: readonly ViewInteraction[];
  /** {@link purchases}, computed on first use (the history never changes). */
  #purchases: ReadonlyMap<string, number> | undefined;
  readonly #interests: readonly ViewInterest[];
  readonly #sensitiveAllowed: ReadonlySet<SensitiveClass>;
  readonly #retargeting: boolean;
  readonly #location: boolean;
  readonly #objectedItems: ReadonlySet<string>;
  readonly #objectedCategories: readonly string[];
  readonly #dismissed: readonly { itemId: string; at: number }[];
  readonly #declarations: Declarations;
  readonly #messages: boolean;

  private constructor(fields: {
    purpose: Purpose;
    personal: boolean;
    nonPersonalBecause: NonPersonalCause | null;
    history: readonly ViewInteraction[];
    interests: readonly ViewInterest[];
    sensitiveAllowed: ReadonlySet<SensitiveClass>;
    retargeting: boolean;
    location: boolean;
    objectedItems: ReadonlySet<string>;
    objectedCategories: readonly string[];
    dismissed: readonly { itemId: string; at: number }[];
    declarations: Declarations;
    messages: boolean;
  }) {
    this.purpose = fields.purpose;
    this.personal = fields.personal;
    this.nonPersonalBecause = fields.nonPersonalBecause;
    this.#history = fields.history;
    this.#interests = fields.interests;
    this.#sensitiveAllowed = fields.sensitiveAllowed;
    this.#retargeting = fields.retargeting;
    this.#location = fields.location;
    this.#objectedItems = fields.objectedItems;
    this.#objectedCategories = fields.objectedCategories;
    this.#dismissed = fields.dismissed;
    this.#declarations = fields.declarations;
    this.#messages = fields.messages;
    Object.freeze(this);
  }

  /** Builds the view for one decision; the only constructor. */
  static build(input: ConsentedViewInput): ConsentedView {
    const status = (p: Purpose): EffectiveStatus => input.consents.get(p) ?? 'unset';
    const granted = (p: Purpose) => status(p) === 'granted';
    const { records, catalog } = input;
    const advertising = input.placementKind === 'advertising';

    // Objections are honoured whatever the consent: they only remove items.
    const objectedItems = new Set<string>();
    const objectedCategories: string[] = [];
    for (const v of records.declarations.notInterested?.values ?? EMPTY) {
      if (catalog.item(v)) objectedItems.add(v);
      else objectedCategories.push(v);
    }
    const dismissed = input.subjectId
      ? records.interactions.filter((i) => i.kind === 'dismiss').map((i) => ({ itemId: i.itemId, at: i.at }))
      : [];

    let cause: NonPersonalCause | null = null;
    if (input.subjectId === undefined) cause = 'anonymous';
    else if (input.controlGroup) cause = 'control_group';
    else if (advertising && input.knownMinor) cause = 'known_minor_advertising';
    else if (status(input.purpose) === 'needs_renewal') cause = 'needs_renewal';
    else if (!granted(input.purpose)) cause = 'no_consent';

    const base = {
      purpose: input.purpose,
      objectedItems,
      objectedCategories,
      dismissed,
      messages: input.subjectId !== undefined && granted('marketing_messages'),
    };
    if (cause !== null) {
      return new ConsentedView(
        Object.assign({}, base, {
          personal: false,
          nonPersonalBecause: cause,
          history: EMPTY,
          interests: EMPTY,
          sensitiveAllowed: new Set<SensitiveClass>(),
          retargeting: false,
          location: false,
          // Quiet hours and refused channels protect the person: honoured even when nothing else is read.
          declarations: Object.assign(
            {},
            records.declarations.quietHours ? { quietHours: records.declarations.quietHours } : {},
            records.declarations.channels ? { channels: records.declarations.channels } : {},
          ),
        }),
      );
    }

    // Explicit consent per sensitive class, and only for classes the person declared (never on advertising).
    const declaredInterests = records.declarations.interests;
    const interestsUsable = declaredInterests !== undefined && granted(declaredInterests.purpose);
    const sensitiveAllowed = new Set<SensitiveClass>();
    const interests: ViewInterest[] = [];
    if (interestsUsable) {
      for (const interest of declaredInterests.values) {
        const c = classOfInterest(interest, catalog);
        if (c === null) interests.push({ interest, sensitiveClass: null });
        else if (!advertising && granted(sensitivePurpose(c))) {
          sensitiveAllowed.add(c);
          interests.push({ interest, sensitiveClass: c });
        }
      }
    }

    const history: ViewInteraction[] = [];
    for (const i of records.interactions) {
      if (i.kind === 'dismiss' || !granted(i.purpose)) continue;
      const item = catalog.item(i.itemId);
      if (!item) continue;
      if (item.sensitiveClass !== null && !sensitiveAllowed.has(item.sensitiveClass)) continue;
      history.push({ itemId: i.itemId, kind: i.kind, at: i.at });
    }
    history.sort((a, b) => a.at - b.at);

    return new ConsentedView(
      Object.assign({}, base, {
        personal: true,
        nonPersonalBecause: null,
        history,
        interests,
        sensitiveAllowed,
        retargeting: granted('retargeting') && !input.gpc,
        location: granted('location_offers'),
        declarations: records.declarations,
      }),
    );
  }

  /** The subject's usable interactions, oldest first (empty when not personal). */
  history(): readonly ViewInteraction[] {
    return this.#history;
  }

  /** Items bought, with the time of the last purchase. */
  purchases(): ReadonlyMap<string, number> {
    if (this.#purchases) return this.#purchases;
    const out = new Map<string, number>();
    for (const h of this.#history) if (h.kind === 'purchase') out.set(h.itemId, Math.max(out.get(h.itemId) ?? 0, h.at));
    this.#purchases = out;
    return out;
  }

  /** Viewed or carted but never bought, with the time of the last view; empty without retargeting consent or with GPC. */
  retargetable(): ReadonlyMap<string, number> {
    if (!this.#retargeting) return new Map();
    const bought = this.purchases();
    const out = new Map<string, number>();
    for (const h of this.#history) {
      if (h.kind === 'purchase' || bought.has(h.itemId)) continue;
      out.set(h.itemId, Math.max(out.get(h.itemId) ?? 0, h.at));
    }
    return out;
  }

  /** Declared interests the decision may use. */
  interests(): readonly ViewInterest[] {
    return this.#interests;
  }

  /** True when the person declared this sensitive class and consented to its use explicitly. */
  maySelectSensitive(c: SensitiveClass): boolean {
    return this.#sensitiveAllowed.has(c);
  }

  /** True when a location-triggered message may be sent. */
  mayUseLocation(): boolean {
    return this.#location;
  }

  /** True when marketing messages are consented (checked even for non-personal messages). */
  mayMessage(): boolean {
    return this.#messages;
  }

  /** Whether the person objected to this item (declared "not interested" in it or its category, or dismissed it since `dismissedSince`). */
  objectsTo(itemId: string, category: string, dismissedSince: number): boolean {
    if (this.#objectedItems.has(itemId)) return true;
    for (const c of this.#objectedCategories) if (category === c || category.startsWith(`${c}/`)) return true;
    for (const d of this.#dismissed) if (d.itemId === itemId && d.at >= dismissedSince) return true;
    return false;
  }

  /** True when objections exist at all (for the audit record). */
  hasObjections(): boolean {
    return this.#objectedItems.size > 0 || this.#objectedCategories.length > 0 || this.#dismissed.length > 0;
  }

  /** Channels the person accepts, or undefined when they said nothing (only when personal). */
  channels(): readonly Channel[] | undefined {
    return this.#declarations.channels?.values;
  }

  /** Quiet hours, when declared (honoured also for non-personal messages: they protect the person). */
  quietHours(): Declarations['quietHours'] {
    return this.#declarations.quietHours;
  }

  /** The locale the person declared. */
  locale(): string | undefined {
    return this.#declarations.locale;
  }
}

/**
 * The sensitive class of a declared interest: the class itself, or that of the
 * category path it names, or null.
 */
export function classOfInterest(interest: string, catalog: CatalogView): SensitiveClass | null {
  const c = catalog.classOfCategory(interest);
  if (c !== null) return c;
  return isSensitiveClass(interest) ? interest : null;
}
