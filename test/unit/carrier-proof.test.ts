/**
 * Proof of delivery vs a seller's claim (DOMAIN.md "Orders": proof of delivery, buyer protection).
 * Holes 1 and 2 of issue 8: a seller's own DELIVERED defeated NOT_RECEIVED, and an auto-confirmed order
 * with no delivery could not get a NOT_RECEIVED dispute at all.
 */
import { describe, expect, it } from 'vitest';
import * as disputes from '../../lambdas/domain/disputes.js';
import * as orders from '../../lambdas/domain/orders.js';
import type { Order } from '../../lambdas/domain/orders.js';
import { policy, signatureThreshold } from '../../lambdas/platform/config.js';
import { aListingSnapshot, anOrder, at } from './order-builder.js';
import { refusal } from './refusal.js';

const shipped = anOrder().shipped(1, 10).build();
/** Two of a $200 item: $400, above the signature threshold. */
const expensive = anOrder([aListingSnapshot({ price: { amount: 20_000, currency: 'USD' } })], 2).shipped(1, 10).build();
const DISPUTE_ID = 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FB9';

const delivery = (order: Order, source: orders.TrackingSource, signedBy?: string, day = 4) => orders.recordTrackingEvent(order, { status: 'DELIVERED', occurredAt: at(day), signedBy }, at(day), source).order;
const notReceived = (order: Order, now: string) =>
  disputes.openDispute({ disputeId: DISPUTE_ID, order, reason: 'NOT_RECEIVED', request: { type: 'REFUND', amount: orders.refundable(order) }, description: 'Nothing came.', evidence: [], now });
/** Auto-confirmed at the end of protection (day 61), nothing ever delivered. */
const autoConfirmed = (order: Order) => orders.confirmReceipt(order, 'system', at(62)).order;

describe("a seller's DELIVERED is a claim", () => {
  const claimed = delivery(shipped, 'seller');

  it('records deliveryClaimedAt and leaves the order SHIPPED, its protection and windows unchanged', () => {
    expect(claimed).toMatchObject({ status: 'SHIPPED', deliveryClaimedAt: at(4), deliveredAt: null, protectionEndsAt: shipped.protectionEndsAt });
    expect(orders.returnWindowEndsAt(claimed)).toBeNull();
    expect(orders.orderView(claimed, 'buyer')).toMatchObject({ deliveryClaimedAt: at(4), deliveredAt: null });
  });

  it('keeps protection extendable and NOT_RECEIVED open', () => {
    expect(orders.extendProtection(claimed, at(5)).order.protectionExtended).toBe(true);
    expect(notReceived(claimed, at(12)).dispute.status).toBe('AWAITING_SELLER');
  });

  it('does not save the seller from the automatic refund of an open NOT_RECEIVED dispute', () => {
    const opened = notReceived(shipped, at(12)).dispute;
    const claimedMeanwhile = delivery(shipped, 'seller', undefined, 13);
    const outcome = disputes.deadlinePassed(opened, 'sellerResponse', claimedMeanwhile, at(17.1));
    expect(outcome?.refund).toBe(orders.refundable(shipped));
    expect(outcome?.timeline.map((entry) => entry.action)).toContain('BUYER_PROTECTION_REFUND');
  });
});

describe('proof of delivery', () => {
  it('an admin or carrier DELIVERED moves the order to DELIVERED', () => {
    expect(delivery(shipped, 'admin')).toMatchObject({ status: 'DELIVERED', deliveredAt: at(4) });
    expect(delivery(shipped, 'carrier')).toMatchObject({ status: 'DELIVERED', deliveredAt: at(4) });
  });

  it('above the threshold a carrier delivery is proof only with signedBy', () => {
    expect(orders.deliveryWeight(expensive, { status: 'DELIVERED', occurredAt: at(4) }, 'carrier')).toBe('UNSIGNED');
    expect(delivery(expensive, 'carrier')).toMatchObject({ status: 'SHIPPED', deliveredAt: null });
    expect(delivery(expensive, 'carrier', 'J. DOE')).toMatchObject({ status: 'DELIVERED', deliveredAt: at(4) });
    // An admin has looked at the evidence: their DELIVERED needs no signature.
    expect(delivery(expensive, 'admin').status).toBe('DELIVERED');
  });

  it('the threshold is per currency, a default for the others', () => {
    expect(signatureThreshold('USD')).toBe(25_000);
    expect(signatureThreshold('GBP')).toBe(policy.signatureRequiredAbove.GBP);
    expect(signatureThreshold('SEK')).toBe(policy.signatureRequiredAbove.default);
  });

  it('a proof arriving within the seller response window stops the automatic refund', () => {
    const opened = notReceived(shipped, at(12)).dispute;
    const countered = disputes.sellerResponds(opened, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: 100 }, message: 'It was delivered.', evidence: [] }, shipped, at(12.5)).dispute;
    const proven = delivery(shipped, 'carrier', undefined, 13);
    expect(disputes.deadlinePassed(countered, 'sellerResponse', proven, at(17.1))).toMatchObject({ refund: null, dispute: { status: 'COUNTER_OFFERED' } });
    // The same dispute with only a claim meanwhile: buyer protection refunds in full.
    expect(disputes.deadlinePassed(countered, 'sellerResponse', delivery(shipped, 'seller', undefined, 13), at(17.1))?.refund).toBe(orders.refundable(shipped));
  });

  it('a carrier DELIVERED after an auto-confirm records the proof without reopening the order', () => {
    const late = orders.recordTrackingEvent(autoConfirmed(shipped), { status: 'DELIVERED', occurredAt: at(20) }, at(63), 'carrier').order;
    expect(late).toMatchObject({ status: 'COMPLETED', deliveredAt: at(20) });
    expect(refusal(() => orders.recordTrackingEvent(autoConfirmed(shipped), { status: 'DELIVERED', occurredAt: at(20) }, at(63), 'seller'))).toBe('ORDER_NOT_IN_TRANSIT');
  });
});

describe('NOT_RECEIVED after completion without proof', () => {
  it('is open until 15 days after an auto-confirm', () => {
    const completed = autoConfirmed(shipped);
    expect(notReceived(completed, at(70)).dispute.reason).toBe('NOT_RECEIVED');
    expect(refusal(() => notReceived(completed, at(62 + 15.1)))).toBe('DISPUTE_WINDOW_CLOSED');
  });

  it('is refused with ALREADY_DELIVERED, naming the proof, once the carrier showed a delivery', () => {
    const proven = orders.confirmReceipt(delivery(shipped, 'carrier'), 'buyer', at(6)).order;
    expect(refusal(() => notReceived(proven, at(7)))).toBe('ALREADY_DELIVERED');
    expect(() => notReceived(proven, at(7))).toThrow(/carrier showed the order delivered/);
  });

  it('an open NOT_RECEIVED dispute on an auto-confirmed order is refunded at the end of the response window', () => {
    const completed = autoConfirmed(shipped);
    const opened = notReceived(completed, at(63)).dispute;
    const outcome = disputes.deadlinePassed(opened, 'sellerResponse', completed, at(68.1));
    expect(outcome?.refund).toBe(orders.refundable(completed));
  });
});
