/**
 * The dispute state machine (DOMAIN.md "Disputes, returns and refunds"): who may do what in each state,
 * the deadlines each state sets, what happens when a deadline passes, and the rule-based proposal an
 * admin starts from. Pure: every function takes the time and returns the next dispute plus its timeline
 * entries and the refund (if any) to pay now; the service writes them with the order in one transaction.
 */
import { DAY_MS as DAY, policy } from '../platform/config.js';
import { DomainError } from './errors.js';
import { assertLinesOpen, assertLinesReturnable, disputeLines, linesOf, refundCap, type DisputeLine } from './dispute-lines.js';
import { isOpen, hasOpenDispute, hasProofOfDelivery, type Order } from './orders.js';
import type { MediaRef } from './reviews.js';
import { addMs } from './time.js';

export const DISPUTE_REASONS = ['NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM', 'COUNTERFEIT', 'OTHER'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export const DISPUTE_STATUSES = ['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED', 'ESCALATED', 'RESOLVED', 'CANCELLED', 'APPEALED'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export type Actor = 'buyer' | 'seller' | 'admin' | 'system';
/** `decision`: the platform's 48 h to decide an escalated or appealed dispute (SLA; overdue is counted and alarmed). */
export const DEADLINE_NAMES = ['sellerResponse', 'buyerResponse', 'autoEscalate', 'returnShipment', 'returnReceipt', 'returnDelivery', 'decision'] as const;
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

/** A second arbiter's final decision on an appeal (domain/dispute-appeals.ts). */
export interface AppealDecision {
  /** The dispute's new total refund (minor units): never below what was refunded before. */
  refundAmount: number;
  /**
   * Paid by the platform to the seller (minor units, the dispute's currency); 0 when none. The seller
   * balance's COMPENSATION entry (domain/balance.ts compensationEntry) is made from this record, in the decision's transaction.
   */
  compensation: number;
  rationale: string;
  decidedBy: string;
  at: string;
}

export interface Appeal {
  by: 'buyer' | 'seller';
  statement: string;
  evidence: MediaRef[];
  at: string;
  decision: AppealDecision | null;
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
  /** The order lines disputed (empty on disputes from before lines: the whole order). */
  lines: DisputeLine[];
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
  /** When the platform owes its decision: 48 h after escalation or appeal (absent on disputes from before it). */
  decisionDueBy?: string | null;
  appeal?: Appeal | null;
  /** When the appeal window's timer recorded that it closed unused. */
  appealClosedAt?: string | null;
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
  decisionSlaMs: 48 * 3600 * 1000,
  appealWindowMs: 30 * DAY,
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
  /** The lines disputed; none: the whole order. */
  lines?: readonly DisputeLine[] | undefined;
  request: Terms;
  description: string;
  evidence: MediaRef[];
  now: string;
}

/**
 * The buyer opens a dispute: from shipment until 15 days after completion, one at a time, on lines no
 * dispute was decided on; the refund is capped by those lines' value less what was refunded on them.
 */
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
  const lines = disputeLines(order, input.lines);
  assertLinesOpen(order, lines);
  if (request.type === 'RETURN_AND_REFUND') assertLinesReturnable(order, lines, now);
  assertAmount(refundCap(order, lines), request.amount, 'body.request.amount');
  const dispute: Dispute = {
    disputeId: input.disputeId,
    orderId: order.orderId,
    buyerId: order.buyerId,
    sellerId: order.sellerId,
    currency: order.total.currency,
    reason: input.reason,
    lines,
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

/** A return can be asked for only of goods that arrived and can go back (each disputed line's product). */
function assertReturnable(order: Order, dispute: Pick<Dispute, 'reason' | 'lines'>): void {
  if (dispute.reason === 'NOT_RECEIVED') throw new DomainError('VALIDATION_FAILED', 'Goods that never arrived cannot be returned.', [{ path: 'body', message: 'no return for NOT_RECEIVED' }]);
  assertLinesReturnable(order, linesOf(dispute, order), null);
}

/** What this dispute may refund in all: its lines' value less what was refunded on them. */
export const capOf = (dispute: Pick<Dispute, 'lines' | 'resolution'>, order: Order): number => refundCap(order, linesOf(dispute, order), dispute.resolution?.refundAmount ?? 0);

function assertAmount(cap: number, amount: number, path: string): void {
  if (amount < 1) throw new DomainError('VALIDATION_FAILED', 'An amount of money must be asked for.', [{ path, message: 'at least 1' }]);
  if (amount > cap) {
    throw new DomainError('REFUND_EXCEEDS_REFUNDABLE', `The amount must be between 1 and ${cap} (what can still be refunded on the disputed lines).`, [{ path, message: `1–${cap}` }]);
  }
}

// ---- Agreement and resolution ----

export function resolve(dispute: Dispute, amount: number, now: string, actor: Actor, action: string, extra: Partial<Dispute> = {}): DisputeChange {
  const resolved = next(dispute, now, { ...extra, status: 'RESOLVED', deadlines: {}, resolution: { outcome: amount > 0 ? 'REFUNDED' : 'NO_REFUND', refundAmount: amount, refundId: null, at: now } });
  return { dispute: resolved, timeline: [entry(now, actor, action, { amount })], refund: amount > 0 ? amount : null };
}

/**
 * A refund decided by terms set earlier (a request, a counter-offer, a return's agreed amount) may be more
 * than is still refundable: a chargeback won by the buyer (domain/chargebacks.ts) can have refunded some
 * or all of the disputed lines meanwhile. The refund is then clamped to what is left (`capOf`, less what
 * this dispute already refunded), noted in the timeline; with nothing left the dispute is still resolved
 * REFUNDED — the buyer has the money — with no new money. Refusing it instead would leave the answer 409
 * forever and the deadline unable to fire.
 */
export function withinRefundable(before: Dispute, change: DisputeChange, order: Order, now: string): DisputeChange {
  const ownRefund = before.resolution?.refundAmount ?? 0;
  const left = capOf(before, order) - ownRefund;
  if (change.refund === null || change.refund <= left) return change;
  const resolution = change.dispute.resolution && { ...change.dispute.resolution, outcome: 'REFUNDED' as const, refundAmount: ownRefund + left };
  const by = order.chargeback?.status === 'WON_BY_BUYER' ? ` (chargeback ${order.chargeback.chargebackId} won by the buyer's bank returned ${order.chargeback.refunded} on this order)` : '';
  const message =
    left > 0
      ? `Rule: never more than is still refundable. Evidence: the terms refund ${change.refund}, only ${left} can still be refunded on the disputed lines${by}; ${left} is refunded.`
      : `Rule: never more than is still refundable. Evidence: the terms refund ${change.refund}, nothing is left to refund on the disputed lines${by}; the buyer already has the money, nothing more is paid.`;
  return { dispute: { ...change.dispute, resolution }, timeline: [...change.timeline, entry(now, 'system', 'REFUND_LIMITED', { message, amount: left })], refund: left > 0 ? left : null };
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

/** 15 days after opening, negotiation is over whether or not the job has escalated the dispute yet. */
function assertStillNegotiating(dispute: Dispute, now: string): void {
  if (dispute.deadlines.autoEscalate && now > dispute.deadlines.autoEscalate) {
    throw new DomainError('RESPONSE_WINDOW_CLOSED', `Unresolved ${disputeRules.autoEscalateMs / DAY} days after opening: the dispute goes to the platform.`);
  }
}

export function sellerResponds(dispute: Dispute, response: { action: 'ACCEPT' | 'COUNTER_OFFER'; counterOffer?: Terms | undefined; message: string; evidence: MediaRef[] }, order: Order, now: string): DisputeChange {
  requireStatus(dispute, ['AWAITING_SELLER'], 'DISPUTE_NOT_AWAITING_SELLER', 'The seller has already responded');
  if (dispute.deadlines.sellerResponse && now > dispute.deadlines.sellerResponse) throw new DomainError('RESPONSE_WINDOW_CLOSED', 'The response window has ended.');
  assertStillNegotiating(dispute, now);
  const responded = { firstResponseAt: dispute.firstResponseAt ?? now };
  const said = entry(now, 'seller', response.action === 'ACCEPT' ? 'SELLER_ACCEPTED' : 'COUNTER_OFFERED', { message: response.message, evidence: response.evidence, terms: response.action === 'ACCEPT' ? dispute.request : (response.counterOffer ?? null) });
  if (response.action === 'ACCEPT') {
    const change = agree(dispute, dispute.request, 'AGREED', 'seller', now, responded);
    return withEntry(change, said);
  }
  const offer = response.counterOffer;
  if (!offer) throw new DomainError('VALIDATION_FAILED', 'A counter-offer needs its terms.', [{ path: 'body.counterOffer', message: 'required for COUNTER_OFFER' }]);
  assertAmount(capOf(dispute, order), offer.amount, 'body.counterOffer.amount');
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
  assertBuyerMayStillAct(dispute, now);
  assertStillNegotiating(dispute, now);
  return agree(dispute, dispute.counterOffer as Terms, 'BUYER_ACCEPTED_OFFER', 'buyer', now);
}

/**
 * A new round: the buyer answers a counter-offer with a new request, and the seller has 5 days again. The
 * 15-day auto-escalation stays where it was, so rounds cannot keep a dispute from the platform forever.
 */
export function buyerRevises(dispute: Dispute, revision: { request: Terms; message: string }, order: Order, now: string): DisputeChange {
  requireStatus(dispute, ['COUNTER_OFFERED'], 'NO_COUNTER_OFFER', 'There is no counter-offer to answer');
  assertBuyerMayStillAct(dispute, now);
  assertStillNegotiating(dispute, now);
  const { request } = revision;
  if (request.type === 'RETURN_AND_REFUND') {
    assertReturnable(order, dispute);
    assertLinesReturnable(order, linesOf(dispute, order), now);
  }
  assertAmount(capOf(dispute, order), request.amount, 'body.request.amount');
  const revised = next(dispute, now, {
    status: 'AWAITING_SELLER',
    request,
    counterOffer: null,
    deadlines: { sellerResponse: addMs(now, disputeRules.sellerResponseMs), ...(dispute.deadlines.autoEscalate && { autoEscalate: dispute.deadlines.autoEscalate }) },
  });
  return { dispute: revised, timeline: [entry(now, 'buyer', 'REVISED_REQUEST', { message: revision.message, terms: request })], refund: null };
}

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
  const decisionDueBy = addMs(now, disputeRules.decisionSlaMs);
  const escalated = next(dispute, now, { status: 'ESCALATED', escalatedAt: now, decisionDueBy, deadlines: { decision: decisionDueBy } });
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
  if (decision.refundAmount > capOf(dispute, order)) assertAmount(capOf(dispute, order), decision.refundAmount, 'body.refundAmount');
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
  // A response window ending at or after the 15-day mark ends in escalation, whichever timer fires first.
  const escalateBy = dispute.deadlines.autoEscalate;
  if ((name === 'sellerResponse' || name === 'buyerResponse') && escalateBy && escalateBy <= due && !protectsBuyer(dispute, order, due)) return deadlinePassed(dispute, 'autoEscalate', order, now);
  switch (name) {
    case 'sellerResponse': {
      if (protectsBuyer(dispute, order, due)) {
        const estimate = order.shipment?.estimatedDeliveryAt;
        return citing(
          agree(dispute, { type: 'REFUND', amount: capOf(dispute, order) }, 'BUYER_PROTECTION_REFUND', 'system', now),
          `Rule: buyer protection (not received). Evidence: the carrier's estimate ${estimate} passed and no proof of delivery was recorded by the end of the seller's response window (${due}).`,
        );
      }
      if (dispute.status !== 'AWAITING_SELLER') return { dispute: next(dispute, now, { deadlines: omit(dispute.deadlines, name) }), timeline: [], refund: null };
      return citing(
        agree(dispute, dispute.request, 'AUTO_ACCEPTED_NO_SELLER_RESPONSE', 'system', now),
        `Rule: the seller responds within ${disputeRules.sellerResponseMs / DAY} days. Evidence: no response to the request of ${dispute.request.amount} by ${due}; the request applies.`,
      );
    }
    case 'buyerResponse':
      return dispute.status === 'COUNTER_OFFERED'
        ? citing(
            agree(dispute, dispute.counterOffer as Terms, 'AUTO_ACCEPTED_OFFER', 'system', now),
            `Rule: the buyer answers a counter-offer within ${disputeRules.buyerResponseMs / DAY} days. Evidence: no answer to the offer of ${(dispute.counterOffer as Terms).amount} by ${due}; the offer stands accepted.`,
          )
        : null;
    case 'decision':
      return dispute.status === 'ESCALATED' || dispute.status === 'APPEALED'
        ? {
            dispute: next(dispute, now, { deadlines: omit(dispute.deadlines, name) }),
            timeline: [
              entry(now, 'system', 'DECISION_OVERDUE', {
                message: `Rule: the platform decides within ${disputeRules.decisionSlaMs / 3_600_000} hours. Evidence: ${dispute.status === 'APPEALED' ? `appealed ${dispute.appeal?.at}` : `escalated ${dispute.escalatedAt}`}, no decision by ${due}.`,
              }),
            ],
            refund: null,
          }
        : null;
    case 'autoEscalate':
      return dispute.status === 'AWAITING_SELLER' || dispute.status === 'COUNTER_OFFERED'
        ? escalate(dispute, 'system', `Rule: a dispute still in negotiation ${disputeRules.autoEscalateMs / DAY} days after opening goes to the platform. Evidence: opened ${dispute.openedAt}, still ${dispute.status} at ${dispute.deadlines.autoEscalate}.`, now)
        : null;
    case 'returnShipment':
      return dispute.status === 'AGREED' && dispute.returnShipment?.status === 'AWAITING_SHIPMENT' ? resolve(dispute, 0, now, 'system', 'CLOSED_RETURN_NOT_SHIPPED') : null;
    case 'returnReceipt':
    case 'returnDelivery':
      // The return's own rules: domain/dispute-returns.ts returnDeadlinePassed.
      return null;
  }
}

/**
 * Buyer protection: a parcel not delivered by its estimate is refunded in full (the disputed lines) unless
 * the seller has shown delivery by the end of the response window.
 */
function protectsBuyer(dispute: Dispute, order: Order, due: string): boolean {
  const estimate = order.shipment?.estimatedDeliveryAt;
  // Only proof counts (a seller's claim does not), also on an order completed without delivery.
  const undelivered = !hasProofOfDelivery(order) || !order.deliveryRecordedAt || order.deliveryRecordedAt > due;
  return dispute.reason === 'NOT_RECEIVED' && undelivered && !!estimate && estimate < due && dispute.deadlines.sellerResponse === due && (dispute.status === 'AWAITING_SELLER' || dispute.status === 'COUNTER_OFFERED');
}

/** An automatic outcome says which rule applied and what it saw, on its first timeline entry. */
const citing = (change: DisputeChange, why: string): DisputeChange => ({ ...change, timeline: change.timeline.map((item, index) => (index === 0 ? { ...item, message: why } : item)) });

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
  const full = capOf(dispute, facts.order);
  // Proof only: a seller's own DELIVERED event is in the tracking list too, but it is a claim.
  const delivered = hasProofOfDelivery(facts.order);
  const estimate = facts.order.shipment?.estimatedDeliveryAt;
  if (dispute.reason === 'NOT_RECEIVED') {
    if (!delivered && estimate && estimate < now) return { refundAmount: full, returnRequired: false, rule: 'NOT_DELIVERED_PAST_ESTIMATE', rationale: 'Tracking shows no delivery and the estimated delivery date has passed: full refund.' };
    if (delivered) return { refundAmount: 0, returnRequired: false, rule: 'DELIVERY_CONFIRMED', rationale: 'Tracking shows the parcel was delivered: no refund unless the buyer shows otherwise.' };
    return { refundAmount: 0, returnRequired: false, rule: 'STILL_IN_TRANSIT', rationale: 'The parcel is still within its estimated delivery time: wait for it.' };
  }
  const returnable = linesOf(dispute, facts.order).every((line) => facts.order.items.find((item) => item.productId === line.productId)?.returnable === true);
  if (dispute.reason === 'COUNTERFEIT' && facts.evidenceCount > 0) return { refundAmount: full, returnRequired: false, rule: 'COUNTERFEIT_WITH_EVIDENCE', rationale: 'Counterfeit goods with evidence: full refund, no return of counterfeit goods.' };
  if (['NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM'].includes(dispute.reason) && facts.evidenceCount > 0) {
    return returnable
      ? { refundAmount: Math.min(full, dispute.request.amount), returnRequired: true, rule: 'DEFECT_WITH_EVIDENCE_RETURNABLE', rationale: 'Evidence supports the claim: refund on return of the goods.' }
      : { refundAmount: Math.min(full, dispute.request.amount), returnRequired: false, rule: 'DEFECT_WITH_EVIDENCE', rationale: 'Evidence supports the claim and the goods cannot be returned: refund as requested.' };
  }
  const offered = dispute.counterOffer?.amount ?? 0;
  return { refundAmount: offered, returnRequired: false, rule: 'NO_EVIDENCE', rationale: offered > 0 ? "No evidence supports the claim: the seller's offer stands." : 'No evidence supports the claim: no refund.' };
}
