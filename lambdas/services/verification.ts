/**
 * Seller identity verification: the seller's submission, the admins' queue and decision, and the view
 * of it with short-lived links to the private documents (only the seller and admins get them).
 */
import { DomainError } from '../domain/errors.js';
import { verificationNotification } from '../domain/notification-texts.js';
import { decideVerification, submitVerification, verificationUse, type Verification } from '../domain/verification.js';
import type { Principal } from '../platform/auth.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { DOWNLOAD_TTL_SECONDS, presignDownload } from '../store/files.js';
import { markReputationDirty } from '../store/reputation-badges.js';
import { shopExists } from '../store/sellers.js';
import { claimUploads } from '../store/uploads.js';
import { getVerification, listPendingVerifications, verificationWrite } from '../store/verification.js';
import { clock } from '../platform/clock.js';
import { runCommand } from './command.js';
import { notify } from './notifications.js';
import { adoptUploads, claimRefusals } from './uploads.js';

const PROFILE_REQUIRED = new DomainError('SELLER_PROFILE_REQUIRED', 'Create your shop profile (PUT /v1/sellers/me) before verifying your identity.');

/** The verification as the seller or an admin sees it: documents as links that expire within minutes. */
export async function verificationView(verification: Verification | undefined) {
  if (!verification) return { status: 'NOT_SUBMITTED' as const, reasons: [], documents: [] };
  const expiresAt = new Date(clock.now().getTime() + DOWNLOAD_TTL_SECONDS * 1000).toISOString();
  const documents = await Promise.all(verification.documents.map(async ({ uploadId, key, contentType }) => ({ uploadId, contentType, url: await presignDownload(key), expiresAt })));
  const { status, legalName, reasons, submittedAt, decidedAt, decidedBy } = verification;
  return { status, legalName, reasons, submittedAt, decidedAt, decidedBy, documents };
}

export async function submitMyVerification(seller: Principal, input: { legalName: string; documents: string[] }) {
  const usedBy = verificationUse(seller.userId);
  const saved = await runCommand({
    subject: 'verification',
    load: () => getVerification(seller.userId),
    decide: async (current, now) => {
      // Refused before any document is copied: a pending or approved verification is not replaced.
      submitVerification(current, seller.userId, { legalName: input.legalName, documents: [] }, now);
      const documents = await adoptUploads(seller.userId, input.documents, 'kyc-document', 'body.documents', { usedBy });
      const next = submitVerification(current, seller.userId, { legalName: input.legalName, documents }, now);
      return { writes: [shopExists(seller.userId), verificationWrite(next, current), ...claimUploads(input.documents, usedBy)], result: next };
    },
    refusals: {
      shopExists: PROFILE_REQUIRED,
      ...claimRefusals(input.documents, usedBy, 'body.documents', ['verificationVersion']),
    },
  });
  return verificationView(saved);
}

export async function decideSellerVerification(admin: Principal, sellerId: string, decision: { decision: 'APPROVE' | 'REJECT'; reasons?: string[] | undefined }) {
  const decided = await runCommand({
    subject: 'verification',
    load: () => getVerification(sellerId),
    decide: (current, now) => {
      const next = decideVerification(current, decision, admin.userId, now);
      const told = notify(verificationNotification(next), now);
      // VERIFIED may come or go: the badge job recomputes this seller.
      return { writes: [verificationWrite(next, current), markReputationDirty(sellerId, now), ...told.writes], result: next, afterCommit: told.afterCommit };
    },
  });
  return verificationView(decided);
}

export async function pendingVerifications(query: { limit: number; cursor?: string | undefined }) {
  const scope = 'verifications:PENDING';
  const { verifications, lastKey } = await listPendingVerifications(query.limit, decodeCursor(query.cursor, scope));
  const items = await Promise.all(verifications.map(async (verification) => ({ sellerId: verification.sellerId, ...(await verificationView(verification)) })));
  return { items, nextCursor: encodeCursor(lastKey, scope) };
}

/** Whether the seller may show the VERIFIED badge. */
export const isVerified = (verification: Verification | undefined): boolean => verification?.status === 'APPROVED';
