import type { AdPlacement, Campaign, CategoryRelation, Venue } from '../../core/ads/types.ts';

/**
 * Persistence of contextual advertising. Stores only persist; the rules
 * (eligibility, relevance, pacing, caps, explanations) live in the service
 * and in `src/core/ads`. Nothing stored here concerns a person.
 */
export interface StoredPlacement extends AdPlacement {
  /** The publishable key bound to this screen, if any. */
  readonly keyId: string | null;
}

/** One impression to commit atomically, or not at all. */
export interface ServeAttempt {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly placementId: string;
  readonly venueId: string;
  /** The campaign's served count must stay at or below this (its paced allowance, never above its budget). */
  readonly allowance: number;
  readonly budget: number;
  /** Start of the per-screen window and the cap within it. */
  readonly windowStart: number;
  readonly capLimit: number;
  /** UTC day (`YYYY-MM-DD`) for the report. */
  readonly day: string;
}

/** The result of an attempt: whether it was committed, and the counters as they now are. */
export interface ServeResult {
  readonly ok: boolean;
  readonly served: number;
  readonly shown: number;
}

export interface PlayRecord {
  readonly tenantId: string;
  readonly decisionId: string;
  readonly campaignId: string;
  readonly venueId: string;
  readonly day: string;
  readonly at: number;
}

export interface ReportRow {
  readonly day: string;
  readonly campaignId: string;
  readonly venueId: string;
  readonly served: number;
  readonly played: number;
}

export interface ReportFilter {
  readonly from: string;
  readonly to: string;
  readonly campaignId?: string;
  readonly venueId?: string;
}

/** Which relation table: the operator's, or the aggregate learned from consented baskets. */
export type RelationSource = 'manual' | 'learned';

/** The table of each relation source. */
export const RELATION_TABLES: Readonly<Record<RelationSource, string>> = {
  manual: 'ad_category_relations',
  learned: 'ad_learned_relations',
};

export interface AdStore {
  /** Inserts or replaces; returns true when it was created. */
  putVenue(tenantId: string, venue: Venue): Promise<boolean>;
  findVenue(tenantId: string, id: string): Promise<Venue | undefined>;
  listVenues(tenantId: string): Promise<Venue[]>;
  deleteVenue(tenantId: string, id: string): Promise<boolean>;

  putCampaign(tenantId: string, campaign: Campaign): Promise<boolean>;
  findCampaign(tenantId: string, id: string): Promise<Campaign | undefined>;
  listCampaigns(tenantId: string): Promise<Campaign[]>;
  deleteCampaign(tenantId: string, id: string): Promise<boolean>;

  /** Inserts or replaces a placement, keeping its bound key. */
  putPlacement(tenantId: string, placement: AdPlacement): Promise<boolean>;
  findPlacement(tenantId: string, id: string): Promise<StoredPlacement | undefined>;
  listPlacements(tenantId: string): Promise<StoredPlacement[]>;
  deletePlacement(tenantId: string, id: string): Promise<boolean>;
  /** Binds a key to a placement; returns the key bound before, if any. */
  bindKey(tenantId: string, placementId: string, keyId: string): Promise<string | null>;

  /**
   * Replaces one of the tenant's category relation tables as a whole: the
   * operator's (`manual`, PUT /v1/ads/relations) or the one the
   * recommendation side publishes (`learned`, an aggregate; ADR 0012).
   */
  replaceRelations(tenantId: string, relations: readonly CategoryRelation[], source: RelationSource): Promise<void>;
  listRelations(tenantId: string, source: RelationSource): Promise<CategoryRelation[]>;

  /** Impressions served so far per campaign. */
  servedCounts(tenantId: string): Promise<Map<string, number>>;
  /**
   * Commits one impression if the campaign is under `allowance` and the screen
   * under `capLimit` in its window: both counters and the day's report move
   * together, or nothing does. Correct with several nodes on one database.
   */
  tryServe(attempt: ServeAttempt): Promise<ServeResult>;
  /** Counts a proof of play once per decision id; false when it was already counted. */
  recordPlay(play: PlayRecord): Promise<boolean>;
  report(tenantId: string, filter: ReportFilter): Promise<ReportRow[]>;
  /** Housekeeping: drops play receipts and per-screen windows older than the given times. */
  purge(options: { receiptsBefore: number; windowsBefore: number }): Promise<void>;
  /** Writes any buffered counters (SQLite); a no-op where every write is immediate. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
