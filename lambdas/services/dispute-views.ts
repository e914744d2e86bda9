/** How a dispute and a refund are shown: amounts as Money, evidence as short-lived links, the rule's proposal to admins only. */
import { appealableUntil } from '../domain/dispute-appeals.js';
import type { Dispute, Terms, TimelineEntry } from '../domain/disputes.js';
import { money } from '../domain/money.js';
import type { MediaRef } from '../domain/reviews.js';
import type { Refund } from '../domain/refunds.js';
import { presignDownload } from '../store/files.js';

const links = (media: MediaRef[]) => Promise.all(media.map(async (item) => ({ url: await presignDownload(item.key), contentType: item.contentType })));

export async function disputeView(dispute: Dispute, as: 'buyer' | 'seller' | 'admin', timeline?: TimelineEntry[]) {
  const cash = (amount: number) => money(amount, dispute.currency);
  const terms = (value: Terms) => ({ type: value.type, amount: cash(value.amount) });
  return {
    disputeId: dispute.disputeId,
    orderId: dispute.orderId,
    buyerId: dispute.buyerId,
    sellerId: dispute.sellerId,
    reason: dispute.reason,
    lines: dispute.lines,
    request: terms(dispute.request),
    description: dispute.description,
    evidence: await links(dispute.evidence),
    status: dispute.status,
    counterOffer: dispute.counterOffer && terms(dispute.counterOffer),
    agreement: dispute.agreement && { ...dispute.agreement, terms: terms(dispute.agreement.terms) },
    returnShipment: dispute.returnShipment,
    // The platform's rationale is shown to both sides; who decided stays internal.
    decision: dispute.decision && { refundAmount: cash(dispute.decision.refundAmount), returnRequired: dispute.decision.returnRequired, rationale: dispute.decision.rationale, at: dispute.decision.at },
    ...(as === 'admin' && { proposal: dispute.proposal && { ...dispute.proposal, refundAmount: cash(dispute.proposal.refundAmount) }, caseFile: dispute.caseFile ?? null }),
    decisionDueBy: dispute.status === 'ESCALATED' || dispute.status === 'APPEALED' ? (dispute.decisionDueBy ?? null) : null,
    // Who decided stays internal here too; the compensation is shown to both sides.
    appeal: dispute.appeal
      ? {
          by: dispute.appeal.by,
          statement: dispute.appeal.statement,
          evidence: await links(dispute.appeal.evidence),
          at: dispute.appeal.at,
          decision: dispute.appeal.decision && { refundAmount: cash(dispute.appeal.decision.refundAmount), compensation: cash(dispute.appeal.decision.compensation), rationale: dispute.appeal.decision.rationale, at: dispute.appeal.decision.at },
        }
      : null,
    appealableUntil: dispute.appeal ? null : appealableUntil(dispute),
    resolution: dispute.resolution && { ...dispute.resolution, refundAmount: cash(dispute.resolution.refundAmount) },
    deadlines: dispute.deadlines,
    ...(timeline && {
      timeline: await Promise.all(
        timeline.map(async (entry) => ({ ...entry, evidence: await links(entry.evidence), amount: entry.amount === null ? null : cash(entry.amount), terms: entry.terms && terms(entry.terms) })),
      ),
    }),
    openedAt: dispute.openedAt,
    updatedAt: dispute.updatedAt,
  };
}

export function refundView(refund: Refund) {
  return {
    refundId: refund.refundId,
    orderId: refund.orderId,
    disputeId: refund.disputeId,
    amount: refund.amount,
    status: refund.status,
    requestedAt: refund.requestedAt,
    expectedBy: refund.expectedBy,
    attempts: refund.attempts,
    history: refund.history,
  };
}

/** What admins see of a refund: the buyer's view, why it failed, and who paid it by hand. */
export function adminRefundView(refund: Refund) {
  return { ...refundView(refund), lastFailure: refund.lastFailure, paidManually: refund.paidManually };
}
