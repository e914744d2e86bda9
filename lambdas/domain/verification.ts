/**
 * Seller identity verification (DOMAIN.md "Listings and seller verification"): a seller submits a legal
 * name and identity documents, an admin approves or rejects with reasons, a rejected seller submits again.
 * Only a verified seller creates listings. A seller who never submitted has no record (NOT_SUBMITTED).
 */
import { DomainError } from './errors.js';

export const VERIFICATION_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export interface StoredDocument {
  uploadId: string;
  /** The platform's private copy (private/kyc/…): only the seller and admins get links to it. */
  key: string;
  contentType: string;
}

export interface Verification {
  sellerId: string;
  status: VerificationStatus;
  legalName: string;
  documents: StoredDocument[];
  /** Why an admin rejected it; shown to the seller. */
  reasons: string[];
  submittedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  /** How many times the seller submitted. */
  submissions: number;
  version: number;
}

/** A first submission, or a new one after a rejection; a pending or approved verification is not replaced. */
export function submitVerification(current: Verification | undefined, sellerId: string, input: { legalName: string; documents: StoredDocument[] }, now: string): Verification {
  if (current?.status === 'PENDING') throw new DomainError('VERIFICATION_PENDING', 'Your verification is waiting for a decision; you can resubmit only if it is rejected.');
  if (current?.status === 'APPROVED') throw new DomainError('ALREADY_VERIFIED', 'Your identity is already verified.');
  return {
    sellerId,
    status: 'PENDING',
    legalName: input.legalName,
    documents: input.documents,
    reasons: [],
    submittedAt: now,
    decidedAt: null,
    decidedBy: null,
    submissions: (current?.submissions ?? 0) + 1,
    version: (current?.version ?? 0) + 1,
  };
}

/**
 * The entity id under which a seller's submissions claim their uploads: one per seller, so a resubmission
 * may name a document of the rejected one again (say, with the legal name corrected).
 */
export const verificationUse = (sellerId: string): string => `verification:${sellerId}`;

export function decideVerification(current: Verification | undefined, decision: { decision: 'APPROVE' | 'REJECT'; reasons?: string[] | undefined }, adminId: string, now: string): Verification {
  if (!current || current.status !== 'PENDING') throw new DomainError('NOTHING_TO_DECIDE', 'This seller has no verification waiting for a decision.');
  const reasons = decision.reasons ?? [];
  if (decision.decision === 'REJECT' && reasons.length === 0) {
    throw new DomainError('VALIDATION_FAILED', 'A rejection says why, so the seller can fix it.', [{ path: 'body.reasons', message: 'at least one reason when rejecting' }]);
  }
  return { ...current, status: decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', reasons, decidedAt: now, decidedBy: adminId, version: current.version + 1 };
}
