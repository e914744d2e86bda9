/**
 * The dispute state machine (DOMAIN.md "Disputes, returns and refunds"): who may do what in each state,
 * the deadlines each state sets, what happens when a deadline passes, and the rule-based proposal an
 * admin starts from. Pure: every function takes the time and returns the next dispute plus its timeline
 * entries and the refund (if any) to pay now; the service writes them with the order in one transaction.
 */
import { DAY_MS as DAY, policy } from '../platform/config.js';
import { DomainError } from './errors.js';
import { isOpen, hasOpenDispute, hasProofOfDelivery, refundable, returnWindowEndsAt, type Order } from './orders.js';
import type { MediaRef } from './reviews.js';
import { addMs } from './time.js';

export const DISPUTE_REASONS = ['NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM', 'COUNTERFEIT', 'OTHER'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export const DISPUTE_STATUSES = ['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED', 'ESCALATED', 'RESOLVED', 'CANCELLED'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export type Actor = 'buyer' | 'seller' | 'admin' | 'system';
export const DEADLINE_NAMES = ['sellerResponse', 'buyerResponse', 'autoEscalate', 'returnShipment', 'returnReceipt', 'returnDelivery'] as const;
export type DeadlineName = (typeof DEADLINE_NAMES)[number];

export interface Terms {
  type: 'REFUND' | 'RETURN_AND_REFUND';
  /** Minor units, in the order's currency. */
  amount: number;
}

/** The return of the goods (domain/dispute-returns.ts): shipped by the buyer, delivered as the carrier says. */
export interface ReturnShipment {
  status: 'AWAITING_SHIPMENT' | 'SHIPPED' | 'DELIVERED' | 'RECEIVED';
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: string | null;
  /** When the carrier showed the return delivered (its signed webhook); never a date the buyer gives. */
  deliveredAt: string | null;
}

export interface Decision {
  refundAmount: number;
  returnRequired: boolean;
  rationale: string;
  decidedBy: string;
  at: string;
}

export interface Proposal {
  refundAmount: number;
  returnRequired: boolean;
  rule: string;
  rationale: string;
}

export interface Dispute {
  disputeId: string;
  orderId: string;
  buyerId: string;
  sellerId: string;
  currency: string;
  reason: DisputeReason;
  request: Terms;
  description: string;
  evidence: MediaRef[];
  status: DisputeStatus;
  counterOffer: Terms | null;
  agreement: { terms: Terms; how: string; at: string } | null;
  returnShipment: ReturnShipment | null;
  proposal: Proposal | null;
  /** Gathered by the case-file worker when the dispute is escalated: what the admin decides on. */
  caseFile?: Record<string, unknown> | null;
  decision: Decision | null;
  resolution: { outcome: 'REFUNDED' | 'NO_REFUND' | 'WITHDRAWN'; refundAmount: number; refundId: string | null; at: string } | null;
  deadlines: Partial<Record<DeadlineName, string>>;
  firstResponseAt: string | null;
  escalatedAt: string | null;
  openedAt: string;
  updatedAt: string;
  version: number;
}

export interface TimelineEntry {
  at: string;
  actor: Actor;
  action: string;
  message: string | null;
  evidence: MediaRef[];
  amount: number | null;
  terms: Terms | null;
}

/** A change to a dispute: the next state, what to add to its timeline, and money to refund now. */
export interface DisputeChange {
  dispute: Dispute;
  timeline: TimelineEntry[];
  /** Set when the dispute resolves with a refund: the amount to refund in this same transaction. */
  refund: number | null;
}

export const disputeRules = {
  sellerResponseMs: 5 * DAY,
  buyerResponseMs: 7 * DAY,
  escalateAfterMs: 3 * DAY,
  autoEscalateMs: 15 * DAY,
  returnShipmentMs: 7 * DAY,
  /** After the carrier delivered the return, the seller has this long to confirm or report a problem. */
  returnReceiptMs: 10 * DAY,
  /** No carrier delivery of the return this long after it shipped: the platform looks at it. */
  returnDeliveryMs: 20 * DAY,
} as const;

export const entry = (at: string, actor: Actor, action: string, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({ at, actor, action, message: null, evidence: [], amount: null, terms: null, ...extra });
const CLOSED: readonly DisputeStatus[] = ['RESOLVED', 'CANCELLED'];
export const isClosed = (dispute: Pick<Dispute, 'status'>): boolean => CLOSED.includes(dispute.status);

export function next(dispute: Dispute, now: string, changes: Partial<Dispute>): Dispute {
  return { ...dispute, ...changes, updatedAt: now, version: dispute.version + 1 };
}

function requireStatus(dispute: Dispute, allowed: readonly DisputeStatus[], code: ConstructorParameters<typeof DomainError>[0], what: string): void {
  if (isClosed(dispute)) throw new DomainError('DISPUTE_CLOSED', `This dispute is ${dispute.status}.`);
  if (!allowed.includes(dispute.status)) throw new DomainError(code, `${what}; the dispute is ${dispute.status}.`);
}

// ---- Opening ----

export interface OpenInput {
  disputeId: string;
  order: Order;
  reason: DisputeReason;
  request: Terms;
  description: string;
  evidence: MediaRef[];
  now: string;
}

/** The buyer opens a dispute: from shipment until 15 days after completion, one at a time. */
export function openDispute(input: OpenInput): DisputeChange {
  const { order, now, request } = input;
  if (order.status === 'AWAITING_SHIPMENT') throw new DomainError('ORDER_NOT_SHIPPED', 'The order has not shipped yet: cancel it instead for a full refund.');
  if (!isOpen(order) && order.status !== 'COMPLETED') throw new DomainError('DISPUTE_WINDOW_CLOSED', `A ${order.status} order cannot be disputed.`);
  if (order.status === 'COMPLETED' && (!order.completedAt || now > addMs(order.completedAt, policy.disputeAfterCompletionMs))) {
    throw new DomainError('DISPUTE_WINDOW_CLOSED', `Disputes can be opened until ${policy.disputeAfterCompletionMs / DAY} days after the order was completed.`);
  }
  if (hasOpenDispute(order)) throw new DomainError('DISPUTE_ALREADY_OPEN', 'This order already has an open dispute.');
  // Only proof closes NOT_RECEIVED: a seller's claim does not, nor does completion without a delivery
  // (an auto-confirm at the end of protection), within the 15 days after completion checked above.
  if (input.reason === 'NOT_RECEIVED' && hasProofOfDelivery(order)) {
    throw new DomainError('ALREADY_DELIVERED', `The carrier showed the order delivered on ${order.deliveredAt}; choose another reason.`);
  }
  if (request.type === 'RETURN_AND_REFUND' && input.reason === 'NOT_RECEIVED') {
    throw new DomainError('VALIDATION_FAILED', 'Goods that never arrived cannot be returned; request a refund.', [{ path: 'body.request.type', message: 'REFUND for NOT_RECEIVED' }]);
  }
  if (request.type === 'RETURN_AND_REFUND') {
    if (!order.items.every((item) => item.returnable)) throw new DomainError('NOT_RETURNABLE', 'This order has products that cannot be returned; request a refund instead.');
    const windowEnd = returnWindowEndsAt(order);
    if (order.returnWindowClosed || (windowEnd !== null && now > windowEnd)) throw new DomainError('RETURN_WINDOW_CLOSED', 'The return window of this order has ended.');
  }
  assertAmount(order, request.amount, 'body.request.amount');
  const dispute: Dispute = {
    disputeId: input.disputeId,
    orderId: order.orderId,
    buyerId: order.buyerId,
    sellerId: order.sellerId,
    currency: order.total.currency,
    reason: input.reason,
    request,
    description: input.description,
    evidence: input.evidence,
    status: 'AWAITING_SELLER',
    counterOffer: null,
    agreement: null,
    returnShipment: null,
    proposal: null,
    decision: null,
    resolution: null,
    deadlines: { sellerResponse: addMs(now, disputeRules.sellerResponseMs), autoEscalate: addMs(now, disputeRules.autoEscalateMs) },
    firstResponseAt: null,
    escalatedAt: null,
    openedAt: now,
    updatedAt: now,
    version: 0,
  };
  return { dispute, timeline: [entry(now, 'buyer', 'OPENED', { message: input.description, evidence: input.evidence, terms: request })], refund: null };
}

/** A return can be asked for only of goods that arrived and can go back. */
function assertReturnable(order: Order, dispute: Pick<Dispute, 'reason'>): void {
  if (dispute.reason === 'NOT_RECEIVED') throw new DomainError('VALIDATION_FAILED', 'Goods that never arrived cannot be returned.', [{ path: 'body', message: 'no return for NOT_RECEIVED' }]);
  if (!order.items.every((item) => item.returnable)) throw new DomainError('NOT_RETURNABLE', 'This order has products that cannot be returned.');
}

function assertAmount(order: Order, amount: number, path: string): void {
  if (amount < 1) throw new DomainError('VALIDATION_FAILED', 'An amount of money must be asked for.', [{ path, message: 'at least 1' }]);
  if (amount > refundable(order)) {
    throw new DomainError('REFUND_EXCEEDS_REFUNDABLE', `The amount must be between 1 and ${refundable(order)} (what can still be refunded).`, [{ path, message: `1–${refundable(order)}` }]);
  }
}

// ---- Agreement and resolution ----

export function resolve(dispute: Dispute, amount: number, now: string, actor: Actor, action: string, extra: Partial<Dispute> = {}): DisputeChange {
  const resolved = next(dispute, now, { ...extra, status: 'RESOLVED', deadlines: {}, resolution: { outcome: amount > 0 ? 'REFUNDED' : 'NO_REFUND', refundAmount: amount, refundId: null, at: now } });
  return { dispute: resolved, timeline: [entry(now, actor, action, { amount })], refund: amount > 0 ? amount : null };
}

/** Terms agreed (by either side, a deadline, or an admin): refund now, or first the goods come back. */
function agree(dispute: Dispute, terms: Terms, how: string, actor: Actor, now: string, extra: Partial<Dispute> = {}): DisputeChange {
  const agreement = { terms, how, at: now };
  if (terms.type === 'REFUND') return withEntry(resolve(dispute, terms.amount, now, actor, 'REFUND_ISSUED', { ...extra, agreement }), entry(now, actor, how, { terms }));
  const agreed = next(dispute, now, {
    ...extra,
    status: 'AGREED',
    agreement,
    returnShipment: { status: 'AWAITING_SHIPMENT', carrier: null, trackingNumber: null, shippedAt: null, deliveredAt: null },
    deadlines: { returnShipment: addMs(now, disputeRules.returnShipmentMs) },
  });
  return { dispute: agreed, timeline: [entry(now, actor, how, { terms })], refund: null };
}

export const withEntry = (change: DisputeChange, first: TimelineEntry): DisputeChange => ({ ...change, timeline: [first, ...change.timeline] });

// ---- Actions ----

export function sellerResponds(dispute: Dispute, response: { action: 'ACCEPT' | 'COUNTER_OFFER'; counterOffer?: Terms | undefined; message: string; evidence: MediaRef[] }, order: Order, now: string): DisputeChange {
  requireStatus(dispute, ['AWAITING_SELLER'], 'DISPUTE_NOT_AWAITING_SELLER', 'The seller has already responded');
  if (dispute.deadlines.sellerResponse && now > dispute.deadlines.sellerResponse) throw new DomainError('RESPONSE_WINDOW_CLOSED', 'The response window has ended.');
  const responded = { firstResponseAt: now };
  const said = entry(now, 'seller', response.action === 'ACCEPT' ? 'SELLER_ACCEPTED' : 'COUNTER_OFFERED', { message: response.message, evidence: response.evidence, terms: response.action === 'ACCEPT' ? dispute.request : (response.counterOffer ?? null) });
  if (response.action === 'ACCEPT') {
    const change = agree(dispute, dispute.request, 'AGREED', 'seller', now, responded);
    return withEntry(change, said);
  }
  const offer = response.counterOffer;
  if (!offer) throw new DomainError('VALIDATION_FAILED', 'A counter-offer needs its terms.', [{ path: 'body.counterOffer', message: 'required for COUNTER_OFFER' }]);
  assertAmount(order, offer.amount, 'body.counterOffer.amount');
  if (offer.type === 'RETURN_AND_REFUND') assertReturnable(order, dispute);
  // For a parcel that never arrived, buyer protection still decides at the end of the response window.
  const keepProtection = dispute.reason === 'NOT_RECEIVED' && dispute.deadlines.sellerResponse ? { sellerResponse: dispute.deadlines.sellerResponse } : {};
  const countered = next(dispute, now, {
    ...responded,
    status: 'COUNTER_OFFERED',
    counterOffer: offer,
    deadlines: { ...keepProtection, buyerResponse: addMs(now, disputeRules.buyerResponseMs), ...(dispute.deadlines.autoEscalate && { autoEscalate: dispute.deadlines.autoEscalate }) },
  });
  return { dispute: countered, timeline: [said], refund: null };
}

export function buyerAcceptsOffer(dispute: Dispute, now: string): DisputeChange {
  requireStatus(dispute, ['COUNTER_OFFERED'], 'NO_COUNTER_OFFER', 'There is no counter-offer to accept');
  return agree(dispute, dispute.counterOffer as Terms, 'BUYER_ACCEPTED_OFFER', 'buyer', now);
}

/** Either side may escalate after the seller's first response, or 3 days after opening. */
/** After 7 days without a buyer action the counter-offer stands accepted, whether or not the job has run yet. */
function assertBuyerMayStillAct(dispute: Dispute, now: string): void {
  if (dispute.status === 'COUNTER_OFFERED' && dispute.deadlines.buyerResponse && now > dispute.deadlines.buyerResponse) {
    throw new DomainError('RESPONSE_WINDOW_CLOSED', 'The counter-offer was accepted automatically after 7 days.');
  }
}

/**
 * Once a response deadline has passed, its outcome is decided (the buyer's request, the counter-offer, or
 * buyer protection), whether or not the sweep has applied it yet: nobody can escalate it away meanwhile.
 */
function assertNoOutcomeDue(dispute: Dispute, now: string): void {
  const { sellerResponse, buyerResponse } = dispute.deadlines;
  if ((sellerResponse && now > sellerResponse) || (buyerResponse && now > buyerResponse)) {
    throw new DomainError('RESPONSE_WINDOW_CLOSED', 'A response deadline has passed; its outcome applies.');
  }
}

export function escalate(dispute: Dispute, by: 'buyer' | 'seller' | 'system', message: string | null, now: string): DisputeChange {
  if (dispute.status === 'ESCALATED') throw new DomainError('DISPUTE_ALREADY_ESCALATED', 'This dispute is already with the platform.');
  requireStatus(dispute, ['AWAITING_SELLER', 'COUNTER_OFFERED'], 'DISPUTE_ALREADY_AGREED', 'Only a dispute still being negotiated can be escalated');
  if (by !== 'system') assertNoOutcomeDue(dispute, now);
  if (by !== 'system' && !dispute.firstResponseAt && now < addMs(dispute.openedAt, disputeRules.escalateAfterMs)) {
    throw new DomainError('ESCALATION_NOT_ALLOWED_YET', 'Give the seller a chance: escalation opens after their first response or 3 days after opening.');
  }
  const escalated = next(dispute, now, { status: 'ESCALATED', escalatedAt: now, deadlines: {} });
  return { dispute: escalated, timeline: [entry(now, by, by === 'system' ? 'AUTO_ESCALATED' : 'ESCALATED', { message })], refund: null };
}

export function buyerCancels(dispute: Dispute, now: string): DisputeChange {
  requireStatus(dispute, ['AWAITING_SELLER', 'COUNTER_OFFERED', 'ESCALATED'], 'DISPUTE_ALREADY_AGREED', 'Only a dispute not yet agreed can be withdrawn');
  assertBuyerMayStillAct(dispute, now);
  const cancelled = next(dispute, now, { status: 'CANCELLED', deadlines: {}, resolution: { outcome: 'WITHDRAWN', refundAmount: 0, refundId: null, at: now } });
  return { dispute: cancelled, timeline: [entry(now, 'buyer', 'WITHDRAWN')], refund: null };
}

export function adminDecides(dispute: Dispute, decision: { refundAmount: number; returnRequired: boolean; rationale: string }, adminId: string, order: Order, now: string): DisputeChange {
  if (dispute.status !== 'ESCALATED') {
    if (isClosed(dispute)) throw new DomainError('DISPUTE_CLOSED', `This dispute is ${dispute.status}.`);
    throw new DomainError('DISPUTE_NOT_ESCALATED', 'Only escalated disputes are decided by the platform.');
  }
  if (decision.refundAmount > refundable(order)) assertAmount(order, decision.refundAmount, 'body.refundAmount');
  if (decision.returnRequired && decision.refundAmount > 0) assertReturnable(order, dispute);
  const recorded: Decision = { ...decision, decidedBy: adminId, at: now };
  const said = entry(now, 'admin', 'DECIDED', { message: decision.rationale, amount: decision.refundAmount });
  if (decision.refundAmount === 0) return withEntry(resolve(dispute, 0, now, 'admin', 'CLOSED_WITHOUT_REFUND', { decision: recorded }), said);
  const terms: Terms = { type: decision.returnRequired ? 'RETURN_AND_REFUND' : 'REFUND', amount: decision.refundAmount };
  return withEntry(agree(dispute, terms, 'PLATFORM_DECIDED', 'admin', now, { decision: recorded }), said);
}

// ---- Deadlines ----

/**
 * What happens when a deadline passes. Null when it no longer applies (the dispute moved on, or the
 * deadline was moved), so a timer fired twice or late changes nothing.
 */
export function deadlinePassed(dispute: Dispute, name: DeadlineName, order: Order, now: string): DisputeChange | null {
  const due = dispute.deadlines[name];
  if (!due || due > now || isClosed(dispute)) return null;
  switch (name) {
    case 'sellerResponse': {
      // Buyer protection: a parcel not delivered by its estimate is refunded in full unless the seller
      // has shown delivery by the end of the response window.
      // Only proof counts (a seller's claim does not), also on an order completed without delivery.
      const estimate = order.shipment?.estimatedDeliveryAt;
      const undelivered = !hasProofOfDelivery(order) || !order.deliveryRecordedAt || order.deliveryRecordedAt > due;
      if (dispute.reason === 'NOT_RECEIVED' && undelivered && estimate && estimate < due && (dispute.status === 'AWAITING_SELLER' || dispute.status === 'COUNTER_OFFERED')) {
        return agree(dispute, { type: 'REFUND', amount: refundable(order) }, 'BUYER_PROTECTION_REFUND', 'system', now);
      }
      if (dispute.status !== 'AWAITING_SELLER') return { dispute: next(dispute, now, { deadlines: omit(dispute.deadlines, name) }), timeline: [], refund: null };
      return agree(dispute, dispute.request, 'AUTO_ACCEPTED_NO_SELLER_RESPONSE', 'system', now);
    }
    case 'buyerResponse':
      return dispute.status === 'COUNTER_OFFERED' ? agree(dispute, dispute.counterOffer as Terms, 'AUTO_ACCEPTED_OFFER', 'system', now) : null;
    case 'autoEscalate':
      return dispute.status === 'AWAITING_SELLER' || dispute.status === 'COUNTER_OFFERED' ? escalate(dispute, 'system', 'Unresolved 15 days after opening.', now) : null;
    case 'returnShipment':
      return dispute.status === 'AGREED' && dispute.returnShipment?.status === 'AWAITING_SHIPMENT' ? resolve(dispute, 0, now, 'system', 'CLOSED_RETURN_NOT_SHIPPED') : null;
    case 'returnReceipt':
    case 'returnDelivery':
      // The return's own rules: domain/dispute-returns.ts returnDeadlinePassed.
      return null;
  }
}

const omit = <T extends object>(value: T, key: keyof T): T => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as T;

// ---- The case file's proposal ----

export interface CaseFacts {
  order: Order;
  trackingStatuses: string[];
  evidenceCount: number;
  messageCount: number;
}

/** The decision a rule proposes for an escalated dispute; the admin decides. */
export function proposeDecision(dispute: Dispute, facts: CaseFacts, now: string): Proposal {
  const full = refundable(facts.order);
  // Proof only: a seller's own DELIVERED event is in the tracking list too, but it is a claim.
  const delivered = hasProofOfDelivery(facts.order);
  const estimate = facts.order.shipment?.estimatedDeliveryAt;
  if (dispute.reason === 'NOT_RECEIVED') {
    if (!delivered && estimate && estimate < now) return { refundAmount: full, returnRequired: false, rule: 'NOT_DELIVERED_PAST_ESTIMATE', rationale: 'Tracking shows no delivery and the estimated delivery date has passed: full refund.' };
    if (delivered) return { refundAmount: 0, returnRequired: false, rule: 'DELIVERY_CONFIRMED', rationale: 'Tracking shows the parcel was delivered: no refund unless the buyer shows otherwise.' };
    return { refundAmount: 0, returnRequired: false, rule: 'STILL_IN_TRANSIT', rationale: 'The parcel is still within its estimated delivery time: wait for it.' };
  }
  const returnable = facts.order.items.every((item) => item.returnable);
  if (dispute.reason === 'COUNTERFEIT' && facts.evidenceCount > 0) return { refundAmount: full, returnRequired: false, rule: 'COUNTERFEIT_WITH_EVIDENCE', rationale: 'Counterfeit goods with evidence: full refund, no return of counterfeit goods.' };
  if (['NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM'].includes(dispute.reason) && facts.evidenceCount > 0) {
    return returnable
      ? { refundAmount: Math.min(full, dispute.request.amount), returnRequired: true, rule: 'DEFECT_WITH_EVIDENCE_RETURNABLE', rationale: 'Evidence supports the claim: refund on return of the goods.' }
      : { refundAmount: Math.min(full, dispute.request.amount), returnRequired: false, rule: 'DEFECT_WITH_EVIDENCE', rationale: 'Evidence supports the claim and the goods cannot be returned: refund as requested.' };
  }
  const offered = dispute.counterOffer?.amount ?? 0;
  return { refundAmount: offered, returnRequired: false, rule: 'NO_EVIDENCE', rationale: offered > 0 ? "No evidence supports the claim: the seller's offer stands." : 'No evidence supports the claim: no refund.' };
}
