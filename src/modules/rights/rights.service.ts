import { createHmac, randomUUID } from 'node:crypto';
import type { LedgerSubject } from '../../core/consent/pseudonym.ts';
import type { EffectiveStatus } from '../../core/consent/state.ts';
import type { Purpose } from '../../core/purposes.ts';
import type { RetentionLimits } from '../../platform/config.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { FieldCipher } from '../../platform/field-cipher.ts';
import { FieldCipher as Cipher, contactAad } from '../../platform/field-cipher.ts';
import type { SubjectConsents, SubjectEntry } from '../consent/consent.service.ts';
import { consentStateView, ledgerEntryProof } from '../consent/consent.views.ts';
import type { PreferencesView } from '../events/events.service.ts';
import type { EventRecord } from '../events/events.store.ts';
import { eventView } from '../events/events.views.ts';
import type {
  ActorScope,
  ErasureCounts,
  Restrictions,
  RightsKind,
  RightsRequestRecord,
  RightsStore,
  StoredCounter,
  StoredDecision,
  SweepCounts,
} from './rights.store.ts';

/** What the rights service needs from the other modules (their services fit). */
export interface RightsPorts {
  readonly events: { getPreferences(tenantId: string, subjectId: string): Promise<PreferencesView> };
  readonly consent: {
    consentsOf(tenantId: string, subjectId: string): Promise<SubjectConsents>;
    history(
      tenantId: string,
      subjectId: string,
      options: { afterSeq?: number; limit?: number },
    ): Promise<SubjectEntry[]>;
    ledgerSubject(tenantId: string, subjectId: string): Promise<LedgerSubject | undefined>;
  };
  readonly decisions: {
    /** Flushes pending audit records, erases the subject's, and removes the subject from the models. */
    eraseSubject(tenantId: string, subjectId: string): Promise<number>;
    /**
     * Removes the subject's contribution from the in-memory models, keeping the
     * data, and which of their events the models saw (their keys hold the subject id).
     */
    forgetInModels?(tenantId: string, subjectId: string): Promise<void>;
    /** Forgets the tenant's models; they are rebuilt from the database on next use. */
    invalidate(tenantId: string): void;
    /** Removes every subject `matches` picks from the tenant's models, if built here; returns how many. */
    forgetMatching?(tenantId: string, matches: (subjectId: string) => boolean): Promise<number>;
    /** Forgets every tenant's models (this node may have missed removals). */
    invalidateAll?(): void;
  };
}

/** The machine-readable export (format `pertinent.subject-export/1`, docs/reference/rights.md). */
export interface SubjectExport {
  readonly format: 'pertinent.subject-export/1';
  readonly requestId: string;
  readonly tenantId: string;
  readonly subjectId: string;
  readonly exportedAt: string;
  readonly declared: { preferences: PreferencesView['preferences']; declarations: PreferencesView['declarations'] };
  readonly events: ReturnType<typeof eventView>[];
  readonly consents: {
    ledgerPseudonym: string | null;
    subjectRef: string | null;
    current: {
      purpose: string;
      status: EffectiveStatus;
      seq: number | null;
      method: string | null;
      policyVersion: string | null;
      recordedAt: string | null;
    }[];
    history: ReturnType<typeof ledgerEntryProof>[];
  };
  readonly restrictions: { objectToProfiling: boolean; restrictProcessing: boolean; updatedAt: string | null };
  readonly derived: { frequencyCounters: { scope: string; key: string; at: string }[] };
  readonly decisions: {
    decisionId: string;
    at: string;
    placement: string;
    purpose: string;
    mode: string;
    record: unknown;
  }[];
  readonly rightsRequests: ReturnType<typeof requestView>[];
}

export interface ErasureReceipt {
  readonly requestId: string;
  readonly erasedAt: string;
  readonly erased: ErasureCounts;
}

export interface RestrictionsView {
  readonly subjectId: string;
  readonly objectToProfiling: boolean;
  readonly restrictProcessing: boolean;
  readonly updatedAt: string | null;
}

const DAY = 24 * 3600 * 1000;
/** Model removals are kept this long: a node that could not read the feed for longer rebuilds its models. */
const MODEL_REMOVALS_KEPT_MS = DAY;
/** Each read of the feed goes this far back before the last one (entries committed late, clocks apart). */
const FEED_OVERLAP_MS = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** Purposes that profile the subject; an objection (Art. 21) stops them all. Measurement only counts. */
const PROFILING_EXEMPT: readonly Purpose[] = ['measurement'];

export const requestView = (r: RightsRequestRecord) => ({
  requestId: r.id,
  kind: r.kind,
  receivedAt: iso(r.receivedAt),
  actorScope: r.actorScope,
  outcome: r.outcome,
  subjectId: r.subjectId,
  counts: r.counts,
});

const NONE: Restrictions = { objectToProfiling: false, restrictProcessing: false, updatedAt: null };

/**
 * Data-subject rights (access, erasure, restriction, objection; rectification
 * is the events module's preferences route, logged here), withdrawal clean-up,
 * retention and the encryption of contact data. Every request is logged for
 * the data protection officer without keeping subject data past an erasure.
 */
export class RightsService {
  readonly #store: RightsStore;
  readonly #ports: RightsPorts;
  readonly #now: () => number;
  readonly #retention: RetentionLimits;
  readonly #cipher: FieldCipher;
  readonly #secrets = new Map<string, string>();
  readonly #syncEveryMs: number;
  /** When the feed was last read in full (a read starts this far back, less the overlap). */
  #feedReadAt: number;
  #syncTriedAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<void> | undefined;
  /** Feed entries applied here, by seq, with their time (dropped once older than the next read). */
  readonly #applied = new Map<number, number>();

  constructor(
    store: RightsStore,
    ports: RightsPorts,
    options: { now?: () => number; retention: RetentionLimits; cipher: FieldCipher; modelSyncSeconds?: number },
  ) {
    this.#store = store;
    this.#ports = ports;
    this.#now = options.now ?? Date.now;
    this.#retention = options.retention;
    this.#cipher = options.cipher;
    this.#syncEveryMs = (options.modelSyncSeconds ?? 2) * 1000;
    // Models built on this node are read from the database after this moment.
    this.#feedReadAt = this.#now();
  }

  #log(
    tenantId: string,
    kind: RightsKind,
    actorScope: ActorScope,
    subjectId: string | null,
    counts: Record<string, number> | null,
  ): RightsRequestRecord {
    return {
      tenantId,
      id: randomUUID(),
      kind,
      actorScope,
      receivedAt: this.#now(),
      outcome: 'completed',
      subjectId,
      counts,
    };
  }

  /** Logs a request that failed after it was accepted (the log must show it was not honoured), then rethrows. */
  async #failed(
    tenantId: string,
    kind: RightsKind,
    actor: ActorScope,
    subjectId: string | null,
    error: unknown,
  ): Promise<never> {
    const code = error instanceof AppError ? error.code : 'internal_error';
    await this.#store
      .logRequest({ ...this.#log(tenantId, kind, actor, subjectId, null), outcome: `failed: ${code}` })
      .catch(() => {});
    throw error;
  }

  // ------------------------------------------------------------------ access

  /** Everything held about the subject, as one document; logged as an `access` request. */
  exportSubject(tenantId: string, subjectId: string, actor: ActorScope): Promise<SubjectExport> {
    return this.#export(tenantId, subjectId, actor).catch((error: unknown) =>
      this.#failed(tenantId, 'access', actor, subjectId, error),
    );
  }

  async #export(tenantId: string, subjectId: string, actor: ActorScope): Promise<SubjectExport> {
    const [prefs, consents, history, ledger, restrictions, holdings, requests] = await Promise.all([
      this.#ports.events.getPreferences(tenantId, subjectId),
      this.#ports.consent.consentsOf(tenantId, subjectId),
      this.#allHistory(tenantId, subjectId),
      this.#ports.consent.ledgerSubject(tenantId, subjectId),
      this.#store.findRestrictions(tenantId, subjectId),
      this.#store.subjectHoldings(tenantId, subjectId),
      this.#store.listSubjectRequests(tenantId, subjectId),
    ]);
    const log = this.#log(tenantId, 'access', actor, subjectId, {
      events: holdings.events.length,
      declarations: prefs.declarations.length,
      consentEntries: history.length,
      decisions: holdings.decisions.length,
      counters: holdings.counters.length,
    });
    await this.#store.logRequest(log);
    const r = restrictions ?? NONE;
    return {
      format: 'pertinent.subject-export/1',
      requestId: log.id,
      tenantId,
      subjectId,
      exportedAt: iso(log.receivedAt),
      declared: { preferences: prefs.preferences, declarations: prefs.declarations },
      events: holdings.events.map(eventView),
      consents: {
        ledgerPseudonym: ledger?.pseudonym ?? null,
        subjectRef: ledger?.subjectRef ?? null,
        current: consents.purposes.filter((p) => p.status !== 'unset').map(consentStateView),
        history: history.map(ledgerEntryProof),
      },
      restrictions: {
        objectToProfiling: r.objectToProfiling,
        restrictProcessing: r.restrictProcessing,
        updatedAt: r.updatedAt === null ? null : iso(r.updatedAt),
      },
      derived: {
        frequencyCounters: holdings.counters.map((c: StoredCounter) => ({ scope: c.scope, key: c.key, at: iso(c.at) })),
      },
      decisions: holdings.decisions.map((d: StoredDecision) => ({
        decisionId: d.id,
        at: iso(d.createdAt),
        placement: d.placement,
        purpose: d.purpose,
        mode: d.mode,
        record: d.record,
      })),
      rightsRequests: [...requests, log].map(requestView),
    };
  }

  async #allHistory(tenantId: string, subjectId: string): Promise<SubjectEntry[]> {
    const out: SubjectEntry[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await this.#ports.consent.history(tenantId, subjectId, { afterSeq, limit: 1000 });
      out.push(...page);
      const last = page.at(-1);
      if (!last || page.length < 1000) return out;
      afterSeq = last.seq;
    }
  }

  // ------------------------------------------------------------------ erasure

  async #secret(tenantId: string): Promise<string> {
    let secret = this.#secrets.get(tenantId);
    if (secret === undefined) {
      secret = await this.#store.erasureSecret(tenantId, this.#now());
      this.#secrets.set(tenantId, secret);
    }
    return secret;
  }

  #hmac(secret: string, subjectId: string): string {
    return createHmac('sha256', secret).update(subjectId, 'utf8').digest('hex');
  }

  /**
   * Erases the subject everywhere (one transaction over every table, then the
   * in-memory models) and keeps only a tombstone (a keyed hash and a time,
   * swept with the events retention) and a log entry without the subject.
   */
  eraseSubject(tenantId: string, subjectId: string, actor: ActorScope): Promise<ErasureReceipt> {
    return this.#erase(tenantId, subjectId, actor).catch((error: unknown) =>
      this.#failed(tenantId, 'erasure', actor, null, error),
    );
  }

  async #erase(tenantId: string, subjectId: string, actor: ActorScope): Promise<ErasureReceipt> {
    const now = this.#now();
    const secret = await this.#secret(tenantId);
    const log = this.#log(tenantId, 'erasure', actor, null, null);
    const erased = await this.#store.eraseSubject(
      tenantId,
      subjectId,
      { subjectHmac: this.#hmac(secret, subjectId), erasedAt: now },
      log,
    );
    // Decisions made while erasing are flushed and erased too, and the models forget the subject.
    erased.decisions += await this.#ports.decisions.eraseSubject(tenantId, subjectId);
    return { requestId: log.id, erasedAt: iso(now), erased };
  }

  /** When the subject was erased, while the tombstone is kept (the events retention period); else undefined. */
  async erasedAt(tenantId: string, subjectId: string): Promise<number | undefined> {
    const hmac = this.#hmac(await this.#secret(tenantId), subjectId);
    return (await this.#store.findTombstones(tenantId, [hmac])).get(hmac);
  }

  /**
   * The ingest admission rule: events already past the events retention limit,
   * and events of an erased subject that occurred before the erasure, are not stored.
   */
  async admitEvents(tenantId: string, records: readonly EventRecord[]): Promise<EventRecord[]> {
    const oldest = this.#now() - this.#retention.eventsDays * DAY;
    const fresh = records.filter((r) => r.occurredAt >= oldest);
    if (fresh.length === 0) return fresh;
    const secret = await this.#secret(tenantId);
    const hmacOf = new Map<string, string>();
    for (const r of fresh) if (!hmacOf.has(r.subjectId)) hmacOf.set(r.subjectId, this.#hmac(secret, r.subjectId));
    const tombstones = await this.#store.findTombstones(tenantId, [...hmacOf.values()]);
    if (tombstones.size === 0) return fresh;
    return fresh.filter((r) => {
      const erasedAt = tombstones.get(hmacOf.get(r.subjectId) as string);
      return erasedAt === undefined || r.occurredAt >= erasedAt;
    });
  }

  // ------------------------------------------------------------------ restriction, objection

  async getRestrictions(tenantId: string, subjectId: string): Promise<RestrictionsView> {
    return this.#restrictionsView(subjectId, (await this.#store.findRestrictions(tenantId, subjectId)) ?? NONE);
  }

  #restrictionsView(subjectId: string, r: Restrictions): RestrictionsView {
    return {
      subjectId,
      objectToProfiling: r.objectToProfiling,
      restrictProcessing: r.restrictProcessing,
      updatedAt: r.updatedAt === null ? null : iso(r.updatedAt),
    };
  }

  /** Records an objection to profiling and/or a restriction of processing (or lifts them). */
  async putRestrictions(
    tenantId: string,
    subjectId: string,
    patch: { objectToProfiling?: boolean | undefined; restrictProcessing?: boolean | undefined },
    actor: ActorScope,
  ): Promise<RestrictionsView> {
    if (patch.objectToProfiling === undefined && patch.restrictProcessing === undefined) {
      throw badRequest('no_restriction_change', 'The request changes nothing: it names neither field.', {
        hint: 'Send "objectToProfiling" and/or "restrictProcessing" (true or false).',
      });
    }
    const before = (await this.#store.findRestrictions(tenantId, subjectId)) ?? NONE;
    const now = this.#now();
    const next: Restrictions = {
      objectToProfiling: patch.objectToProfiling ?? before.objectToProfiling,
      restrictProcessing: patch.restrictProcessing ?? before.restrictProcessing,
      updatedAt: now,
    };
    const kind: RightsKind = patch.objectToProfiling !== undefined ? 'objection' : 'restriction';
    await this.#store.putRestrictions(
      tenantId,
      subjectId,
      next,
      this.#log(tenantId, kind, actor, subjectId, {
        objectToProfiling: next.objectToProfiling ? 1 : 0,
        restrictProcessing: next.restrictProcessing ? 1 : 0,
      }),
    );
    if (next.objectToProfiling || next.restrictProcessing) await this.#forgetInModels(tenantId, subjectId);
    return this.#restrictionsView(subjectId, next);
  }

  /**
   * The subject's consents as decisions must read them: an objection to
   * profiling turns every profiling purpose into `denied`; a restriction of
   * processing turns every purpose into `denied` (data kept, not used).
   */
  async consentsForDecisions(tenantId: string, subjectId: string): Promise<SubjectConsents> {
    const [consents, r] = await Promise.all([
      this.#ports.consent.consentsOf(tenantId, subjectId),
      this.#store.findRestrictions(tenantId, subjectId),
    ]);
    if (!r || (!r.objectToProfiling && !r.restrictProcessing)) return consents;
    return {
      ...consents,
      purposes: consents.purposes.map((p) =>
        r.restrictProcessing || !PROFILING_EXEMPT.includes(p.purpose) ? { ...p, status: 'denied' as const } : p,
      ),
    };
  }

  // ------------------------------------------------------------------ rectification, withdrawal

  /** Logs a rectification (the preferences route did the work). */
  async logRectification(tenantId: string, subjectId: string, actor: ActorScope): Promise<void> {
    await this.#store.logRequest(this.#log(tenantId, 'rectification', actor, subjectId, null));
  }

  /** Deletes what was collected only for the withdrawn purposes, and the models forget it. */
  async onWithdrawn(tenantId: string, subjectId: string, purposes: readonly Purpose[]): Promise<void> {
    const deleted = await this.#store.deletePurposeData(tenantId, subjectId, purposes);
    if (deleted.events > 0 || purposes.includes('personalization')) await this.#forgetInModels(tenantId, subjectId);
  }

  // ------------------------------------------------------------------ models on every node

  /** This node's models forget the subject at once; the feed tells the other nodes. */
  async #forgetInModels(tenantId: string, subjectId: string): Promise<void> {
    await this.#ports.decisions.forgetInModels?.(tenantId, subjectId);
    const hmac = this.#hmac(await this.#secret(tenantId), subjectId);
    await this.#store.appendModelRemoval(tenantId, hmac, this.#now());
  }

  /**
   * Applies the removals other nodes wrote to the feed (erasures, withdrawals,
   * objections) to this node's models, at most once per sync interval; a
   * decision waits for it, so a node never serves from a model that still holds
   * a subject removed elsewhere longer than that interval.
   */
  syncModelsIfDue(): Promise<void> {
    if (this.#syncing) return this.#syncing;
    if (this.#now() - this.#syncTriedAt < this.#syncEveryMs) return Promise.resolve();
    return this.syncModels();
  }

  /** Reads the feed now and applies what this node has not applied yet. */
  syncModels(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const started = this.#now();
    this.#syncTriedAt = started;
    if (started - this.#feedReadAt > MODEL_REMOVALS_KEPT_MS - FEED_OVERLAP_MS) {
      // Entries this node never read may be gone: rebuild every model from the database.
      this.#ports.decisions.invalidateAll?.();
      this.#applied.clear();
      this.#feedReadAt = started;
      return;
    }
    const since = this.#feedReadAt - FEED_OVERLAP_MS;
    const entries = (await this.#store.listModelRemovals(since)).filter((e) => !this.#applied.has(e.seq));
    const byTenant = new Map<string, Set<string>>();
    for (const e of entries) byTenant.set(e.tenantId, (byTenant.get(e.tenantId) ?? new Set()).add(e.subjectHmac));
    for (const [tenantId, hmacs] of byTenant) {
      const secret = await this.#secret(tenantId);
      await this.#ports.decisions.forgetMatching?.(tenantId, (subjectId) => hmacs.has(this.#hmac(secret, subjectId)));
    }
    for (const e of entries) this.#applied.set(e.seq, e.createdAt);
    for (const [seq, at] of this.#applied) if (at < since) this.#applied.delete(seq);
    this.#feedReadAt = started;
  }

  // ------------------------------------------------------------------ DPO log

  listRequests(tenantId: string, options: { since?: number | undefined; limit?: number | undefined } = {}) {
    return this.#store.listRequests(tenantId, options.since, Math.min(Math.max(options.limit ?? 100, 1), 1000));
  }

  // ------------------------------------------------------------------ retention

  /** Deletes, across tenants, what is past its retention limit (`dryRun`: only counts). */
  async sweep(options: { dryRun?: boolean } = {}): Promise<SweepCounts> {
    const now = this.#now();
    const r = this.#retention;
    const counts = await this.#store.sweep(
      {
        events: now - r.eventsDays * DAY,
        counters: now - r.decisionsDays * DAY,
        audit: now - r.auditDays * DAY,
        rightsLog: now - r.rightsLogDays * DAY,
        // An event older than the erasure is refused by the retention rule once the tombstone is this old.
        tombstones: now - r.eventsDays * DAY,
      },
      options.dryRun ?? false,
    );
    if (!options.dryRun) {
      for (const t of counts.tenants) this.#ports.decisions.invalidate(t);
      await this.#store.deleteModelRemovals(now - MODEL_REMOVALS_KEPT_MS);
    }
    return counts;
  }

  // ------------------------------------------------------------------ encryption

  /** Re-encrypts every contact field not under the current key; returns how many were checked and re-encrypted. */
  async rotateEncryption(): Promise<{ keyId: string; checked: number; reencrypted: number }> {
    const keyId = this.#cipher.currentKeyId;
    if (keyId === undefined) {
      throw new AppError('encryption_not_configured', 503, 'There is no current encryption key to rotate to.', {
        hint: 'Set PERTINENT_ENCRYPTION_KEY to the new key and PERTINENT_ENCRYPTION_OLD_KEYS to the previous ones.',
      });
    }
    let after: [string, string, string] | undefined;
    let checked = 0;
    let reencrypted = 0;
    for (;;) {
      const page = await this.#store.listEncryptedFields(after, 500);
      for (const f of page) {
        checked++;
        if (Cipher.keyIdOf(f.value) === keyId) continue;
        const aad = contactAad(f.tenantId, f.subjectId, f.kind);
        const sealed = this.#cipher.encrypt(this.#cipher.decrypt(f.value, aad), aad);
        // Compare-and-set: a value changed meanwhile was written under the current key already.
        if (await this.#store.replaceEncryptedField({ ...f, value: sealed }, f.value)) reencrypted++;
      }
      const last = page.at(-1);
      if (!last || page.length < 500) break;
      after = [last.tenantId, last.subjectId, last.kind];
    }
    return { keyId, checked, reencrypted };
  }
}
