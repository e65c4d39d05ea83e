/**
 * Shared types of the recommendation models.
 *
 * Items and subjects are identified by opaque strings at the public boundary;
 * the models map them to dense integer indices internally for speed.
 *
 * @module
 */

/**
 * What a subject did with an item. Purchases weigh more than views.
 *
 * @example
 * const kind: InteractionKind = 'purchase';
 */
export type InteractionKind = 'view' | 'cart' | 'purchase';

/**
 * One observed interaction, as the models consume it.
 *
 * @example
 * const e: InteractionEvent = { subjectId: "s1", itemId: "sku-42", kind: "purchase", at: Date.now(), basketId: "order-7" };
 */
export interface InteractionEvent {
  readonly subjectId: string;
  readonly itemId: string;
  readonly kind: InteractionKind;
  /** Milliseconds since the epoch (any monotone clock works for the models). */
  readonly at: number;
  /** Items sharing a basket id were bought together (an order, a cart). */
  readonly basketId?: string;
  /** Non-personal context the event happened in (a page type, a venue, a channel). */
  readonly context?: string;
}

/**
 * Why an item was recommended, machine-readable so an explanation can be
 * rendered later ("because you bought X", "popular in Y").
 *
 * @example
 * const r: RecommendationReason = { kind: "bought_with", anchor: "sku-1" };
 */
export type RecommendationReason =
  | { readonly kind: 'bought_with'; readonly anchor: string }
  | { readonly kind: 'category_complement'; readonly anchor: string; readonly category: string }
  | { readonly kind: 'similar_to'; readonly anchor: string; readonly basis: 'co_interaction' | 'attributes' }
  | { readonly kind: 'after_you_interacted'; readonly anchor: string }
  | { readonly kind: 'repeat_purchase'; readonly anchor: string }
  | { readonly kind: 'bought_by_similar_shoppers' }
  | { readonly kind: 'popular'; readonly category?: string; readonly context?: string }
  | { readonly kind: 'trending'; readonly category?: string; readonly context?: string };

/**
 * One recommended item with its score (higher is better, comparable only
 * within one answer) and the reason that contributed most.
 *
 * @example
 * const rec: Recommendation = { itemId: "sku-9", score: 0.42, reason: { kind: "bought_with", anchor: "sku-1" } };
 */
export interface Recommendation {
  readonly itemId: string;
  readonly score: number;
  readonly reason: RecommendationReason;
}

/**
 * Catalog facts a model may use for cold items. All fields optional.
 *
 * @example
 * const item: ItemAttributes = { itemId: "sku-1", category: "shoes/running", brand: "acme", tokens: ["trail", "waterproof"] };
 */
export interface ItemAttributes {
  readonly itemId: string;
  readonly category?: string;
  readonly brand?: string;
  readonly tokens?: readonly string[];
}

/**
 * Default weight of each interaction kind.
 *
 * @example
 * new PersonalTopNModel({ counting: { kindWeights: { ...DEFAULT_KIND_WEIGHTS, view: 0.5 } } });
 */
export const DEFAULT_KIND_WEIGHTS: Readonly<Record<InteractionKind, number>> = Object.freeze({
  view: 1,
  cart: 2,
  purchase: 4,
});
