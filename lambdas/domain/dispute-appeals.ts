/**
 * Appeals (DOMAIN.md "Disputes, returns and refunds"): one per dispute, by either side, within 30 days of
 * the platform's decision, with a statement and at least one new evidence file → APPEALED. A different
 * admin decides, finally: the decision's refundAmount is the dispute's new total refund — a buyer's
 * appeal can only raise it (the extra is refunded through escrow like any dispute refund), a seller's
 * appeal can only yield a compensation the platform pays: money never goes back from the buyer.
 */
import { DAY_MS } from '../platform/config.js';
import { capOf, disputeRules, isClosed, type Appeal, type Dispute, type DisputeChange, type TimelineEntry } from './disputes.js';
import { DomainError } from './errors.js';
import type { Order } from './orders.js';
import type { MediaRef } from './reviews.js';
import { addMs } from './time.js';

const entry = (at: string, actor: TimelineEntry['actor'], action: string, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({ at, actor, action, message: null, evidence: [], amount: null, terms: null, ...extra });
const next = (dispute: Dispute, now: string, changes: Partial<Dispute>): Dispute => ({ ...dispute, ...changes, updatedAt: now, version: dispute.version + 1 });

/** The end of the appeal window of a dispute the platform decided; null when there is no decision to appeal. */
export const appealableUntil = (dispute: Pick<Dispute, 'decision'>): string | null => (dispute.decision ? addMs(dispute.decision.at, disputeRules.appealWindowMs) : null);

/** Either side appeals the platform's decision once the dispute it decided is resolved. */
export function appeal(dispute: Dispute, by: Appeal['by'], body: { statement: string; evidence: MediaRef[] }, now: string): DisputeChange {
  if (dispute.appeal) throw new DomainError('ALREADY_APPEALED', 'This dispute was appealed already; the appeal decision is final.');
  const until = appealableUntil(dispute);
  if (!until) throw new DomainError('DISPUTE_NOT_APPEALABLE', 'Only a decision of the platform can be appealed.');
  if (dispute.status !== 'RESOLVED') throw new DomainError('DISPUTE_NOT_APPEALABLE', `The decided dispute is ${dispute.status}: it can be appealed once it is resolved.`);
  if (now > until) throw new DomainError('APPEAL_WINDOW_CLOSED', `Appeals are possible until ${disputeRules.appealWindowMs / DAY_MS} days after the decision (${until}).`);
  if (body.evidence.length === 0) throw new DomainError('VALIDATION_FAILED', 'An appeal needs at least one new evidence file.', [{ path: 'body.evidence', message: 'at least 1' }]);
  const decisionDueBy = addMs(now, disputeRules.decisionSlaMs);
  const appealed = next(dispute, now, { status: 'APPEALED', appeal: { by, statement: body.statement, evidence: body.evidence, at: now, decision: null }, decisionDueBy, deadlines: { decision: decisionDueBy } });
  return { dispute: appealed, timeline: [entry(now, by, 'APPEALED', { message: body.statement, evidence: body.evidence })], refund: null };
}

/**
 * The second arbiter decides the appeal, finally. `refundAmount` (default: unchanged) is the new total;
 * the change refunds the difference now. `compensation` is for a seller's appeal only, at most what the
 * seller lost to the refund.
 */
export function decideAppeal(dispute: Dispute, decision: { refundAmount?: number | undefined; compensation?: number | undefined; rationale: string }, adminId: string, order: Order, now: string): DisputeChange {
  if (dispute.status !== 'APPEALED' || !dispute.appeal) {
    if (isClosed(dispute)) throw new DomainError('DISPUTE_CLOSED', `This dispute is ${dispute.status}.`);
    throw new DomainError('DISPUTE_NOT_ESCALATED', 'Only escalated or appealed disputes are decided by the platform.');
  }
  if (dispute.decision?.decidedBy === adminId) throw new DomainError('SAME_ARBITER', 'An appeal is decided by another admin than the one who made the first decision.');
  const refunded = dispute.resolution?.refundAmount ?? 0;
  const total = decision.refundAmount ?? refunded;
  const compensation = decision.compensation ?? 0;
  if (dispute.appeal.by === 'buyer') {
    if (total < refunded) throw new DomainError('APPEAL_DECISION_NOT_ALLOWED', `A buyer's appeal can only raise the refund (now ${refunded}).`, [{ path: 'body.refundAmount', message: `at least ${refunded}` }]);
    if (compensation > 0) throw new DomainError('APPEAL_DECISION_NOT_ALLOWED', "Compensation answers a seller's appeal only.", [{ path: 'body.compensation', message: 'seller appeals only' }]);
    const cap = capOf(dispute, order);
    if (total > cap) throw new DomainError('REFUND_EXCEEDS_REFUNDABLE', `The refund may be at most ${cap} in all on the disputed lines.`, [{ path: 'body.refundAmount', message: `${refunded}–${cap}` }]);
  } else {
    if (total !== refunded) throw new DomainError('APPEAL_DECISION_NOT_ALLOWED', `A seller's appeal cannot change the refund (${refunded}): money never goes back from the buyer; grant a compensation instead.`, [{ path: 'body.refundAmount', message: `must be ${refunded} or absent` }]);
    if (compensation > refunded) throw new DomainError('APPEAL_DECISION_NOT_ALLOWED', `The compensation may be at most what the seller refunded (${refunded}).`, [{ path: 'body.compensation', message: `0–${refunded}` }]);
  }
  const extra = total - refunded;
  const final = { refundAmount: total, compensation, rationale: decision.rationale, decidedBy: adminId, at: now };
  const resolved = next(dispute, now, {
    status: 'RESOLVED',
    deadlines: {},
    appeal: { ...dispute.appeal, decision: final },
    resolution: { outcome: total > 0 ? 'REFUNDED' : 'NO_REFUND', refundAmount: total, refundId: extra > 0 ? null : (dispute.resolution?.refundId ?? null), at: now },
  });
  const timeline = [
    entry(now, 'admin', 'APPEAL_DECIDED', { message: decision.rationale, amount: total }),
    ...(extra > 0 ? [entry(now, 'admin', 'REFUND_ISSUED', { amount: extra })] : []),
    ...(compensation > 0 ? [entry(now, 'admin', 'COMPENSATION_GRANTED', { message: 'Paid by the platform to the seller.', amount: compensation })] : []),
  ];
  return { dispute: resolved, timeline, refund: extra > 0 ? extra : null };
}

/** The appeal window of a decided dispute closed: say so in its timeline, once, if nobody appealed. */
export function appealWindowPassed(dispute: Dispute, now: string): DisputeChange | null {
  const until = appealableUntil(dispute);
  if (!until || until > now || dispute.appeal || dispute.appealClosedAt) return null;
  return {
    dispute: next(dispute, now, { appealClosedAt: now }),
    timeline: [entry(now, 'system', 'APPEAL_WINDOW_CLOSED', { message: `Rule: an appeal is possible within ${disputeRules.appealWindowMs / DAY_MS} days of the decision. Evidence: decided ${dispute.decision?.at}, no appeal by ${until}; the decision is final.` })],
    refund: null,
  };
}
