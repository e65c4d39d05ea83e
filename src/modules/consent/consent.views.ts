import type { EffectiveConsent } from '../../core/consent/state.ts';
import type { SubjectEntry } from './consent.service.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A ledger entry as clients read it, without the subject id: what was chosen,
 * under which notice, how, and the hashes that chain it. The consent routes
 * add the subject id; a data export leaves it out (the export is about one subject).
 */
export const ledgerEntryProof = (e: SubjectEntry) => ({
  seq: e.seq,
  subjectRef: e.subjectRef,
  purpose: e.purpose,
  status: e.status,
  method: e.method,
  policyVersion: e.policyVersion,
  noticeHash: e.noticeHash,
  jurisdiction: e.jurisdiction,
  source: e.source,
  tcString: e.tcString,
  gppString: e.gppString,
  recordedAt: iso(e.recordedAt),
  prevHash: e.prevHash,
  hash: e.hash,
});

/** A purpose's effective consent as clients read it: its status and the ledger entry it rests on. */
export const consentStateView = (p: EffectiveConsent) => ({
  purpose: p.purpose,
  status: p.status,
  seq: p.latest?.seq ?? null,
  method: p.latest?.method ?? null,
  policyVersion: p.latest?.policyVersion ?? null,
  recordedAt: p.latest ? iso(p.latest.recordedAt) : null,
});
