import type { EffectiveStatus } from '../consent/state.ts';
import type { Purpose } from '../purposes.ts';
import type { SensitiveClass } from '../sensitive.ts';

/**
 * Types of the decision pipeline. Everything here is plain data: the pipeline
 * is a pure function from a {@link DecisionInput} to a {@link DecisionOutcome}
 * (see `pipeline.ts` and docs/adr/0005-decision-pipeline.md).
 *
 * @module
 */

/** How personal a decision was: from the subject's own data, from the request only, or for everybody. */
export type DecisionMode = 'personalized' | 'contextual' | 'popular';

/** What a placement is: on a site/app, a message channel, or advertising (stricter rules, DSA Art. 26/28). */
export type PlacementKind = 'onsite' | 'email' | 'sms' | 'push' | 'advertising';

/** Message channels, which have weekly caps and quiet hours. */
export type Channel = 'email' | 'sms' | 'push';
export const MESSAGE_KINDS: readonly PlacementKind[] = ['email', 'sms', 'push'];

/**
 * Categories of personal data a decision can rely on, named after the IAB Tech
 * Lab Privacy Taxonomy (`user.behavior.*`, `user.location`...), so records of
 * processing map onto a known vocabulary.
 *
 * Selection categories choose items and need consent for the decision's
 * purpose. Suppression categories can only *remove* items (the person's
 * objections, what we already showed them); they are honoured whatever the
 * consent, because ignoring an objection would be worse (GDPR Art. 21).
 */
export const SELECTION_CATEGORIES = [
  'user.behavior.purchase_history',
  'user.behavior.browsing_history',
  'user.preference.declared_interests',
  'user.location',
] as const;
export type SelectionCategory = (typeof SELECTION_CATEGORIES)[number];
export const SUPPRESSION_CATEGORIES = ['user.preference.objections', 'system.frequency_counters'] as const;
export type SuppressionCategory = (typeof SUPPRESSION_CATEGORIES)[number];
export type DataCategory = SelectionCategory | SuppressionCategory;

/** The non-personal context of a request: what the page or the venue is about. */
export interface DecisionContext {
  /** The item the page shows. */
  readonly itemId?: string;
  /** The category the page shows (a normalized path). */
  readonly category?: string;
  /** What the person searched for on this page. */
  readonly search?: string;
  /** A venue (shop, screen location) for contextual placements. */
  readonly venue?: string;
  /** The locale the answer is rendered in (en, fr, it; others fall back to en). */
  readonly locale?: string;
  /** Messages: what triggered it. A `location` trigger needs `location_offers` consent. */
  readonly trigger?: 'schedule' | 'event' | 'location';
}

/** A request for a decision, after authentication. */
export interface DecisionRequest {
  readonly tenantId: string;
  readonly placement: string;
  /** The subject, or undefined for an anonymous request (always non-personal). */
  readonly subjectId: string | undefined;
  readonly purpose: Purpose;
  readonly context: DecisionContext;
  readonly limit: number;
  /** Item ids never to return in this answer. */
  readonly exclude: readonly string[];
  /** The request carried a Global Privacy Control signal (`Sec-GPC: 1`). */
  readonly gpc: boolean;
  /** The caller knows the subject is a minor (no profiling-based advertising, DSA Art. 28(2)). */
  readonly knownMinor: boolean;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** One frequency cap: at most `limit` per `windowMs` for each key of `scope`, per subject. */
export interface CapRule {
  readonly scope: 'placement' | 'campaign' | 'item' | 'channel';
  readonly limit: number;
  readonly windowMs: number;
}

/** How the shop configured a placement. Every field has a privacy-protective default. */
export interface PlacementConfig {
  readonly id: string;
  readonly kind: PlacementKind;
  /** The campaign this placement serves, for campaign caps. */
  readonly campaign?: string;
  readonly caps: readonly CapRule[];
  readonly rules: BusinessRules;
  /** Most items of one category (leaf path) in one slate. */
  readonly maxPerCategory: number;
  /** Share of the slate (0..1) given to exploration (popular items the person has not seen). */
  readonly exploration: number;
  /** Share of subjects (0..1) who get the non-personalized version, stable per subject. */
  readonly controlShare: number;
  readonly retargeting: RetargetingConfig;
  readonly suppression: SuppressionConfig;
  /** Messages: a person's quiet hours are honoured (the decision is empty during them). */
  readonly honourQuietHours: boolean;
}

export interface RetargetingConfig {
  readonly enabled: boolean;
  /** A viewed-but-not-bought item's weight halves every this many days… */
  readonly halfLifeDays: number;
  /** …and it stops being retargeted after this many days. */
  readonly maxAgeDays: number;
  /** At most this many retargeting impressions of one item. */
  readonly maxImpressions: number;
}

export interface SuppressionConfig {
  /** A bought item is not recommended again for this many days. */
  readonly purchasedDays: number;
  /** Nor its substitutes (items of the same leaf category). */
  readonly substitutes: boolean;
  /** A dismissed item is not shown again for this many days. */
  readonly dismissedDays: number;
}

export interface BusinessRules {
  /** Only items of these categories (and their descendants); empty = all. */
  readonly includeCategories: readonly string[];
  readonly excludeCategories: readonly string[];
  readonly excludeItems: readonly string[];
  /** Multiply the score of matching items. */
  readonly boosts: readonly { readonly category?: string; readonly itemId?: string; readonly factor: number }[];
  /** Items placed at a position (0-based) whatever their score, if they pass every guardrail. */
  readonly pinned: readonly { readonly itemId: string; readonly position: number }[];
  /** Items whose `stock` attribute is below this are left out (unavailable items always are). */
  readonly minStock: number;
}

/** A catalog item as the pipeline sees it (no personal data). */
export interface CatalogItem {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly sensitiveClass: SensitiveClass | null;
  readonly available: boolean;
  readonly stock: number | null;
}

/** Read-only catalog access for the pipeline. */
export interface CatalogView {
  item(id: string): CatalogItem | undefined;
  /** The sensitive class of a category path (nearest tagged ancestor), or null. */
  classOfCategory(path: string): SensitiveClass | null;
  /** True when the tenant has this category (or items in it). */
  hasCategory(path: string): boolean;
  /** A readable name for a category path (for explanations). */
  categoryName(path: string): string;
}

/** Observed interactions, as the consented view exposes them. */
export type InteractionKind = 'view' | 'cart' | 'purchase';

/** One interaction of a subject with an item. */
export interface Interaction {
  readonly itemId: string;
  readonly kind: InteractionKind | 'dismiss';
  readonly at: number;
  /** The purpose the event was collected for. */
  readonly purpose: Purpose;
}

/** What the subject told us (zero-party data), with the purpose each was collected for. */
export interface Declarations {
  /** Interests: category paths, sensitive classes, or free words. */
  readonly interests?: { readonly values: readonly string[]; readonly purpose: Purpose };
  /** "Not interested": item ids or category paths. */
  readonly notInterested?: { readonly values: readonly string[] };
  /** Channels the person accepts messages on; absent = no preference stated. */
  readonly channels?: { readonly values: readonly Channel[]; readonly purpose: Purpose };
  /** Quiet hours in the person's time zone, `HH:MM` to `HH:MM` (may wrap midnight). */
  readonly quietHours?: { readonly from: string; readonly to: string; readonly timeZone: string };
  readonly locale?: string;
}

/** Everything the services know about a subject, before any consent filtering. Never passed to models. */
export interface SubjectRecords {
  readonly interactions: readonly Interaction[];
  readonly declarations: Declarations;
}

/** Effective consent per purpose (anything missing is `unset`). */
export type ConsentStates = ReadonlyMap<Purpose, EffectiveStatus>;

/** How many times something was already shown to the subject, for frequency caps. */
export interface CapCounters {
  /** Impressions of `key` in `scope` at or after `since`. */
  count(scope: CapRule['scope'] | 'retarget', key: string, since: number): number;
}

/** A scored item proposed by a candidate source. */
export interface Scored {
  readonly itemId: string;
  readonly score: number;
  /** The history or context item that led to it. */
  readonly anchor?: string;
  /**
   * The item's entry in the catalog the decision uses, when the source holds
   * it already (a cached list): the pipeline then does not look it up again.
   */
  readonly item?: CatalogItem | undefined;
}

/**
 * The models, as the pipeline calls them. A personal source is only ever given
 * what the consented view exposes; the pipeline checks every anchor a source
 * returns against what it was given.
 */
export interface CandidateSources {
  /** Items bought with the anchors (complements). */
  complements(anchorIds: readonly string[], k: number): readonly Scored[];
  /** Items like the anchor (substitutes). */
  similar(itemId: string, k: number): readonly Scored[];
  /** Personal top-N from a history (oldest first); each result names its anchor. */
  personal(history: readonly { itemId: string; kind: InteractionKind }[], k: number): readonly Scored[];
  /** Popular this week, in a category (and descendants) or overall. */
  popular(category: string | undefined, k: number): readonly Scored[];
  /** Items matching a search text. */
  search?(query: string, k: number): readonly Scored[];
  /** Items suited to a venue (contextual advertising, issue 6). */
  venue?(venue: string, k: number): readonly Scored[];
}

/** Reason codes, rendered by `src/core/explain`. */
export type ReasonCode =
  | 'bought'
  | 'viewed'
  | 'declared_interest'
  | 'retargeting'
  | 'goes_with_current'
  | 'similar_to_current'
  | 'matches_search'
  | 'popular_in_category'
  | 'popular'
  | 'at_venue'
  | 'featured'
  | 'exploration';

/** Where a reason's signal came from. Only `observed` and `declared` are personal. */
export type Basis = 'observed' | 'declared' | 'context' | 'none';

/** One reason for an item: a code, its parameters (ids, not texts) and the data it used. */
export interface Reason {
  readonly code: ReasonCode;
  readonly basis: Basis;
  /** Item id behind the reason (an anchor from the history or the context). */
  readonly item?: string;
  /** The interest or category behind the reason. */
  readonly interest?: string;
  readonly category?: string;
  readonly venue?: string;
  readonly dataCategories: readonly SelectionCategory[];
  /** The consents the reason relied on. */
  readonly consents: readonly Purpose[];
}

/** A candidate moving through the pipeline. */
export interface Candidate {
  readonly itemId: string;
  /** The catalog entry of `itemId`, looked up once when the candidate is made. */
  readonly item: CatalogItem;
  readonly score: number;
  readonly reason: Reason;
}

/** One item of the answer. */
export interface DecidedItem {
  readonly itemId: string;
  /** Its catalog entry (title, category) as the decision saw it. */
  readonly item: CatalogItem;
  readonly score: number;
  readonly reasons: readonly Reason[];
}

/** What a decision relied on, kept for audit: categories and consents, never the raw data. */
export interface AuditRecord {
  readonly decisionId: string;
  readonly tenantId: string;
  readonly subjectId: string | null;
  readonly placement: string;
  readonly placementKind: PlacementKind;
  readonly purpose: Purpose;
  readonly mode: DecisionMode;
  readonly controlGroup: boolean;
  /** Why the decision was not personal, when it was not. */
  readonly nonPersonalBecause: NonPersonalCause | null;
  readonly items: readonly { readonly itemId: string; readonly reasons: readonly Reason[] }[];
  readonly dataCategories: readonly SelectionCategory[];
  readonly suppressionCategories: readonly SuppressionCategory[];
  readonly consents: readonly Purpose[];
  /** Which context fields were used (names only). */
  readonly contextUsed: readonly (keyof DecisionContext)[];
  readonly locale: string;
  readonly at: number;
}

/** Why a decision did not use the subject's data. */
export type NonPersonalCause =
  | 'anonymous'
  | 'no_consent'
  | 'needs_renewal'
  | 'control_group'
  | 'known_minor_advertising'
  | 'advertising_contextual_only';

/** Counters to add after the decision is served. */
export interface CounterIncrement {
  readonly scope: CapRule['scope'] | 'retarget';
  readonly key: string;
}

export interface DecisionOutcome {
  readonly items: readonly DecidedItem[];
  readonly mode: DecisionMode;
  readonly audit: AuditRecord;
  readonly increments: readonly CounterIncrement[];
  /** Set when the placement cap, a channel cap or quiet hours emptied the answer. */
  readonly withheld:
    | 'placement_cap'
    | 'channel_cap'
    | 'quiet_hours'
    | 'no_message_consent'
    | 'no_location_consent'
    | 'channel_refused'
    | null;
}
