/**
 * The dispute state machine as a specification (DOMAIN.md "Disputes, returns and refunds", "Money and
 * escrow"). Orders are built through the order domain's own transitions and disputes through
 * `openDispute` and the actions that follow it; no dispute is written by hand.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from './refusal.js';
import { orderAfterDispute } from '../../lambdas/domain/dispute-lines.js';
import * as appeals from '../../lambdas/domain/dispute-appeals.js';
import * as returns from '../../lambdas/domain/dispute-returns.js';
import * as disputes from '../../lambdas/domain/disputes.js';
import type { DeadlineName, Dispute, DisputeChange, OpenInput, Terms, TimelineEntry } from '../../lambdas/domain/disputes.js';
import { applyLedger, type LedgerEntry, type LedgerType } from '../../lambdas/domain/money.js';
import * as orders from '../../lambdas/domain/orders.js';
import type { ListingSnapshot, Order, Transition } from '../../lambdas/domain/orders.js';
import type { MediaRef } from '../../lambdas/domain/reviews.js';
import { aListingSnapshot, anOrder, at, placing } from './order-builder.js';

// ---- Helpers ----


/** `iso` moved by a number of milliseconds (−1: one millisecond before). */
const ms = (iso: string, delta: number): string => new Date(new Date(iso).getTime() + delta).toISOString();
const actions = (timeline: readonly TimelineEntry[]): string[] => timeline.map((entry) => entry.action);

const photo: MediaRef = { uploadId: 'upl_01ARZ3NDEKTSV4RRFFQ69G5FB0', key: 'disputes/dsp_1/crack.jpg', contentType: 'image/jpeg' };
const DRIPPER = aListingSnapshot().productId;
const MUG = 'prd_01ARZ3NDEKTSV4RRFFQ69G5FB2';
/** A returnable mug at 1200 with a 30-day return window. */
const mug = aListingSnapshot({ productId: MUG, title: 'Stoneware mug', price: { amount: 1200, currency: 'USD' }, guarantee: { returnable: true, returnWindowDays: 30, protectionDays: 60 } });
const nonReturnable = aListingSnapshot({ productId: 'prd_01ARZ3NDEKTSV4RRFFQ69G5FB1', title: 'Custom engraved mug', guarantee: { returnable: false, returnWindowDays: 0, protectionDays: 60 } });

/** Total 4900 (2 × 2450), shipped on day 1 with delivery estimated on day 11. */
const shipped = anOrder().shipped(1, 10).build();
/** …delivered on day 5: the return window (15 days) ends on day 20. */
const delivered = anOrder().shipped(1, 10).delivered(5).build();
/** …confirmed on day 6: disputes may be opened until day 21. */
const completed = anOrder().shipped(1, 10).delivered(5).completed(6).build();
const TOTAL = 4900;

/** Most disputes here open on day 8: seller response due day 13, auto-escalation day 23. */
const OPENED = at(8);
const REQUEST: Terms = { type: 'REFUND', amount: 1000 };
const RETURN_REQUEST: Terms = { type: 'RETURN_AND_REFUND', amount: 1000 };
const OFFER: Terms = { type: 'REFUND', amount: 500 };

type Opening = Partial<Omit<OpenInput, 'order'>>;

/** The buyer opens a dispute: a DAMAGED refund request of 1000 with one photo, on day 8 unless overridden. */
const opening = (order: Order, overrides: Opening = {}): DisputeChange =>
  disputes.openDispute({ disputeId: 'dsp_1', order, reason: 'DAMAGED', request: REQUEST, description: 'The dripper arrived cracked.', evidence: [photo], now: OPENED, ...overrides });
const aDispute = (order: Order, overrides: Opening = {}): Dispute => opening(order, overrides).dispute;

const accept = (dispute: Dispute, order: Order, now = at(9)): DisputeChange => disputes.sellerResponds(dispute, { action: 'ACCEPT', message: 'Sorry about that.', evidence: [] }, order, now);
const counter = (dispute: Dispute, order: Order, offer: Terms = OFFER, now = at(9)): DisputeChange =>
  disputes.sellerResponds(dispute, { action: 'COUNTER_OFFER', counterOffer: offer, message: 'Half back, keep the item?', evidence: [photo] }, order, now);
/** The buyer ships the return with DHL (domain/dispute-returns.ts). */
const shipReturn = (dispute: Dispute, now = at(10)): DisputeChange => returns.buyerShipsReturn(dispute, { carrier: 'DHL', trackingNumber: 'RET-1234' }, now);
/** DHL's signed webhook shows the return delivered on that day. */
const carrierDelivers = (dispute: Dispute, day: number): DisputeChange => {
  const change = returns.returnCarrierEvent(dispute, { carrier: 'dhl', eventId: 'evt-ret-1', status: 'DELIVERED', occurredAt: at(day), signedBy: null }, at(day));
  if (!change) throw new Error('the return was not waiting for the carrier');
  return change;
};
const decide = (dispute: Dispute, order: Order, refundAmount: number, returnRequired = false, now = at(12)): DisputeChange =>
  disputes.adminDecides(dispute, { refundAmount, returnRequired, rationale: 'Photos show a crack present on delivery.' }, 'admin-1', order, now);
/** A deadline that must fire. */
/** A deadline passing, decided where its rule lives (the return's own in domain/dispute-returns.ts). */
const passed = (dispute: Dispute, name: DeadlineName, order: Order, now: string): DisputeChange | null =>
  returns.isReturnDeadline(name) ? returns.returnDeadlinePassed(dispute, name, now) : disputes.deadlinePassed(dispute, name, order, now);
const fire = (dispute: Dispute, name: DeadlineName, order: Order, now: string): DisputeChange => {
  const change = passed(dispute, name, order, now);
  if (!change) throw new Error(`${name} did not fire at ${now}`);
  return change;
};

/** Disputes on the delivered order, in each state the machine can reach. */
const inState = {
  AWAITING_SELLER: () => aDispute(delivered),
  /** Countered on day 9: buyer response due day 16. */
  COUNTER_OFFERED: () => counter(aDispute(delivered), delivered).dispute,
  /** Return accepted on day 9: return shipment due day 16. */
  AGREED: () => accept(aDispute(delivered, { request: RETURN_REQUEST }), delivered).dispute,
  /** Return shipped on day 10: escalated if no carrier delivery by day 30. */
  RETURN_SHIPPED: () => shipReturn(inState.AGREED()).dispute,
  /** The carrier delivered the return on day 13: refund due automatically on day 23. */
  RETURN_DELIVERED: () => carrierDelivers(inState.RETURN_SHIPPED(), 13).dispute,
  ESCALATED: () => disputes.escalate(inState.COUNTER_OFFERED(), 'buyer', 'The crack is not my fault.', at(10)).dispute,
  RESOLVED: () => accept(aDispute(delivered), delivered).dispute,
  CANCELLED: () => disputes.buyerCancels(aDispute(delivered), at(9)).dispute,
} as const;

// ---- Money: the order's books, replayed from the ledger entries the transitions return ----

const ledgerTotal = (ledger: readonly LedgerEntry[], type: LedgerType): number => ledger.filter((entry) => entry.type === type).reduce((sum, entry) => sum + entry.amount.amount, 0);

/** HOLD = RELEASE − REVERSAL + REFUND + held, replayed from the ledger and equal to the order's escrow. */
function expectBalanced(order: Order, ledger: readonly LedgerEntry[]): void {
  expect(applyLedger({ held: 0, released: 0, refunded: 0 }, ledger)).toEqual(order.escrow);
  const hold = ledgerTotal(ledger, 'HOLD');
  expect(hold).toBe(order.total.amount);
  expect(hold).toBe(ledgerTotal(ledger, 'RELEASE') - ledgerTotal(ledger, 'REVERSAL') + ledgerTotal(ledger, 'REFUND') + order.escrow.held);
  expect(order.escrow.refunded).toBe(ledgerTotal(ledger, 'REFUND'));
  expect(order.escrow.released).toBe(ledgerTotal(ledger, 'RELEASE') - ledgerTotal(ledger, 'REVERSAL'));
  expect(ledger.map((entry) => entry.seq)).toEqual(ledger.map((_, index) => index + 1));
  expect(order.ledgerSeq).toBe(ledger.length);
  if (order.status === 'CLOSED' || order.status === 'CANCELLED' || order.status === 'COMPLETED') expect(order.escrow.held).toBe(0);
}

class Books {
  order: Order;
  readonly ledger: LedgerEntry[] = [];

  private constructor(placed: Transition) {
    this.order = placed.order;
    this.ledger.push(...placed.ledger);
    expectBalanced(this.order, this.ledger);
  }

  static placed(listings: ListingSnapshot[] = [aListingSnapshot()], quantity = 2): Books {
    return new Books(placing(listings, quantity));
  }

  /** Applies a transition, keeps its ledger entries and checks the escrow invariant after it. */
  apply(step: (order: Order) => Transition): this {
    const next = step(this.order);
    expect(next.order.version).toBe(this.order.version + 1);
    this.ledger.push(...next.ledger);
    this.order = next.order;
    expectBalanced(this.order, this.ledger);
    return this;
  }

  shipped(day = 1, estimateDays = 10): this {
    return this.apply((order) => orders.shipOrder(order, { carrier: 'UPS', trackingNumber: '1Z999', estimatedDeliveryAt: at(day + estimateDays) }, at(day)));
  }

  delivered(day = 5): this {
    return this.apply((order) => orders.recordTrackingEvent(order, { status: 'DELIVERED', occurredAt: at(day) }, at(day), 'admin'));
  }

  completed(day = 6): this {
    return this.apply((order) => orders.confirmReceipt(order, 'buyer', at(day)));
  }
}

type Step = (dispute: Dispute, order: Order) => DisputeChange;

/** A dispute and its order moving together, as the service writes them: each change with its refund, if any. */
class DisputeCase {
  dispute: Dispute;
  readonly timeline: TimelineEntry[] = [];
  readonly refunds: number[] = [];

  constructor(
    readonly books: Books,
    overrides: Opening = {},
  ) {
    const change = opening(books.order, overrides);
    this.dispute = change.dispute;
    this.record(change);
  }

  then(...steps: Step[]): this {
    for (const step of steps) this.record(step(this.dispute, this.books.order));
    return this;
  }

  private record(change: DisputeChange): void {
    const before = this.timeline.length === 0 ? null : this.dispute;
    expect(change.dispute.version).toBe(before === null ? 0 : this.dispute.version + 1);
    this.dispute = change.dispute;
    this.timeline.push(...change.timeline);
    const { refund } = change;
    this.books.apply((order) => orderAfterDispute(order, before, change.dispute, refund, change.dispute.updatedAt));
    if (refund !== null) this.refunds.push(refund);
  }
}

// ---- Opening ----

describe('opening a dispute', () => {
  it.each([
    ['shipped', shipped],
    ['delivered', delivered],
  ])('allows a dispute on a %s order, awaiting the seller', (_state, order) => {
    const { dispute, refund } = opening(order);
    expect(dispute).toMatchObject({
      disputeId: 'dsp_1',
      orderId: order.orderId,
      buyerId: 'buyer-1',
      sellerId: 'seller-1',
      currency: 'USD',
      reason: 'DAMAGED',
      request: REQUEST,
      status: 'AWAITING_SELLER',
      counterOffer: null,
      agreement: null,
      returnShipment: null,
      decision: null,
      resolution: null,
      firstResponseAt: null,
      escalatedAt: null,
      openedAt: OPENED,
      version: 0,
    });
    expect(refund).toBeNull();
  });

  it('gives the seller 5 days to respond and escalates automatically 15 days after opening', () => {
    expect(aDispute(delivered).deadlines).toEqual({ sellerResponse: at(13), autoEscalate: at(23) });
  });

  it("records OPENED on the timeline: the buyer, the description, the evidence and the request", () => {
    expect(opening(delivered).timeline).toEqual([{ at: OPENED, actor: 'buyer', action: 'OPENED', message: 'The dripper arrived cracked.', evidence: [photo], amount: null, terms: REQUEST }]);
  });

  it('allows a completed order until exactly 15 days after completion', () => {
    expect(completed.completedAt).toBe(at(6));
    expect(aDispute(completed, { now: at(21) }).status).toBe('AWAITING_SELLER');
  });

  it('refuses a completed order 15 days and 1 ms after completion with DISPUTE_WINDOW_CLOSED', () => {
    expect(refusal(() => opening(completed, { now: ms(at(21), 1) }))).toBe('DISPUTE_WINDOW_CLOSED');
  });

  it('refuses an order awaiting shipment with ORDER_NOT_SHIPPED', () => {
    expect(refusal(() => opening(anOrder().build(), { now: at(1) }))).toBe('ORDER_NOT_SHIPPED');
  });

  it('refuses a cancelled order with DISPUTE_WINDOW_CLOSED', () => {
    expect(refusal(() => opening(anOrder().cancelled().build(), { now: at(1) }))).toBe('DISPUTE_WINDOW_CLOSED');
  });

  it('refuses an order closed by a full refund with DISPUTE_WINDOW_CLOSED', () => {
    const closed = orders.refundThroughDispute(delivered, TOTAL, 'RESOLVED', 'dispute dsp_0', at(7)).order;
    expect(closed.status).toBe('CLOSED');
    expect(refusal(() => opening(closed))).toBe('DISPUTE_WINDOW_CLOSED');
  });

  it.each(['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED', 'ESCALATED'])('refuses a second dispute while one is %s with DISPUTE_ALREADY_OPEN', (status) => {
    expect(refusal(() => opening(anOrder().shipped(1, 10).delivered(5).withDispute(status).build()))).toBe('DISPUTE_ALREADY_OPEN');
  });

  it('allows a new dispute once the last one was withdrawn (CANCELLED)', () => {
    expect(aDispute(anOrder().shipped(1, 10).delivered(5).withDispute('CANCELLED').build()).status).toBe('AWAITING_SELLER');
  });

  it('refuses a new dispute on an order whose last dispute, recorded before lines were, was RESOLVED (DISPUTE_ALREADY_DECIDED)', () => {
    expect(refusal(() => opening(anOrder().shipped(1, 10).delivered(5).withDispute('RESOLVED').build()))).toBe('DISPUTE_ALREADY_DECIDED');
  });

  it('allows NOT_RECEIVED while the order is shipped', () => {
    expect(aDispute(shipped, { reason: 'NOT_RECEIVED', now: at(12) }).reason).toBe('NOT_RECEIVED');
  });

  it.each([
    ['delivered', delivered],
    ['completed', completed],
  ])('refuses NOT_RECEIVED after delivery (%s order) with ALREADY_DELIVERED', (_state, order) => {
    expect(refusal(() => opening(order, { reason: 'NOT_RECEIVED' }))).toBe('ALREADY_DELIVERED');
  });

  it('refuses RETURN_AND_REFUND when a line is not returnable with NOT_RETURNABLE, but allows a refund', () => {
    const mixed = anOrder([aListingSnapshot(), nonReturnable], 1).shipped(1, 10).delivered(5).build();
    expect(refusal(() => opening(mixed, { request: RETURN_REQUEST }))).toBe('NOT_RETURNABLE');
    expect(aDispute(mixed, { request: REQUEST }).status).toBe('AWAITING_SELLER');
  });

  it('allows RETURN_AND_REFUND until exactly the end of the return window, 15 days after delivery', () => {
    expect(orders.returnWindowEndsAt(delivered)).toBe(at(20));
    expect(aDispute(delivered, { request: RETURN_REQUEST, now: at(20) }).request).toEqual(RETURN_REQUEST);
  });

  it('refuses RETURN_AND_REFUND 1 ms after the return window with RETURN_WINDOW_CLOSED', () => {
    expect(refusal(() => opening(delivered, { request: RETURN_REQUEST, now: ms(at(20), 1) }))).toBe('RETURN_WINDOW_CLOSED');
    // A refund alone may still be requested.
    expect(aDispute(delivered, { request: REQUEST, now: ms(at(20), 1) }).status).toBe('AWAITING_SELLER');
  });

  it('refuses RETURN_AND_REFUND once the timers job has closed the return window with RETURN_WINDOW_CLOSED', () => {
    const expired: Order = { ...delivered, returnWindowClosed: true };
    expect(refusal(() => opening(expired, { request: RETURN_REQUEST, now: at(9) }))).toBe('RETURN_WINDOW_CLOSED');
  });

  it('runs the return window from completion when delivery was never tracked', () => {
    const shortWindow = aListingSnapshot({ guarantee: { returnable: true, returnWindowDays: 10, protectionDays: 60 } });
    const untracked = anOrder([shortWindow]).shipped(1, 10).completed(6).build();
    expect(orders.returnWindowEndsAt(untracked)).toBe(at(16));
    expect(aDispute(untracked, { request: RETURN_REQUEST, now: at(16) }).status).toBe('AWAITING_SELLER');
    expect(refusal(() => opening(untracked, { request: RETURN_REQUEST, now: ms(at(16), 1) }))).toBe('RETURN_WINDOW_CLOSED');
  });

  it('allows RETURN_AND_REFUND while the goods are still on their way (the return window has not started)', () => {
    expect(orders.returnWindowEndsAt(shipped)).toBeNull();
    expect(aDispute(shipped, { request: RETURN_REQUEST, now: at(30) }).status).toBe('AWAITING_SELLER');
  });

  it.each([
    ['nothing', 0, 'VALIDATION_FAILED'],
    ['more than the order total', TOTAL + 1, 'REFUND_EXCEEDS_REFUNDABLE'],
  ])('refuses a request for %s with %s', (_what, amount, code) => {
    expect(refusal(() => opening(delivered, { request: { type: 'REFUND', amount } }))).toBe(code);
  });

  it.each([1, TOTAL])('allows a request of %i (between 1 and what is refundable)', (amount) => {
    expect(aDispute(delivered, { request: { type: 'REFUND', amount } }).request.amount).toBe(amount);
  });

  it('never asks for more than the order has left, whatever the lines are worth', () => {
    // A refund outside any line's record (as before lines were recorded) still lowers the order's cap.
    const partlyRefunded = { ...orders.refundThroughDispute(delivered, 1000, 'CANCELLED', 'dispute dsp_0', at(7)).order, disputeLines: {} };
    expect(orders.refundable(partlyRefunded)).toBe(3900);
    expect(refusal(() => opening(partlyRefunded, { request: { type: 'REFUND', amount: 3901 } }))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    expect(aDispute(partlyRefunded, { request: { type: 'REFUND', amount: 3900 } }).request.amount).toBe(3900);
  });
});

// ---- The seller's response ----

describe('the seller responds', () => {
  it('accepting a REFUND request resolves the dispute with the requested refund now', () => {
    const { dispute, refund, timeline } = accept(aDispute(delivered), delivered, at(9));
    expect(refund).toBe(1000);
    expect(dispute).toMatchObject({
      status: 'RESOLVED',
      agreement: { terms: REQUEST, how: 'AGREED', at: at(9) },
      resolution: { outcome: 'REFUNDED', refundAmount: 1000, refundId: null, at: at(9) },
      deadlines: {},
      firstResponseAt: at(9),
      updatedAt: at(9),
      version: 1,
    });
    expect(actions(timeline)).toEqual(['SELLER_ACCEPTED', 'AGREED', 'REFUND_ISSUED']);
    expect(timeline[0]).toMatchObject({ actor: 'seller', message: 'Sorry about that.', terms: REQUEST });
    expect(timeline[2]).toMatchObject({ actor: 'seller', amount: 1000 });
  });

  it('accepting a RETURN_AND_REFUND request agrees and awaits the return within 7 days, refunding nothing yet', () => {
    const { dispute, refund, timeline } = accept(aDispute(delivered, { request: RETURN_REQUEST }), delivered, at(9));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({
      status: 'AGREED',
      agreement: { terms: RETURN_REQUEST, how: 'AGREED', at: at(9) },
      returnShipment: { status: 'AWAITING_SHIPMENT', carrier: null, trackingNumber: null, shippedAt: null, deliveredAt: null },
      resolution: null,
      firstResponseAt: at(9),
    });
    expect(dispute.deadlines).toEqual({ returnShipment: at(16) });
    expect(actions(timeline)).toEqual(['SELLER_ACCEPTED', 'AGREED']);
  });

  it('a counter-offer gives the buyer 7 days to answer and keeps the auto-escalation', () => {
    const { dispute, refund, timeline } = counter(aDispute(delivered), delivered, OFFER, at(9));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'COUNTER_OFFERED', counterOffer: OFFER, agreement: null, firstResponseAt: at(9) });
    expect(dispute.deadlines).toEqual({ buyerResponse: at(16), autoEscalate: at(23) });
    expect(timeline).toEqual([{ at: at(9), actor: 'seller', action: 'COUNTER_OFFERED', message: 'Half back, keep the item?', evidence: [photo], amount: null, terms: OFFER }]);
  });

  it('a counter-offer on NOT_RECEIVED keeps the seller response deadline, where buyer protection decides', () => {
    const notReceived = aDispute(shipped, { reason: 'NOT_RECEIVED', now: at(12) });
    expect(counter(notReceived, shipped, OFFER, at(13)).dispute.deadlines).toEqual({ sellerResponse: at(17), buyerResponse: at(20), autoEscalate: at(27) });
  });

  it('may counter-offer a return', () => {
    const offer: Terms = { type: 'RETURN_AND_REFUND', amount: TOTAL };
    expect(counter(aDispute(delivered), delivered, offer).dispute.counterOffer).toEqual(offer);
  });

  it.each([
    ['more than is refundable', TOTAL + 1, 'REFUND_EXCEEDS_REFUNDABLE'],
    ['nothing', 0, 'VALIDATION_FAILED'],
  ])('refuses a counter-offer of %s with %s', (_what, amount, code) => {
    expect(refusal(() => counter(aDispute(delivered), delivered, { type: 'REFUND', amount }))).toBe(code);
  });

  it('refuses a counter-offer without its terms with VALIDATION_FAILED', () => {
    expect(refusal(() => disputes.sellerResponds(aDispute(delivered), { action: 'COUNTER_OFFER', message: 'No.', evidence: [] }, delivered, at(9)))).toBe('VALIDATION_FAILED');
  });

  it.each(['COUNTER_OFFERED', 'AGREED', 'ESCALATED'] as const)('refuses a second response once the dispute is %s with DISPUTE_NOT_AWAITING_SELLER', (status) => {
    const dispute = inState[status]();
    expect(dispute.status).toBe(status);
    expect(refusal(() => accept(dispute, delivered, at(11)))).toBe('DISPUTE_NOT_AWAITING_SELLER');
    expect(refusal(() => counter(dispute, delivered, OFFER, at(11)))).toBe('DISPUTE_NOT_AWAITING_SELLER');
  });

  it('allows a response at exactly the end of the 5-day window', () => {
    expect(accept(aDispute(delivered), delivered, at(13)).dispute.status).toBe('RESOLVED');
  });

  it('refuses a response 1 ms after the window with RESPONSE_WINDOW_CLOSED', () => {
    expect(refusal(() => accept(aDispute(delivered), delivered, ms(at(13), 1)))).toBe('RESPONSE_WINDOW_CLOSED');
    expect(refusal(() => counter(aDispute(delivered), delivered, OFFER, ms(at(13), 1)))).toBe('RESPONSE_WINDOW_CLOSED');
  });

  it.each(['RESOLVED', 'CANCELLED'] as const)('refuses a response on a %s dispute with DISPUTE_CLOSED', (status) => {
    expect(refusal(() => accept(inState[status](), delivered, at(10)))).toBe('DISPUTE_CLOSED');
  });
});

// ---- The buyer's answer ----

describe('the buyer answers', () => {
  it('accepting a refund counter-offer resolves with the offered amount', () => {
    const { dispute, refund, timeline } = disputes.buyerAcceptsOffer(inState.COUNTER_OFFERED(), at(10));
    expect(refund).toBe(500);
    expect(dispute).toMatchObject({ status: 'RESOLVED', agreement: { terms: OFFER, how: 'BUYER_ACCEPTED_OFFER', at: at(10) }, resolution: { outcome: 'REFUNDED', refundAmount: 500 }, deadlines: {} });
    expect(actions(timeline)).toEqual(['BUYER_ACCEPTED_OFFER', 'REFUND_ISSUED']);
    expect(timeline[0]?.actor).toBe('buyer');
  });

  it('accepting a return counter-offer agrees on its terms and awaits the return', () => {
    const offer: Terms = { type: 'RETURN_AND_REFUND', amount: TOTAL };
    const { dispute, refund } = disputes.buyerAcceptsOffer(counter(aDispute(delivered), delivered, offer).dispute, at(10));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'AGREED', agreement: { terms: offer, how: 'BUYER_ACCEPTED_OFFER' }, returnShipment: { status: 'AWAITING_SHIPMENT' } });
    expect(dispute.deadlines).toEqual({ returnShipment: at(17) });
  });

  it.each(['AWAITING_SELLER', 'AGREED', 'ESCALATED'] as const)('refuses to accept an offer while %s (no counter-offer on the table) with NO_COUNTER_OFFER', (status) => {
    expect(refusal(() => disputes.buyerAcceptsOffer(inState[status](), at(11)))).toBe('NO_COUNTER_OFFER');
  });

  it.each(['RESOLVED', 'CANCELLED'] as const)('refuses to accept an offer on a %s dispute with DISPUTE_CLOSED', (status) => {
    expect(refusal(() => disputes.buyerAcceptsOffer(inState[status](), at(11)))).toBe('DISPUTE_CLOSED');
  });

  it.each(['AWAITING_SELLER', 'COUNTER_OFFERED', 'ESCALATED'] as const)('may withdraw a dispute that is %s: CANCELLED, nothing refunded', (status) => {
    const { dispute, refund, timeline } = disputes.buyerCancels(inState[status](), at(11));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'CANCELLED', deadlines: {}, resolution: { outcome: 'WITHDRAWN', refundAmount: 0, refundId: null, at: at(11) } });
    expect(timeline).toEqual([expect.objectContaining({ at: at(11), actor: 'buyer', action: 'WITHDRAWN' })]);
    expect(disputes.isClosed(dispute)).toBe(true);
  });

  it('may not withdraw once terms are agreed, with DISPUTE_ALREADY_AGREED', () => {
    expect(refusal(() => disputes.buyerCancels(inState.AGREED(), at(11)))).toBe('DISPUTE_ALREADY_AGREED');
    expect(refusal(() => disputes.buyerCancels(inState.RETURN_SHIPPED(), at(11)))).toBe('DISPUTE_ALREADY_AGREED');
  });

  it.each(['RESOLVED', 'CANCELLED'] as const)('may not withdraw a %s dispute (DISPUTE_CLOSED)', (status) => {
    expect(refusal(() => disputes.buyerCancels(inState[status](), at(11)))).toBe('DISPUTE_CLOSED');
  });
});

// ---- Escalation ----

describe('escalation', () => {
  it.each(['buyer', 'seller'] as const)('refuses the %s before the first response and before 3 days with ESCALATION_NOT_ALLOWED_YET', (by) => {
    expect(refusal(() => disputes.escalate(aDispute(delivered), by, 'Please look at this.', ms(at(11), -1)))).toBe('ESCALATION_NOT_ALLOWED_YET');
  });

  it.each(['buyer', 'seller'] as const)('lets the %s escalate exactly 3 days after opening without a response, clearing all deadlines', (by) => {
    const { dispute, refund, timeline } = disputes.escalate(aDispute(delivered), by, 'Please look at this.', at(11));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'ESCALATED', escalatedAt: at(11), deadlines: {}, updatedAt: at(11), version: 1 });
    expect(timeline).toEqual([expect.objectContaining({ at: at(11), actor: by, action: 'ESCALATED', message: 'Please look at this.' })]);
  });

  it.each(['buyer', 'seller'] as const)('lets the %s escalate at once after a counter-offer', (by) => {
    const countered = counter(aDispute(delivered), delivered, OFFER, ms(OPENED, 60_000)).dispute;
    const { dispute } = disputes.escalate(countered, by, 'No deal.', ms(OPENED, 60_000));
    expect(dispute.status).toBe('ESCALATED');
    // Negotiation deadlines end; the platform's 48 h to decide start.
    const due = ms(OPENED, 60_000 + 48 * 3600 * 1000);
    expect(dispute).toMatchObject({ decisionDueBy: due, deadlines: { decision: due } });
    expect(Object.keys(dispute.deadlines)).toEqual(['decision']);
  });

  it('refuses to escalate twice with DISPUTE_ALREADY_ESCALATED', () => {
    expect(refusal(() => disputes.escalate(inState.ESCALATED(), 'seller', 'Me too.', at(12)))).toBe('DISPUTE_ALREADY_ESCALATED');
  });

  it('refuses to escalate once terms are agreed, with DISPUTE_ALREADY_AGREED', () => {
    expect(refusal(() => disputes.escalate(inState.AGREED(), 'buyer', 'Hm.', at(12)))).toBe('DISPUTE_ALREADY_AGREED');
  });

  it.each(['RESOLVED', 'CANCELLED'] as const)('refuses to escalate a %s dispute with DISPUTE_CLOSED', (status) => {
    expect(refusal(() => disputes.escalate(inState[status](), 'buyer', 'Hm.', at(12)))).toBe('DISPUTE_CLOSED');
  });
});

// ---- Returns ----

// The return's own rules (shipping, carrier delivery, receipt, problems): test/unit/dispute-returns.test.ts.

// ---- The platform's decision ----

describe('the admin decides', () => {
  it.each(['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED'] as const)('refuses a %s dispute with DISPUTE_NOT_ESCALATED', (status) => {
    expect(refusal(() => decide(inState[status](), delivered, 500))).toBe('DISPUTE_NOT_ESCALATED');
  });

  it.each(['RESOLVED', 'CANCELLED'] as const)('refuses a %s dispute with DISPUTE_CLOSED', (status) => {
    expect(refusal(() => decide(inState[status](), delivered, 500))).toBe('DISPUTE_CLOSED');
  });

  it('a refund of 0 resolves without refund, recording the decision and its rationale', () => {
    const { dispute, refund, timeline } = disputes.adminDecides(inState.ESCALATED(), { refundAmount: 0, returnRequired: false, rationale: 'Tracking and photos show the item intact.' }, 'admin-1', delivered, at(12));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'NO_REFUND', refundAmount: 0 }, deadlines: {} });
    expect(dispute.decision).toEqual({ refundAmount: 0, returnRequired: false, rationale: 'Tracking and photos show the item intact.', decidedBy: 'admin-1', at: at(12) });
    expect(actions(timeline)).toEqual(['DECIDED', 'CLOSED_WITHOUT_REFUND']);
    expect(timeline[0]).toMatchObject({ actor: 'admin', message: 'Tracking and photos show the item intact.', amount: 0 });
  });

  it('a refund without return resolves with that refund now', () => {
    const { dispute, refund, timeline } = decide(inState.ESCALATED(), delivered, 800);
    expect(refund).toBe(800);
    expect(dispute).toMatchObject({ status: 'RESOLVED', agreement: { terms: { type: 'REFUND', amount: 800 }, how: 'PLATFORM_DECIDED' }, resolution: { outcome: 'REFUNDED', refundAmount: 800 } });
    expect(dispute.decision).toMatchObject({ refundAmount: 800, returnRequired: false, rationale: 'Photos show a crack present on delivery.', decidedBy: 'admin-1' });
    expect(actions(timeline)).toEqual(['DECIDED', 'PLATFORM_DECIDED', 'REFUND_ISSUED']);
  });

  it('a refund with return required agrees and awaits the return', () => {
    const { dispute, refund } = decide(inState.ESCALATED(), delivered, 800, true, at(12));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'AGREED', agreement: { terms: { type: 'RETURN_AND_REFUND', amount: 800 } }, returnShipment: { status: 'AWAITING_SHIPMENT' }, decision: { returnRequired: true } });
    expect(dispute.deadlines).toEqual({ returnShipment: at(19) });
  });

  it('refuses a refund above what is refundable with REFUND_EXCEEDS_REFUNDABLE', () => {
    expect(refusal(() => decide(inState.ESCALATED(), delivered, TOTAL + 1))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    expect(decide(inState.ESCALATED(), delivered, TOTAL).refund).toBe(TOTAL);
  });
});

// ---- Deadlines ----

describe('deadlines', () => {
  const rows: { name: DeadlineName; state: () => Dispute; due: string; status: Dispute['status']; refund: number | null; action: string }[] = [
    { name: 'sellerResponse', state: inState.AWAITING_SELLER, due: at(13), status: 'RESOLVED', refund: 1000, action: 'AUTO_ACCEPTED_NO_SELLER_RESPONSE' },
    { name: 'buyerResponse', state: inState.COUNTER_OFFERED, due: at(16), status: 'RESOLVED', refund: 500, action: 'AUTO_ACCEPTED_OFFER' },
    { name: 'autoEscalate', state: inState.COUNTER_OFFERED, due: at(23), status: 'ESCALATED', refund: null, action: 'AUTO_ESCALATED' },
    { name: 'returnShipment', state: inState.AGREED, due: at(16), status: 'RESOLVED', refund: null, action: 'CLOSED_RETURN_NOT_SHIPPED' },
    { name: 'returnReceipt', state: inState.RETURN_DELIVERED, due: at(23), status: 'RESOLVED', refund: 1000, action: 'AUTO_REFUND_RETURN_NOT_CONFIRMED' },
    { name: 'returnDelivery', state: inState.RETURN_SHIPPED, due: at(30), status: 'ESCALATED', refund: null, action: 'AUTO_ESCALATED' },
  ];

  it.each(rows)('$name does nothing 1 ms before it is due', ({ name, state, due }) => {
    const dispute = state();
    expect(dispute.deadlines[name]).toBe(due);
    expect(passed(dispute, name, delivered, ms(due, -1))).toBeNull();
  });

  it.each(rows)('$name fires at exactly its time: $status by the system, refund $refund', ({ name, state, due, status, refund, action }) => {
    const change = fire(state(), name, delivered, due);
    expect(change.dispute.status).toBe(status);
    expect(change.refund).toBe(refund);
    expect(change.timeline[0]).toMatchObject({ at: due, actor: 'system', action });
  });

  it.each(rows)('$name is idempotent: firing again on the result changes nothing', ({ name, state, due }) => {
    const once = fire(state(), name, delivered, due);
    expect(passed(once.dispute, name, delivered, due)).toBeNull();
    expect(passed(once.dispute, name, delivered, at(90))).toBeNull();
  });

  it.each(rows.map((row) => row.name))('%s on a closed dispute is null', (name) => {
    expect(passed(inState.RESOLVED(), name, delivered, at(90))).toBeNull();
    expect(passed(inState.CANCELLED(), name, delivered, at(90))).toBeNull();
  });

  it('a deadline cleared by a later step no longer fires', () => {
    // The seller answered: no automatic acceptance.
    expect(passed(inState.COUNTER_OFFERED(), 'sellerResponse', delivered, at(13))).toBeNull();
    // The return was shipped: it no longer closes for want of shipment.
    expect(passed(inState.RETURN_SHIPPED(), 'returnShipment', delivered, at(16))).toBeNull();
    // Escalated: nothing runs on its own any more.
    for (const name of ['sellerResponse', 'buyerResponse', 'autoEscalate'] as const) expect(passed(inState.ESCALATED(), name, delivered, at(30))).toBeNull();
  });

  it('with no seller response, the buyer’s REFUND request is agreed and refunded', () => {
    const { dispute, refund } = fire(inState.AWAITING_SELLER(), 'sellerResponse', delivered, at(13));
    expect(refund).toBe(1000);
    expect(dispute).toMatchObject({ agreement: { terms: REQUEST, how: 'AUTO_ACCEPTED_NO_SELLER_RESPONSE' }, resolution: { outcome: 'REFUNDED', refundAmount: 1000 } });
  });

  it('with no seller response, the buyer’s RETURN_AND_REFUND request is agreed and the return awaited', () => {
    const { dispute, refund } = fire(aDispute(delivered, { request: RETURN_REQUEST }), 'sellerResponse', delivered, at(13));
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'AGREED', agreement: { terms: RETURN_REQUEST }, returnShipment: { status: 'AWAITING_SHIPMENT' } });
    expect(dispute.deadlines).toEqual({ returnShipment: at(20) });
  });

  it('autoEscalate escalates a dispute still awaiting the seller', () => {
    const { dispute } = fire(inState.AWAITING_SELLER(), 'autoEscalate', delivered, at(23));
    expect(dispute).toMatchObject({ status: 'ESCALATED', escalatedAt: at(23), deadlines: {} });
  });

  it('a return never shipped closes the dispute without refund', () => {
    const { dispute, refund } = fire(inState.AGREED(), 'returnShipment', delivered, at(16));
    expect(refund).toBeNull();
    expect(dispute.resolution).toMatchObject({ outcome: 'NO_REFUND', refundAmount: 0 });
  });

  it('a delivered return the seller never confirms is refunded with the agreed amount', () => {
    const { dispute, refund } = fire(inState.RETURN_DELIVERED(), 'returnReceipt', delivered, at(23));
    expect(refund).toBe(1000);
    expect(dispute.resolution).toMatchObject({ outcome: 'REFUNDED', refundAmount: 1000 });
  });

  describe('buyer protection (NOT_RECEIVED)', () => {
    // Shipped on day 1, estimated on day 11; the buyer opens on day 12 asking 1000: the seller answers by day 17.
    const notReceived = () => aDispute(shipped, { reason: 'NOT_RECEIVED', request: REQUEST, now: at(12) });
    const counteredNotReceived = () => counter(notReceived(), shipped, OFFER, at(13)).dispute;
    const deliveredLate = orders.recordTrackingEvent(shipped, { status: 'DELIVERED', occurredAt: at(14) }, at(14), 'admin').order;

    it('refunds in full (all that is refundable) when the seller did not respond and the parcel is past its estimate', () => {
      const { dispute, refund } = fire(notReceived(), 'sellerResponse', shipped, at(17));
      expect(refund).toBe(TOTAL);
      expect(dispute).toMatchObject({ status: 'RESOLVED', agreement: { terms: { type: 'REFUND', amount: TOTAL }, how: 'BUYER_PROTECTION_REFUND' } });
    });

    it('refunds in full even after a counter-offer', () => {
      const { dispute, refund, timeline } = fire(counteredNotReceived(), 'sellerResponse', shipped, at(17));
      expect(refund).toBe(TOTAL);
      expect(dispute.status).toBe('RESOLVED');
      expect(dispute.deadlines).toEqual({});
      expect(actions(timeline)).toEqual(['BUYER_PROTECTION_REFUND', 'REFUND_ISSUED']);
    });

    it('does not refund in full once the order is DELIVERED: without a response the request stands', () => {
      const { dispute, refund } = fire(notReceived(), 'sellerResponse', deliveredLate, at(17));
      expect(refund).toBe(1000);
      expect(dispute.agreement?.how).toBe('AUTO_ACCEPTED_NO_SELLER_RESPONSE');
    });

    it('does not refund once the order is DELIVERED after a counter-offer: the deadline is dropped, the offer stays open', () => {
      const change = fire(counteredNotReceived(), 'sellerResponse', deliveredLate, at(17));
      expect(change.refund).toBeNull();
      expect(change.timeline).toEqual([]);
      expect(change.dispute.status).toBe('COUNTER_OFFERED');
      expect(change.dispute.deadlines).toEqual({ buyerResponse: at(20), autoEscalate: at(27) });
      expect(disputes.deadlinePassed(change.dispute, 'sellerResponse', deliveredLate, at(18))).toBeNull();
    });

    it('still refunds in full when delivery is only shown after the response window, however it is back-dated', () => {
      const shownLate = orders.recordTrackingEvent(shipped, { status: 'DELIVERED', occurredAt: at(14) }, at(17.5), 'admin').order;
      const change = fire(counteredNotReceived(), 'sellerResponse', shownLate, at(17.5));
      expect(change.refund).toBe(TOTAL);
      expect(change.dispute.agreement?.how).toBe('BUYER_PROTECTION_REFUND');
    });

    it('does not refund in full while the parcel is still within its estimate', () => {
      const slow = anOrder().shipped(1, 30).build();
      const countered = counter(aDispute(slow, { reason: 'NOT_RECEIVED', now: at(12) }), slow, OFFER, at(13)).dispute;
      const change = fire(countered, 'sellerResponse', slow, at(17));
      expect(change.refund).toBeNull();
      expect(change.dispute.status).toBe('COUNTER_OFFERED');
      // Without any response, the request (not the full amount) is accepted.
      expect(fire(aDispute(slow, { reason: 'NOT_RECEIVED', now: at(12) }), 'sellerResponse', slow, at(17)).refund).toBe(1000);
    });
  });
});

// ---- Money ----

describe('money through disputes', () => {
  const respondAt = (now: string): Step => (dispute, order) => accept(dispute, order, now);
  const paths: { path: string; request: Terms; steps: Step[]; refund: number }[] = [
    { path: 'the seller accepts a refund', request: REQUEST, steps: [respondAt(at(9))], refund: 1000 },
    { path: 'the buyer accepts a counter-offer', request: REQUEST, steps: [(d, o) => counter(d, o), (d) => disputes.buyerAcceptsOffer(d, at(10))], refund: 500 },
    { path: 'the buyer lets a counter-offer stand', request: REQUEST, steps: [(d, o) => counter(d, o), (d, o) => fire(d, 'buyerResponse', o, at(16))], refund: 500 },
    { path: 'the seller does not respond', request: REQUEST, steps: [(d, o) => fire(d, 'sellerResponse', o, at(13))], refund: 1000 },
    { path: 'the seller receives the return', request: RETURN_REQUEST, steps: [respondAt(at(9)), (d) => shipReturn(d), (d) => returns.sellerReceivesReturn(d, at(14))], refund: 1000 },
    { path: 'the seller never confirms the return', request: RETURN_REQUEST, steps: [respondAt(at(9)), (d) => shipReturn(d), (d) => carrierDelivers(d, 13), (d, o) => fire(d, 'returnReceipt', o, at(23))], refund: 1000 },
    { path: 'the platform decides a refund', request: REQUEST, steps: [(d, o) => counter(d, o), (d) => disputes.escalate(d, 'buyer', 'No.', at(10)), (d, o) => decide(d, o, 800)], refund: 800 },
    {
      path: 'the platform decides a refund on return',
      request: REQUEST,
      steps: [(d, o) => counter(d, o), (d) => disputes.escalate(d, 'seller', 'No.', at(10)), (d, o) => decide(d, o, 800, true), (d) => shipReturn(d, at(13)), (d) => returns.sellerReceivesReturn(d, at(15))],
      refund: 800,
    },
  ];
  const partial = (['SHIPPED', 'DELIVERED'] as const).flatMap((state) => paths.map((row) => ({ ...row, state })));

  it.each(partial)('$state order, $path: refunds $refund, keeps the rest held, then confirming receipt releases it', ({ state, request, steps, refund }) => {
    const books = state === 'SHIPPED' ? Books.placed().shipped(1, 10) : Books.placed().shipped(1, 10).delivered(5);
    const dispute = new DisputeCase(books, { request });
    // An open dispute blocks confirmation.
    expect(refusal(() => orders.confirmReceipt(books.order, 'buyer', at(8)))).toBe('ORDER_DISPUTE_OPEN');
    dispute.then(...steps);
    expect(dispute.refunds).toEqual([refund]);
    expect(dispute.dispute.status).toBe('RESOLVED');
    expect(books.order).toMatchObject({ status: state, disputeStatus: 'RESOLVED', disputeId: 'dsp_1', escrow: { held: TOTAL - refund, released: 0, refunded: refund } });
    expect(books.ledger.at(-1)).toMatchObject({ type: 'REFUND', amount: { amount: refund, currency: 'USD' } });
    expect(ledgerTotal(books.ledger, 'REVERSAL')).toBe(0);
    books.completed(30);
    expect(books.ledger.at(-1)).toMatchObject({ type: 'RELEASE', amount: { amount: TOTAL - refund, currency: 'USD' } });
    expect(books.order.escrow).toEqual({ held: 0, released: TOTAL - refund, refunded: refund });
  });

  it('a full refund before completion closes the order, holding nothing', () => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    new DisputeCase(books, { request: { type: 'REFUND', amount: TOTAL } }).then(respondAt(at(9)));
    expect(books.order).toMatchObject({ status: 'CLOSED', escrow: { held: 0, released: 0, refunded: TOTAL } });
    expect(refusal(() => orders.confirmReceipt(books.order, 'buyer', at(10)))).toBe('ORDER_NOT_CONFIRMABLE');
  });

  it('buyer protection refunds a parcel that never came in full and closes the order', () => {
    const books = Books.placed().shipped(1, 10);
    const dispute = new DisputeCase(books, { reason: 'NOT_RECEIVED', request: REQUEST, now: at(12) }).then((d, o) => counter(d, o, OFFER, at(13)), (d, o) => fire(d, 'sellerResponse', o, at(17)));
    expect(dispute.refunds).toEqual([TOTAL]);
    expect(books.order).toMatchObject({ status: 'CLOSED', escrow: { held: 0, released: 0, refunded: TOTAL } });
  });

  it('a refund after completion takes back part of the release (REVERSAL) and the invariant still holds', () => {
    const books = Books.placed().shipped(1, 10).delivered(5).completed(6);
    expect(books.order.escrow).toEqual({ held: 0, released: TOTAL, refunded: 0 });
    new DisputeCase(books, { now: at(10) }).then(respondAt(at(11)));
    expect(books.ledger.slice(-2).map((entry) => [entry.type, entry.amount.amount])).toEqual([
      ['REVERSAL', 1000],
      ['REFUND', 1000],
    ]);
    expect(books.order).toMatchObject({ status: 'COMPLETED', disputeStatus: 'RESOLVED', escrow: { held: 0, released: 3900, refunded: 1000 } });
  });

  it('a full refund after completion reverses the whole release and closes the order', () => {
    const books = Books.placed().shipped(1, 10).delivered(5).completed(6);
    new DisputeCase(books, { now: at(10), request: { type: 'REFUND', amount: TOTAL } }).then((d) => disputes.escalate(d, 'buyer', 'No answer.', at(13)), (d, o) => decide(d, o, TOTAL, false, at(14)));
    expect(ledgerTotal(books.ledger, 'REVERSAL')).toBe(TOTAL);
    expect(books.order).toMatchObject({ status: 'CLOSED', escrow: { held: 0, released: 0, refunded: TOTAL } });
  });

  it('a partial refund on one line before completion and a dispute on the other line after it refund both; the decided line takes no second dispute', () => {
    const books = Books.placed([aListingSnapshot(), mug]);
    books.shipped(1, 10).delivered(5);
    new DisputeCase(books, { lines: [{ productId: DRIPPER, quantity: 2 }] }).then(respondAt(at(9)));
    books.completed(10);
    expect(books.order.escrow).toEqual({ held: 0, released: 2 * 2450 + 2 * 1200 - 1000, refunded: 1000 });
    expect(refusal(() => opening(books.order, { disputeId: 'dsp_2', now: at(12), lines: [{ productId: DRIPPER, quantity: 1 }] }))).toBe('DISPUTE_ALREADY_DECIDED');
    expect(refusal(() => opening(books.order, { disputeId: 'dsp_2', now: at(12), lines: [{ productId: MUG, quantity: 2 }], request: { type: 'REFUND', amount: 2401 } }))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    new DisputeCase(books, { disputeId: 'dsp_2', now: at(12), lines: [{ productId: MUG, quantity: 2 }], request: { type: 'REFUND', amount: 2400 } }).then(respondAt(at(13)));
    expect(ledgerTotal(books.ledger, 'REVERSAL')).toBe(2400);
    expect(books.order).toMatchObject({
      status: 'COMPLETED',
      disputeId: 'dsp_2',
      escrow: { held: 0, released: 2 * 2450 - 1000, refunded: 3400 },
      disputeLines: { [DRIPPER]: { refunded: 1000, decidedBy: 'dsp_1', withdrawals: 0 }, [MUG]: { refunded: 2400, decidedBy: 'dsp_2', withdrawals: 0 } },
    });
  });

  it.each([
    ['the platform decides no refund', [(d: Dispute, o: Order) => counter(d, o), (d: Dispute) => disputes.escalate(d, 'buyer', 'No.', at(10)), (d: Dispute, o: Order) => decide(d, o, 0)]],
    ['the return is never shipped', [(d: Dispute, o: Order) => accept(d, o), (d: Dispute, o: Order) => fire(d, 'returnShipment', o, at(16))]],
    ['the buyer withdraws', [(d: Dispute) => disputes.buyerCancels(d, at(9))]],
  ] satisfies [string, Step[]][])('moves no money when %s; the order can then be confirmed', (_path, steps) => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    const dispute = new DisputeCase(books, { request: RETURN_REQUEST }).then(...steps);
    expect(dispute.refunds).toEqual([]);
    expect(books.ledger.map((entry) => entry.type)).toEqual(['HOLD']);
    expect(disputes.isClosed(dispute.dispute)).toBe(true);
    books.completed(20);
    expect(books.order.escrow).toEqual({ held: 0, released: TOTAL, refunded: 0 });
  });

  it.each([
    ['before completion', delivered, TOTAL + 1],
    ['after completion', completed, TOTAL + 1],
    ['after a partial refund', orders.refundThroughDispute(delivered, 1000, 'RESOLVED', 'dispute dsp_0', at(7)).order, 3901],
  ])('refuses to refund more than is refundable %s with REFUND_EXCEEDS_REFUNDABLE', (_when, order, amount) => {
    expect(refusal(() => orders.refundThroughDispute(order, amount, 'RESOLVED', 'dispute dsp_1', at(9)))).toBe('REFUND_EXCEEDS_REFUNDABLE');
  });

  it('marks the order with the dispute’s status on every step, so an open dispute blocks confirmation', () => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    const dispute = new DisputeCase(books, { request: RETURN_REQUEST });
    expect(books.order.disputeStatus).toBe('AWAITING_SELLER');
    dispute.then(respondAt(at(9)));
    expect(books.order.disputeStatus).toBe('AGREED');
    expect(orders.hasOpenDispute(books.order)).toBe(true);
    dispute.then((d) => shipReturn(d), (d) => returns.sellerReceivesReturn(d, at(14)));
    expect(orders.hasOpenDispute(books.order)).toBe(false);
  });
});

// ---- The case file's proposal ----

describe('proposing a decision', () => {
  const facts = (order: Order, evidenceCount: number, trackingStatuses: string[] = []): disputes.CaseFacts => ({ order, trackingStatuses, evidenceCount, messageCount: 2 });

  it('NOT_RECEIVED with no delivery and the estimate passed: full refund, no return', () => {
    const dispute = disputes.escalate(aDispute(shipped, { reason: 'NOT_RECEIVED', now: at(12) }), 'buyer', 'Nothing came.', at(15)).dispute;
    expect(disputes.proposeDecision(dispute, facts(shipped, 0, ['IN_TRANSIT']), at(16))).toMatchObject({ refundAmount: TOTAL, returnRequired: false, rule: 'NOT_DELIVERED_PAST_ESTIMATE' });
  });

  it('NOT_RECEIVED but delivered (proof on the order): no refund', () => {
    const dispute = aDispute(shipped, { reason: 'NOT_RECEIVED', now: at(12) });
    const deliveredLate = orders.recordTrackingEvent(shipped, { status: 'DELIVERED', occurredAt: at(13) }, at(13), 'admin').order;
    expect(disputes.proposeDecision(dispute, facts(deliveredLate, 0), at(16))).toMatchObject({ refundAmount: 0, returnRequired: false, rule: 'DELIVERY_CONFIRMED' });
  });

  it("NOT_RECEIVED with only the seller's DELIVERED claim in tracking: the claim is no proof, full refund", () => {
    const dispute = aDispute(shipped, { reason: 'NOT_RECEIVED', now: at(12) });
    const claimed = orders.recordTrackingEvent(shipped, { status: 'DELIVERED', occurredAt: at(3) }, at(3), 'seller').order;
    expect(disputes.proposeDecision(dispute, facts(claimed, 0, ['IN_TRANSIT', 'DELIVERED']), at(16))).toMatchObject({ refundAmount: TOTAL, rule: 'NOT_DELIVERED_PAST_ESTIMATE' });
  });

  it('NOT_RECEIVED still within the estimate: no refund yet', () => {
    const slow = anOrder().shipped(1, 30).build();
    expect(disputes.proposeDecision(aDispute(slow, { reason: 'NOT_RECEIVED', now: at(12) }), facts(slow, 0), at(16))).toMatchObject({ refundAmount: 0, rule: 'STILL_IN_TRANSIT' });
  });

  it('COUNTERFEIT with evidence: full refund, the goods are not sent back', () => {
    expect(disputes.proposeDecision(aDispute(delivered, { reason: 'COUNTERFEIT' }), facts(delivered, 1), at(12))).toMatchObject({ refundAmount: TOTAL, returnRequired: false, rule: 'COUNTERFEIT_WITH_EVIDENCE' });
  });

  it.each(['DAMAGED', 'NOT_AS_DESCRIBED', 'WRONG_ITEM'] as const)('%s with evidence on returnable goods: the requested refund on return', (reason) => {
    expect(disputes.proposeDecision(aDispute(delivered, { reason }), facts(delivered, 2), at(12))).toMatchObject({ refundAmount: 1000, returnRequired: true, rule: 'DEFECT_WITH_EVIDENCE_RETURNABLE' });
  });

  it('DAMAGED with evidence on goods that cannot be returned: the requested refund, no return', () => {
    const custom = anOrder([nonReturnable]).shipped(1, 10).delivered(5).build();
    expect(disputes.proposeDecision(aDispute(custom), facts(custom, 1), at(12))).toMatchObject({ refundAmount: 1000, returnRequired: false, rule: 'DEFECT_WITH_EVIDENCE' });
  });

  it('never proposes more than is still refundable', () => {
    const dispute = aDispute(delivered, { reason: 'COUNTERFEIT', request: { type: 'REFUND', amount: TOTAL } });
    const partlyRefunded = orders.refundThroughDispute(delivered, 1000, 'AWAITING_SELLER', 'dispute dsp_0', at(9)).order;
    expect(disputes.proposeDecision(dispute, facts(partlyRefunded, 1), at(12)).refundAmount).toBe(3900);
    expect(disputes.proposeDecision({ ...dispute, reason: 'DAMAGED' }, facts(partlyRefunded, 1), at(12)).refundAmount).toBe(3900);
  });

  it.each(['DAMAGED', 'COUNTERFEIT', 'OTHER'] as const)('%s without evidence: the seller’s counter-offer stands, or nothing', (reason) => {
    const opened = aDispute(delivered, { reason, evidence: [] });
    expect(disputes.proposeDecision(disputes.escalate(counter(opened, delivered).dispute, 'buyer', 'No.', at(10)).dispute, facts(delivered, 0), at(12))).toMatchObject({ refundAmount: 500, returnRequired: false, rule: 'NO_EVIDENCE' });
    expect(disputes.proposeDecision(disputes.escalate(opened, 'buyer', 'No.', at(11)).dispute, facts(delivered, 0), at(12))).toMatchObject({ refundAmount: 0, rule: 'NO_EVIDENCE' });
  });

  it('a proposal can be adopted as the admin’s decision', () => {
    const escalated = inState.ESCALATED();
    const { refundAmount, returnRequired, rationale } = disputes.proposeDecision(escalated, facts(delivered, 1), at(12));
    const { dispute } = disputes.adminDecides(escalated, { refundAmount, returnRequired, rationale }, 'admin-1', delivered, at(12));
    expect(dispute).toMatchObject({ status: 'AGREED', decision: { refundAmount: 1000, returnRequired: true, rationale } });
  });
});

describe('purity', () => {
  it('never changes the dispute or order it is given', () => {
    const dispute = inState.COUNTER_OFFERED();
    const snapshot = structuredClone(dispute);
    const order = structuredClone(delivered);
    disputes.buyerAcceptsOffer(dispute, at(10));
    disputes.escalate(dispute, 'seller', 'x', at(10));
    disputes.buyerCancels(dispute, at(10));
    fire(dispute, 'buyerResponse', delivered, at(16));
    expect(dispute).toEqual(snapshot);
    expect(delivered).toEqual(order);
  });
});

describe('acting after a deadline has passed but before the sweep has run', () => {
  it('refuses a return shipped after the 7-day window with RETURN_SHIPMENT_OVERDUE', () => {
    const agreed = accept(aDispute(delivered, { request: RETURN_REQUEST }), delivered, at(9)).dispute;
    const due = agreed.deadlines.returnShipment as string;
    expect(shipReturn(agreed, due).dispute.returnShipment?.status).toBe('SHIPPED');
    expect(refusal(() => shipReturn(agreed, ms(due, 1)))).toBe('RETURN_SHIPMENT_OVERDUE');
  });

  it('treats a counter-offer as accepted after 7 days: the buyer may no longer escalate or withdraw', () => {
    const countered = counter(aDispute(delivered), delivered, OFFER, at(9)).dispute;
    const due = countered.deadlines.buyerResponse as string;
    expect(disputes.escalate(countered, 'buyer', 'no', due).dispute.status).toBe('ESCALATED');
    expect(refusal(() => disputes.escalate(countered, 'buyer', 'no', ms(due, 1)))).toBe('RESPONSE_WINDOW_CLOSED');
    expect(refusal(() => disputes.buyerCancels(countered, ms(due, 1)))).toBe('RESPONSE_WINDOW_CLOSED');
    // Nor may the seller escalate the accepted offer away before the sweep applies it.
    expect(refusal(() => disputes.escalate(countered, 'seller', 'please decide', ms(due, 1)))).toBe('RESPONSE_WINDOW_CLOSED');
  });

  it("refuses a seller's escalation once the seller's own response window has passed", () => {
    const unanswered = aDispute(delivered);
    const due = unanswered.deadlines.sellerResponse as string;
    expect(refusal(() => disputes.escalate(unanswered, 'seller', 'please decide', ms(due, 1)))).toBe('RESPONSE_WINDOW_CLOSED');
    expect(disputes.deadlinePassed(unanswered, 'sellerResponse', delivered, ms(due, 1))?.dispute.status).toBe('RESOLVED');
  });
});

describe('returns are asked only of goods that arrived and can go back', () => {
  it('refuses a return request for goods that never arrived', () => {
    expect(refusal(() => opening(shipped, { reason: 'NOT_RECEIVED', request: RETURN_REQUEST }))).toBe('VALIDATION_FAILED');
  });

  it('refuses a counter-offer or a decision requiring the return of a non-returnable product with NOT_RETURNABLE', () => {
    const order = anOrder([nonReturnable]).shipped(1, 10).delivered(5).build();
    const dispute = aDispute(order, { reason: 'DAMAGED' });
    expect(refusal(() => counter(dispute, order, { type: 'RETURN_AND_REFUND', amount: 500 }))).toBe('NOT_RETURNABLE');
    const escalated = disputes.escalate(dispute, 'buyer', 'please decide', ms(dispute.openedAt, 3 * 86_400_000)).dispute;
    expect(refusal(() => decide(escalated, order, 500, true))).toBe('NOT_RETURNABLE');
  });

  it("records the buyer's request, not a stray counter-offer, when the seller accepts", () => {
    const change = disputes.sellerResponds(aDispute(delivered), { action: 'ACCEPT', counterOffer: OFFER, message: 'ok', evidence: [] }, delivered, at(9));
    expect(change.timeline[0]?.terms).toEqual(REQUEST);
    expect(change.refund).toBe(REQUEST.amount);
  });
});

describe('one decided dispute per order line (hole 4)', () => {
  const noRefund: Step[] = [(d, o) => counter(d, o), (d) => disputes.escalate(d, 'buyer', 'No.', at(10)), (d, o) => decide(d, o, 0)];

  it('refuses a new dispute on the same lines after the platform decided no refund (DISPUTE_ALREADY_DECIDED)', () => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    new DisputeCase(books).then(...noRefund);
    expect(books.order.disputeStatus).toBe('RESOLVED');
    expect(refusal(() => opening(books.order, { disputeId: 'dsp_2', now: at(13) }))).toBe('DISPUTE_ALREADY_DECIDED');
  });

  it.each([
    ['the seller accepted', REQUEST, [(d: Dispute, o: Order) => accept(d, o)]],
    ['the buyer accepted an offer', REQUEST, [(d: Dispute, o: Order) => counter(d, o), (d: Dispute) => disputes.buyerAcceptsOffer(d, at(10))]],
    ['the return was never shipped after agreement', RETURN_REQUEST, [(d: Dispute, o: Order) => accept(d, o), (d: Dispute, o: Order) => fire(d, 'returnShipment', o, at(16))]],
  ] satisfies [string, Terms, Step[]][])('records the lines as decided once %s', (_how, request, steps) => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    new DisputeCase(books, { request }).then(...steps);
    expect(books.order.disputeLines?.[DRIPPER]?.decidedBy).toBe('dsp_1');
    expect(refusal(() => opening(books.order, { disputeId: 'dsp_2', now: at(17) }))).toBe('DISPUTE_ALREADY_DECIDED');
  });

  it('lets a withdrawn dispute be opened again once; a second withdrawal closes the line (DISPUTE_REOPEN_LIMIT)', () => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    new DisputeCase(books).then((d) => disputes.buyerCancels(d, at(9)));
    new DisputeCase(books, { disputeId: 'dsp_2', now: at(10) }).then((d) => disputes.buyerCancels(d, at(11)));
    expect(books.order.disputeLines?.[DRIPPER]).toEqual({ refunded: 0, decidedBy: null, withdrawals: 2 });
    expect(refusal(() => opening(books.order, { disputeId: 'dsp_3', now: at(12) }))).toBe('DISPUTE_REOPEN_LIMIT');
  });

  it('leaves the other lines of the order open to a dispute of their own', () => {
    const books = Books.placed([aListingSnapshot(), mug]).shipped(1, 10).delivered(5);
    new DisputeCase(books, { lines: [{ productId: MUG, quantity: 1 }] }).then(...noRefund);
    expect(refusal(() => opening(books.order, { disputeId: 'dsp_2', now: at(13) }))).toBe('DISPUTE_ALREADY_DECIDED');
    expect(aDispute(books.order, { disputeId: 'dsp_2', now: at(13), lines: [{ productId: DRIPPER, quantity: 2 }] }).lines).toEqual([{ productId: DRIPPER, quantity: 2 }]);
  });
});

describe('per-line disputes (hole 8)', () => {
  /** Dripper 2 × 2450 (15-day window) and mug 2 × 1200 (30-day window), delivered on day 5. */
  const mixed = () => anOrder([aListingSnapshot(), mug]).shipped(1, 10).delivered(5).build();

  it('defaults to the whole order', () => {
    expect(aDispute(mixed()).lines).toEqual([
      { productId: DRIPPER, quantity: 2 },
      { productId: MUG, quantity: 2 },
    ]);
  });

  it.each([
    ['a product not on the order', [{ productId: 'prd_01ARZ3NDEKTSV4RRFFQ69G5FB9', quantity: 1 }]],
    ['more units than were bought', [{ productId: MUG, quantity: 3 }]],
    ['the same line twice', [{ productId: MUG, quantity: 1 }, { productId: MUG, quantity: 1 }]],
  ])('refuses %s with VALIDATION_FAILED', (_what, lines) => {
    expect(refusal(() => opening(mixed(), { lines }))).toBe('VALIDATION_FAILED');
  });

  it('caps the request at the named units’ value', () => {
    expect(refusal(() => opening(mixed(), { lines: [{ productId: MUG, quantity: 1 }], request: { type: 'REFUND', amount: 1201 } }))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    expect(aDispute(mixed(), { lines: [{ productId: MUG, quantity: 1 }], request: { type: 'REFUND', amount: 1200 } }).request.amount).toBe(1200);
  });

  it('caps a counter-offer and an admin decision at the dispute’s lines', () => {
    const order = mixed();
    const dispute = aDispute(order, { lines: [{ productId: MUG, quantity: 2 }] });
    expect(refusal(() => counter(dispute, order, { type: 'REFUND', amount: 2401 }))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    const escalated = disputes.escalate(counter(dispute, order).dispute, 'buyer', 'No.', at(10)).dispute;
    expect(refusal(() => decide(escalated, order, 2401))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    expect(decide(escalated, order, 2400).refund).toBe(2400);
  });

  it('lets a mixed order return its returnable line, not the other', () => {
    const order = anOrder([aListingSnapshot(), nonReturnable], 1).shipped(1, 10).delivered(5).build();
    expect(refusal(() => opening(order, { request: RETURN_REQUEST }))).toBe('NOT_RETURNABLE');
    expect(refusal(() => opening(order, { request: RETURN_REQUEST, lines: [{ productId: nonReturnable.productId, quantity: 1 }] }))).toBe('NOT_RETURNABLE');
    expect(aDispute(order, { request: RETURN_REQUEST, lines: [{ productId: DRIPPER, quantity: 1 }] }).request.type).toBe('RETURN_AND_REFUND');
  });

  it('keeps each line’s own return window', () => {
    // Day 25: the dripper's 15-day window ended on day 20, the mug's 30-day one runs until day 35.
    expect(refusal(() => opening(mixed(), { now: at(25), request: RETURN_REQUEST, lines: [{ productId: DRIPPER, quantity: 1 }] }))).toBe('RETURN_WINDOW_CLOSED');
    expect(aDispute(mixed(), { now: at(25), request: RETURN_REQUEST, lines: [{ productId: MUG, quantity: 1 }] }).status).toBe('AWAITING_SELLER');
  });

  it('refunds a parcel that never came up to the disputed lines only (buyer protection)', () => {
    const books = Books.placed([aListingSnapshot(), mug]).shipped(1, 10);
    const dispute = new DisputeCase(books, { reason: 'NOT_RECEIVED', now: at(12), lines: [{ productId: MUG, quantity: 2 }] }).then((d, o) => fire(d, 'sellerResponse', o, at(17)));
    expect(dispute.refunds).toEqual([2400]);
    expect(books.order.disputeLines?.[MUG]).toEqual({ refunded: 2400, decidedBy: 'dsp_1', withdrawals: 0 });
    expect(books.order.escrow).toEqual({ held: 4900, released: 0, refunded: 2400 });
  });

  it('proposes at most the disputed lines’ value', () => {
    const order = mixed();
    const dispute = aDispute(order, { reason: 'COUNTERFEIT', lines: [{ productId: MUG, quantity: 1 }], request: { type: 'REFUND', amount: 1200 } });
    expect(disputes.proposeDecision(dispute, { order, trackingStatuses: ['DELIVERED'], evidenceCount: 1, messageCount: 0 }, at(12)).refundAmount).toBe(1200);
  });
});

describe('negotiation rounds and the 15-day escalation (hole 9)', () => {
  const REVISED: Terms = { type: 'REFUND', amount: 800 };
  const revise = (dispute: Dispute, order: Order, now: string, request: Terms = REVISED): DisputeChange => disputes.buyerRevises(dispute, { request, message: 'Meet me at 800?' }, order, now);

  it('answers a counter-offer with a new request: AWAITING_SELLER, 5 more days for the seller, the 15-day mark unchanged', () => {
    const countered = inState.COUNTER_OFFERED();
    const { dispute, timeline, refund } = revise(countered, delivered, at(10));
    expect(dispute).toMatchObject({ status: 'AWAITING_SELLER', request: REVISED, counterOffer: null, deadlines: { sellerResponse: at(15), autoEscalate: at(23) } });
    expect(dispute.deadlines.buyerResponse).toBeUndefined();
    expect(timeline).toMatchObject([{ actor: 'buyer', action: 'REVISED_REQUEST', message: 'Meet me at 800?', terms: REVISED }]);
    expect(refund).toBeNull();
  });

  it.each([
    ['with no counter-offer to answer', () => revise(inState.AWAITING_SELLER(), delivered, at(10)), 'NO_COUNTER_OFFER'],
    ['after the 7-day answer window', () => revise(inState.COUNTER_OFFERED(), delivered, ms(at(16), 1)), 'RESPONSE_WINDOW_CLOSED'],
    ['above the dispute’s cap', () => revise(inState.COUNTER_OFFERED(), delivered, at(10), { type: 'REFUND', amount: TOTAL + 1 }), 'REFUND_EXCEEDS_REFUNDABLE'],
    ['on a closed dispute', () => revise(inState.RESOLVED(), delivered, at(10)), 'DISPUTE_CLOSED'],
  ])('refuses a revision %s', (_when, act, code) => {
    expect(refusal(act)).toBe(code);
  });

  /** Opened day 8, countered day 9, revised day 14, countered again day 18: the buyer's answer is due day 25, after the 15-day mark (day 23). */
  const twoRounds = (): Dispute => {
    const revised = revise(inState.COUNTER_OFFERED(), delivered, at(14)).dispute;
    return counter(revised, delivered, OFFER, at(18)).dispute;
  };

  it('lets the seller counter again within the new 5 days; the seller keeps the first response time', () => {
    const dispute = twoRounds();
    expect(dispute).toMatchObject({ status: 'COUNTER_OFFERED', firstResponseAt: at(9), deadlines: { buyerResponse: at(25), autoEscalate: at(23) } });
  });

  it('escalates a dispute still in negotiation 15 days after opening, citing the rule', () => {
    const change = fire(twoRounds(), 'autoEscalate', delivered, at(23));
    expect(change.dispute).toMatchObject({ status: 'ESCALATED', escalatedAt: at(23) });
    expect(change.timeline).toMatchObject([{ actor: 'system', action: 'AUTO_ESCALATED', message: expect.stringContaining('15 days after opening') }]);
    expect(change.timeline[0]?.message).toContain(at(8));
  });

  it('escalates instead when a later response deadline fires first (the sweep ran late)', () => {
    const change = fire(twoRounds(), 'buyerResponse', delivered, at(26));
    expect(change.dispute.status).toBe('ESCALATED');
    expect(change.refund).toBeNull();
  });

  it('escalates when the new seller window ends exactly at the 15-day mark', () => {
    const revised = revise(twoRounds(), delivered, at(18)).dispute;
    expect(revised.deadlines).toMatchObject({ sellerResponse: at(23), autoEscalate: at(23) });
    expect(fire(revised, 'sellerResponse', delivered, at(23)).dispute.status).toBe('ESCALATED');
  });

  it('refuses to respond, accept or revise after the 15-day mark even before the sweep ran', () => {
    const dispute = twoRounds();
    expect(refusal(() => disputes.buyerAcceptsOffer(dispute, ms(at(23), 1)))).toBe('RESPONSE_WINDOW_CLOSED');
    expect(refusal(() => revise(dispute, delivered, ms(at(23), 1)))).toBe('RESPONSE_WINDOW_CLOSED');
  });

  it.each([
    ['no seller response', 'sellerResponse' as const, () => inState.AWAITING_SELLER(), at(13), 'Rule: the seller responds within 5 days'],
    ['no buyer answer', 'buyerResponse' as const, () => inState.COUNTER_OFFERED(), at(16), 'Rule: the buyer answers a counter-offer within 7 days'],
  ])('cites the rule and what it saw when it decides on %s', (_what, name, state, now, rule) => {
    const change = fire(state(), name, delivered, now);
    expect(change.timeline[0]).toMatchObject({ actor: 'system', message: expect.stringContaining(rule) });
  });
});

describe('the arbitration SLA', () => {
  /** Escalated on day 10: the decision is due 48 h later, on day 12. */
  const escalated = () => inState.ESCALATED();

  it('marks a decision overdue when its 48 h pass, once, citing the rule; the dispute stays with the platform', () => {
    const change = fire(escalated(), 'decision', delivered, at(12));
    expect(change.dispute).toMatchObject({ status: 'ESCALATED', decisionDueBy: at(12), deadlines: {} });
    expect(change.timeline).toMatchObject([{ actor: 'system', action: 'DECISION_OVERDUE', message: expect.stringContaining('within 48 hours') }]);
    expect(change.refund).toBeNull();
    expect(disputes.deadlinePassed(change.dispute, 'decision', delivered, at(13))).toBeNull();
  });

  it('is not overdue a moment before, nor once decided', () => {
    expect(disputes.deadlinePassed(escalated(), 'decision', delivered, ms(at(12), -1))).toBeNull();
    const decided = decide(escalated(), delivered, 0, false, at(11)).dispute;
    expect(decided.deadlines.decision).toBeUndefined();
  });
});

describe('appeals', () => {
  /** Escalated day 10, decided by admin-1 on day 12: refund 500, no return; resolved. */
  const decided = (order: Order = delivered): Dispute => decide(inState.ESCALATED(), order, 500, false, at(12)).dispute;
  const evidence = [photo];
  const appealBy = (dispute: Dispute, by: 'buyer' | 'seller', now = at(20)) => appeals.appeal(dispute, by, { statement: 'The new photos show more damage.', evidence }, now);
  const decideAppeal = (dispute: Dispute, decision: { refundAmount?: number; compensation?: number }, admin = 'admin-2', order: Order = delivered, now = at(21)) =>
    appeals.decideAppeal(dispute, { ...decision, rationale: 'Reviewed again with the new evidence.' }, admin, order, now);

  it('takes one appeal within 30 days of the decision, with new evidence: APPEALED, 48 h for a decision', () => {
    const { dispute, timeline, refund } = appealBy(decided(), 'buyer');
    expect(dispute).toMatchObject({ status: 'APPEALED', appeal: { by: 'buyer', statement: 'The new photos show more damage.', evidence, at: at(20), decision: null }, decisionDueBy: at(22), deadlines: { decision: at(22) } });
    expect(timeline).toMatchObject([{ actor: 'buyer', action: 'APPEALED', evidence }]);
    expect(refund).toBeNull();
  });

  it.each([
    ['after 30 days', () => appealBy(decided(), 'buyer', ms(at(42), 1)), 'APPEAL_WINDOW_CLOSED'],
    ['a second time', () => appealBy(decideAppeal(appealBy(decided(), 'seller').dispute, {}).dispute, 'buyer', at(22)), 'ALREADY_APPEALED'],
    ['of an agreement (no decision of the platform)', () => appealBy(inState.RESOLVED(), 'buyer'), 'DISPUTE_NOT_APPEALABLE'],
    ['without evidence', () => appeals.appeal(decided(), 'buyer', { statement: 'Please look again.', evidence: [] }, at(20)), 'VALIDATION_FAILED'],
  ])('refuses an appeal %s', (_when, act, code) => {
    expect(refusal(act)).toBe(code);
  });

  it('allows an appeal on the last instant of the window', () => {
    expect(appealBy(decided(), 'seller', at(42)).dispute.status).toBe('APPEALED');
  });

  it('is decided by another admin than the first (SAME_ARBITER)', () => {
    expect(refusal(() => decideAppeal(appealBy(decided(), 'buyer').dispute, { refundAmount: 800 }, 'admin-1'))).toBe('SAME_ARBITER');
  });

  it("raises the refund on a buyer's appeal, paying only the difference, and is final", () => {
    const { dispute, timeline, refund } = decideAppeal(appealBy(decided(), 'buyer').dispute, { refundAmount: 800 });
    expect(refund).toBe(300);
    expect(dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: 800 }, appeal: { decision: { refundAmount: 800, compensation: 0, decidedBy: 'admin-2', at: at(21) } }, deadlines: {} });
    expect(actions(timeline)).toEqual(['APPEAL_DECIDED', 'REFUND_ISSUED']);
  });

  it.each([
    ['lowers the refund', { refundAmount: 499 }, 'APPEAL_DECISION_NOT_ALLOWED'],
    ['grants the seller a compensation', { compensation: 100 }, 'APPEAL_DECISION_NOT_ALLOWED'],
  ])("refuses a decision on a buyer's appeal that %s", (_what, decision, code) => {
    expect(refusal(() => decideAppeal(appealBy(decided(), 'buyer').dispute, decision))).toBe(code);
  });

  it("refuses to raise a buyer's refund above what the disputed lines are worth", () => {
    const books = Books.placed().shipped(1, 10).delivered(5);
    const dispute = new DisputeCase(books).then((d, o) => counter(d, o), (d) => disputes.escalate(d, 'buyer', 'No.', at(10)), (d, o) => decide(d, o, 500, false, at(12)), (d) => appealBy(d, 'buyer'));
    expect(refusal(() => decideAppeal(dispute.dispute, { refundAmount: TOTAL + 1 }, 'admin-2', books.order))).toBe('REFUND_EXCEEDS_REFUNDABLE');
    expect(decideAppeal(dispute.dispute, { refundAmount: TOTAL }, 'admin-2', books.order).refund).toBe(TOTAL - 500);
  });

  it("answers a seller's appeal with a platform-paid compensation, recorded on the dispute and its timeline; the buyer keeps the refund", () => {
    const { dispute, timeline, refund } = decideAppeal(appealBy(decided(), 'seller').dispute, { compensation: 500 });
    expect(refund).toBeNull();
    expect(dispute).toMatchObject({ status: 'RESOLVED', resolution: { refundAmount: 500 }, appeal: { by: 'seller', decision: { refundAmount: 500, compensation: 500 } } });
    expect(timeline).toMatchObject([{ action: 'APPEAL_DECIDED' }, { action: 'COMPENSATION_GRANTED', amount: 500 }]);
  });

  it.each([
    ['changes the refund', { refundAmount: 0 }],
    ['compensates more than the seller refunded', { compensation: 501 }],
  ])("refuses a decision on a seller's appeal that %s (APPEAL_DECISION_NOT_ALLOWED)", (_what, decision) => {
    expect(refusal(() => decideAppeal(appealBy(decided(), 'seller').dispute, decision))).toBe('APPEAL_DECISION_NOT_ALLOWED');
  });

  it('closes the appeal window with a timeline entry citing the rule, once, and not after an appeal', () => {
    expect(appeals.appealWindowPassed(decided(), ms(at(42), -1))).toBeNull();
    const closed = appeals.appealWindowPassed(decided(), at(42));
    expect(closed?.timeline).toMatchObject([{ actor: 'system', action: 'APPEAL_WINDOW_CLOSED', message: expect.stringContaining('30 days') }]);
    expect(appeals.appealWindowPassed(closed?.dispute as Dispute, at(43))).toBeNull();
    expect(appeals.appealWindowPassed(appealBy(decided(), 'buyer').dispute, at(43))).toBeNull();
  });

  it("pays a buyer's raised refund after completion as a REVERSAL, the escrow invariant holding throughout", () => {
    const books = Books.placed().shipped(1, 10).delivered(5).completed(6);
    new DisputeCase(books, { now: at(8) }).then(
      (d, o) => counter(d, o),
      (d) => disputes.escalate(d, 'buyer', 'No.', at(10)),
      (d, o) => decide(d, o, 500, false, at(12)),
      (d) => appealBy(d, 'buyer'),
      (d, o) => decideAppeal(d, { refundAmount: 1500 }, 'admin-2', o),
    );
    expect(books.ledger.slice(-4).map((item) => [item.type, item.amount.amount])).toEqual([
      ['REVERSAL', 500],
      ['REFUND', 500],
      ['REVERSAL', 1000],
      ['REFUND', 1000],
    ]);
    expect(books.order).toMatchObject({ escrow: { held: 0, released: TOTAL - 1500, refunded: 1500 }, disputeLines: { [DRIPPER]: { refunded: 1500, decidedBy: 'dsp_1' } } });
  });
});
