import { createHash } from 'node:crypto';
import { purposesForGpc } from '../../core/consent/gpc.ts';
import type { ChainReport, ConsentStatus, EntryDraft, LedgerEntry } from '../../core/consent/ledger.ts';
import { ChainVerifier } from '../../core/consent/ledger.ts';
import type { EffectiveConsent } from '../../core/consent/state.ts';
import { methodForStatus, resolveConsents } from '../../core/consent/state.ts';
import type { DecodedTcf } from '../../core/consent/tcf.ts';
import { decodeTcString, TcfDecodeError } from '../../core/consent/tcf.ts';
import type { Purpose } from '../../core/purposes.ts';
import { isPurpose, PURPOSES } from '../../core/purposes.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import type { ConsentStore, PolicyRecord } from './consent.store.ts';

/** One purpose choice as a client sends it. */
export interface ChoiceInput {
  readonly purpose: string;
  readonly status: ConsentStatus;
}

/** A consent record request: choices and/or a TC string, under one policy version. */
export interface RecordConsentInput {
  readonly subjectId: string;
  readonly policyVersion: string;
  /** `api` when the tenant's systems record it without the person; otherwise derived from each status. */
  readonly method?: 'accepted' | 'refused' | 'withdrawn' | 'api' | undefined;
  readonly choices?: readonly ChoiceInput[] | undefined;
  readonly jurisdiction?: string | undefined;
  readonly source: string;
  readonly tcString?: string | undefined;
  readonly gppString?: string | undefined;
}

/** A policy version as listed: with whether it is the current one. */
export interface PolicyInfo extends PolicyRecord {
  readonly current: boolean;
}

/**
 * A ledger entry as the subject's own view shows it: `subjectId` is the subject
 * (the ledger itself records only `subjectRef`, which the hash covers).
 */
export type SubjectEntry = LedgerEntry & { readonly subjectRef: string };

/**
 * Called after entries that do not grant a purpose (withdrawn, denied) were
 * appended for a subject, with those purposes: the rights module deletes what
 * was collected only for them (see the composition root).
 */
export type WithdrawalHook = (tenantId: string, subjectId: string, purposes: readonly Purpose[]) => Promise<void>;

/** When the subject's data was last erased (undefined: never, or too long ago to matter); the rights module answers. */
export type ErasureLookup = (tenantId: string, subjectId: string) => Promise<number | undefined>;

const DAY_MS = 24 * 3600 * 1000;

/** A subject's effective consent per purpose, with the current policy version. */
export interface SubjectConsents {
  readonly subjectId: string;
  readonly currentPolicyVersion: string | null;
  readonly purposes: readonly EffectiveConsent[];
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const STATUS_OF_METHOD = { accepted: 'granted', refused: 'denied', withdrawn: 'withdrawn' } as const;
/** Entries read per page when walking a chain. */
const PAGE = 1000;

/**
 * Consent: policy versions, recording choices (own notice, TCF, GPC) into the
 * tenant's hash-chained ledger, the effective state per purpose, and
 * verification of the chain. Every check happens before anything is written.
 */
export class ConsentService {
  readonly #store: ConsentStore;
  readonly #now: () => number;
  readonly #onWithdrawn: WithdrawalHook | undefined;
  readonly #erasedAt: ErasureLookup | undefined;

  constructor(
    store: ConsentStore,
    options: { now?: () => number; onWithdrawn?: WithdrawalHook; erasedAt?: ErasureLookup } = {},
  ) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#onWithdrawn = options.onWithdrawn;
    this.#erasedAt = options.erasedAt;
  }

  /**
   * A TC string last updated before the subject was erased records a choice
   * made before the erasure: a replay (a CMP cookie or a queue sent again), not
   * the person coming back. It is refused, as events from before an erasure
   * are; CMPs round the time to the day, so only a string from an earlier
   * (UTC) day than the erasure is recognised.
   */
  async #refuseReplay(tenantId: string, subjectId: string, tcf: DecodedTcf): Promise<void> {
    const erasedAt = await this.#erasedAt?.(tenantId, subjectId);
    if (erasedAt === undefined || !(tcf.lastUpdated < erasedAt - (erasedAt % DAY_MS))) return;
    throw conflict(
      'replayed_before_erasure',
      "The TC string was last updated before this subject's data was erased, so it is a replay of an earlier choice; nothing was recorded.",
      'Ask the person again (show the consent banner) and send the TC string of their new choice.',
    );
  }

  /** The appended entries, shown with the subject id, after the withdrawal hook ran for what they withdraw. */
  async #appended(tenantId: string, subjectId: string, entries: LedgerEntry[]): Promise<SubjectEntry[]> {
    const withdrawn = [...new Set(entries.filter((e) => e.status !== 'granted').map((e) => e.purpose))];
    if (withdrawn.length > 0 && this.#onWithdrawn) await this.#onWithdrawn(tenantId, subjectId, withdrawn);
    return entries.map((e) => ({ ...e, subjectId, subjectRef: e.subjectId }));
  }

  /** Registers a policy version with its notice text; makes it current unless `makeCurrent` is false. */
  async registerPolicy(
    tenantId: string,
    input: { version: string; noticeText: string; makeCurrent?: boolean },
  ): Promise<PolicyInfo> {
    const now = this.#now();
    const record: PolicyRecord = {
      tenantId,
      version: input.version,
      noticeHash: sha256(input.noticeText),
      noticeText: input.noticeText,
      createdAt: now,
    };
    if (!(await this.#store.insertPolicy(record))) {
      throw conflict(
        'policy_version_exists',
        `Policy version "${input.version}" is already registered.`,
        'A version is immutable once registered (consents point to it): register the changed notice under a new version.',
      );
    }
    const current = input.makeCurrent ?? true;
    if (current) await this.#store.setCurrentPolicy(tenantId, input.version, now);
    return { ...record, current };
  }

  /** Makes an already registered version the current one. */
  async makeCurrent(tenantId: string, version: string): Promise<PolicyInfo> {
    const policy = await this.getPolicy(tenantId, version);
    await this.#store.setCurrentPolicy(tenantId, version, this.#now());
    return { ...policy, current: true };
  }

  async getPolicy(tenantId: string, version: string): Promise<PolicyRecord> {
    const policy = await this.#store.findPolicy(tenantId, version);
    if (!policy) {
      throw notFound(
        'policy_not_found',
        `No policy version "${version}" is registered.`,
        'List the versions with GET /v1/policies; register one with POST /v1/policies.',
      );
    }
    return policy;
  }

  async listPolicies(tenantId: string): Promise<PolicyInfo[]> {
    const [policies, current] = await Promise.all([
      this.#store.listPolicies(tenantId),
      this.#store.findCurrentPolicy(tenantId),
    ]);
    return policies.map((p) => ({ ...p, current: p.version === current?.version }));
  }

  /**
   * Records a subject's choices (and/or what their TC string says) as ledger
   * entries. Explicit choices win over the TC string for the same purpose.
   * Throws, writing nothing, on an unknown purpose or policy version, a
   * duplicated purpose, a method that contradicts a status, or a bad TC string.
   */
  async record(tenantId: string, input: RecordConsentInput): Promise<SubjectEntry[]> {
    const choices = input.choices ?? [];
    const seen = new Set<string>();
    for (const c of choices) {
      if (!isPurpose(c.purpose)) {
        throw badRequest('unknown_purpose', `"${c.purpose}" is not a purpose.`, {
          hint: `Use one of: ${PURPOSES.join(', ')}.`,
          details: { purpose: c.purpose },
        });
      }
      if (seen.has(c.purpose)) {
        throw badRequest('duplicate_purpose', `Purpose "${c.purpose}" is chosen twice in one request.`, {
          hint: 'Send one choice per purpose.',
        });
      }
      seen.add(c.purpose);
      if (input.method && input.method !== 'api' && STATUS_OF_METHOD[input.method] !== c.status) {
        throw badRequest(
          'method_status_mismatch',
          `Method "${input.method}" records "${STATUS_OF_METHOD[input.method]}", but purpose "${c.purpose}" is "${c.status}".`,
          { hint: 'Omit "method" (it is derived from each status) or make every status match it.' },
        );
      }
    }
    let tcf: DecodedTcf | undefined;
    if (input.tcString !== undefined) tcf = decodeTcf(input.tcString);
    if (choices.length === 0 && !tcf) {
      throw badRequest('no_choices', 'The request records nothing: it has no choices and no TC string.', {
        hint: 'Send "choices" (purpose and status) and/or "tcString".',
      });
    }
    if (tcf) await this.#refuseReplay(tenantId, input.subjectId, tcf);
    const policy = await this.#store.findPolicy(tenantId, input.policyVersion);
    if (!policy) {
      throw badRequest('unknown_policy_version', `Policy version "${input.policyVersion}" is not registered.`, {
        hint: 'Send the version of the notice the person was shown; register it first with POST /v1/policies.',
      });
    }
    const recordedAt = this.#now();
    const base = {
      subjectId: input.subjectId,
      policyVersion: policy.version,
      noticeHash: policy.noticeHash,
      jurisdiction: input.jurisdiction ?? null,
      source: input.source,
      tcString: input.tcString ?? null,
      gppString: input.gppString ?? null,
      recordedAt,
    };
    const drafts: EntryDraft[] = [];
    for (const c of tcf?.choices ?? []) {
      if (!seen.has(c.purpose)) drafts.push({ ...base, purpose: c.purpose, status: c.status, method: 'tcf' });
    }
    for (const c of choices) {
      drafts.push({
        ...base,
        purpose: c.purpose as Purpose,
        status: c.status,
        method: input.method === 'api' ? 'api' : methodForStatus(c.status),
      });
    }
    const entries = await this.#store.append(tenantId, input.subjectId, () => drafts, recordedAt);
    return this.#appended(tenantId, input.subjectId, entries);
  }

  /**
   * Records the Global Privacy Control signal of a subject's browser: an
   * objection (denied, method `gpc`) to retargeting and sale/sharing, except
   * where the person chose explicitly under the current policy, and without
   * repeating an objection already recorded. Returns the entries appended.
   */
  async applyGpcSignal(tenantId: string, subjectId: string, source = 'gpc-header'): Promise<SubjectEntry[]> {
    const current = await this.#store.findCurrentPolicy(tenantId);
    const policy = current && (await this.#store.findPolicy(tenantId, current.version));
    const now = this.#now();
    const entries = await this.#store.append(
      tenantId,
      subjectId,
      (latest) =>
        purposesForGpc(latest, policy?.version ?? null).map((purpose) => ({
          subjectId,
          purpose,
          status: 'denied',
          method: 'gpc',
          policyVersion: policy?.version ?? null,
          noticeHash: policy?.noticeHash ?? null,
          jurisdiction: null,
          source,
          tcString: null,
          gppString: null,
          recordedAt: now,
        })),
      now,
    );
    return this.#appended(tenantId, subjectId, entries);
  }

  /** The effective consent of a subject for every purpose (`unset` where nothing was recorded). */
  async consentsOf(tenantId: string, subjectId: string): Promise<SubjectConsents> {
    const [latest, current] = await Promise.all([
      this.#store.listLatest(tenantId, subjectId),
      this.#store.findCurrentPolicy(tenantId),
    ]);
    const currentPolicyVersion = current?.version ?? null;
    return { subjectId, currentPolicyVersion, purposes: resolveConsents(latest, currentPolicyVersion) };
  }

  /** A subject's ledger entries, oldest first (shown with the subject id; `subjectRef` is what the ledger holds). */
  async history(
    tenantId: string,
    subjectId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<SubjectEntry[]> {
    const entries = await this.#store.listSubjectEntries(
      tenantId,
      subjectId,
      options.afterSeq ?? 0,
      options.limit ?? 100,
    );
    return entries.map((e) => ({ ...e, subjectId, subjectRef: e.subjectId }));
  }

  /** The pseudonym and reference the ledger knows a subject by (undefined: the subject never chose anything). */
  ledgerSubject(tenantId: string, subjectId: string) {
    return this.#store.findLedgerSubject(tenantId, subjectId);
  }

  /**
   * Walks the tenant's whole chain and compares it with the head. The head is
   * read first: entries found beyond it are accepted only if a fresh head then
   * covers them (appends made while walking), so a live ledger verifies without
   * a lock and an entry slipped in outside the ledger is still caught.
   */
  async verifyLedger(tenantId: string): Promise<ChainReport> {
    const verifier = new ChainVerifier(tenantId);
    let head = await this.#store.findHead(tenantId);
    let after = 0;
    for (;;) {
      const page = await this.#store.listEntries(tenantId, after, PAGE);
      for (const entry of page) {
        if (!verifier.add(entry)) return verifier.finish(undefined);
      }
      if (page.length > 0) after = (page[page.length - 1] as LedgerEntry).seq;
      if (page.length === PAGE) continue;
      if (after > (head?.lastSeq ?? 0)) {
        const fresh = await this.#store.findHead(tenantId);
        if (fresh && fresh.lastSeq > (head?.lastSeq ?? 0)) {
          head = fresh;
          continue;
        }
      }
      return verifier.finish(head);
    }
  }

  /**
   * The purposes a subject has granted under the current policy: the one
   * question a decision asks (`needs_renewal`, `unset` and the rest mean no).
   */
  async grantedPurposes(tenantId: string, subjectId: string): Promise<Set<Purpose>> {
    const { purposes } = await this.consentsOf(tenantId, subjectId);
    return new Set(purposes.filter((p) => p.status === 'granted').map((p) => p.purpose));
  }
}

function decodeTcf(tcString: string): DecodedTcf {
  try {
    return decodeTcString(tcString);
  } catch (error) {
    if (!(error instanceof TcfDecodeError)) throw error;
    throw badRequest('invalid_tcf_string', `The TCF consent string is not valid: ${error.message}.`, {
      hint: 'Send the TC string exactly as your CMP returns it (__tcfapi getTCData → tcString), TCF v2.2 or later; nothing was recorded.',
    });
  }
}
