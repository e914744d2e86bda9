/**
 * Returns with carrier proof (domain/dispute-returns.ts; issue 8 hole 7: a return used to count as
 * delivered on a date the buyer picked, and the seller could not contest it).
 */
import { describe, expect, it } from 'vitest';
import * as returns from '../../lambdas/domain/dispute-returns.js';
import * as disputes from '../../lambdas/domain/disputes.js';
import type { Dispute } from '../../lambdas/domain/disputes.js';
import type { MediaRef } from '../../lambdas/domain/reviews.js';
import { anOrder, at } from './order-builder.js';
import { refusal } from './refusal.js';

const delivered = anOrder().shipped(1, 10).delivered(5).build();
const photo: MediaRef = { uploadId: 'upl_01ARZ3NDEKTSV4RRFFQ69G5FB0', key: 'owned/dispute-evidence/upl_1.0a1b', contentType: 'image/jpeg' };

/** A RETURN_AND_REFUND of 1000 opened on day 8, accepted by the seller on day 9. */
const agreed = (): Dispute => {
  const opened = disputes.openDispute({ disputeId: 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FB9', order: delivered, reason: 'DAMAGED', request: { type: 'RETURN_AND_REFUND', amount: 1000 }, description: 'Cracked.', evidence: [], now: at(8) }).dispute;
  return disputes.sellerResponds(opened, { action: 'ACCEPT', message: 'Send it back.', evidence: [] }, delivered, at(9)).dispute;
};
/** Shipped by the buyer on day 10. */
const shipped = (): Dispute => returns.buyerShipsReturn(agreed(), { carrier: 'DHL', trackingNumber: 'RET-1234' }, at(10)).dispute;
const carrierSays = (dispute: Dispute, status: string, day: number, signedBy: string | null = null) =>
  returns.returnCarrierEvent(dispute, { carrier: 'dhl', eventId: `evt-${status}-${day}`, status, occurredAt: at(day), signedBy }, at(day + 0.1));
/** The carrier delivered on day 13 (we learn at day 13.1). */
const deliveredBack = (): Dispute => {
  const change = carrierSays(shipped(), 'DELIVERED', 13, 'WAREHOUSE');
  if (!change) throw new Error('not delivered');
  return change.dispute;
};

describe('shipping a return', () => {
  it('takes carrier and tracking number only; the carrier has 20 days to deliver it', () => {
    const { dispute, timeline, refund } = returns.buyerShipsReturn(agreed(), { carrier: 'DHL', trackingNumber: 'RET-1234' }, at(10));
    expect(refund).toBeNull();
    expect(dispute.returnShipment).toEqual({ status: 'SHIPPED', carrier: 'DHL', trackingNumber: 'RET-1234', shippedAt: at(10), deliveredAt: null });
    expect(dispute.deadlines).toEqual({ returnDelivery: at(30) });
    expect(timeline).toEqual([expect.objectContaining({ actor: 'buyer', action: 'RETURN_SHIPPED', message: 'DHL RET-1234' })]);
  });

  it('refuses a second shipment with RETURN_NOT_EXPECTED and an overdue one with RETURN_SHIPMENT_OVERDUE', () => {
    expect(refusal(() => returns.buyerShipsReturn(shipped(), { carrier: 'DHL', trackingNumber: 'RET-9' }, at(11)))).toBe('RETURN_NOT_EXPECTED');
    expect(refusal(() => returns.buyerShipsReturn(agreed(), { carrier: 'DHL', trackingNumber: 'RET-9' }, at(16.01)))).toBe('RETURN_SHIPMENT_OVERDUE');
  });
});

describe('the carrier reports on the return', () => {
  it('DELIVERED marks it delivered at the carrier’s time and gives the seller 10 days from when we learn it, citing the event', () => {
    const change = carrierSays(shipped(), 'DELIVERED', 13, 'WAREHOUSE');
    expect(change?.dispute.returnShipment).toMatchObject({ status: 'DELIVERED', deliveredAt: at(13) });
    expect(change?.dispute.deadlines).toEqual({ returnReceipt: at(23.1) });
    expect(change?.timeline[0]).toMatchObject({ actor: 'system', action: 'RETURN_DELIVERED' });
    expect(change?.timeline[0]?.message).toContain('carrier dhl event evt-DELIVERED-13');
    expect(change?.timeline[0]?.message).toContain('signed by WAREHOUSE');
  });

  it('other statuses only enter the timeline; a return no longer in transit ignores the carrier', () => {
    const moving = carrierSays(shipped(), 'IN_TRANSIT', 11);
    expect(moving?.dispute.returnShipment?.status).toBe('SHIPPED');
    expect(moving?.dispute.deadlines).toEqual({ returnDelivery: at(30) });
    expect(moving?.timeline[0]).toMatchObject({ action: 'RETURN_TRACKING' });
    expect(carrierSays(deliveredBack(), 'DELIVERED', 14)).toBeNull();
    expect(carrierSays(agreed(), 'DELIVERED', 14)).toBeNull();
  });
});

describe('return deadlines', () => {
  it('returnReceipt: 10 days after the carrier’s delivery the agreed refund is issued, naming the rule and the parcel', () => {
    const dispute = deliveredBack();
    expect(returns.returnDeadlinePassed(dispute, 'returnReceipt', at(23.09))).toBeNull();
    const change = returns.returnDeadlinePassed(dispute, 'returnReceipt', at(23.1));
    expect(change?.refund).toBe(1000);
    expect(change?.dispute).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'REFUNDED', refundAmount: 1000 } });
    expect(change?.timeline[0]).toMatchObject({ actor: 'system', action: 'AUTO_REFUND_RETURN_NOT_CONFIRMED' });
    expect(change?.timeline[0]?.message).toMatch(/^Rule: refund 10 days after the carrier delivered the return \(DHL RET-1234, delivered /);
    expect(returns.returnDeadlinePassed(change!.dispute, 'returnReceipt', at(40))).toBeNull();
  });

  it('returnDelivery: no carrier delivery 20 days after shipping escalates, naming the rule; once delivered it no longer applies', () => {
    const change = returns.returnDeadlinePassed(shipped(), 'returnDelivery', at(30));
    expect(change).toMatchObject({ refund: null, dispute: { status: 'ESCALATED', escalatedAt: at(30), deadlines: {} } });
    expect(change?.timeline[0]).toMatchObject({ actor: 'system', action: 'AUTO_ESCALATED' });
    expect(change?.timeline[0]?.message).toContain('no carrier delivery of the return (DHL RET-1234) 20 days after it shipped');
    expect(returns.returnDeadlinePassed(shipped(), 'returnDelivery', at(29.99))).toBeNull();
    expect(returns.returnDeadlinePassed({ ...deliveredBack(), deadlines: { returnDelivery: at(30) } }, 'returnDelivery', at(30))).toBeNull();
  });

  it('the return deadlines are decided here, not by the negotiation rules', () => {
    expect(returns.isReturnDeadline('returnReceipt')).toBe(true);
    expect(returns.isReturnDeadline('returnDelivery')).toBe(true);
    expect(returns.isReturnDeadline('returnShipment')).toBe(false);
  });
});

describe('the seller', () => {
  it('confirms receipt before or after the carrier’s delivery: the agreed refund at once', () => {
    for (const dispute of [shipped(), deliveredBack()]) {
      const change = returns.sellerReceivesReturn(dispute, at(14));
      expect(change.refund).toBe(1000);
      expect(change.dispute).toMatchObject({ status: 'RESOLVED', returnShipment: { status: 'RECEIVED' } });
    }
    expect(refusal(() => returns.sellerReceivesReturn(agreed(), at(11)))).toBe('RETURN_NOT_SHIPPED');
  });

  it('reports a return problem with evidence until the refund is issued: ESCALATED, no refund, deadlines cleared', () => {
    for (const dispute of [shipped(), deliveredBack()]) {
      const change = returns.sellerReportsReturnProblem(dispute, { problem: 'NOT_AS_SENT', message: 'A different mug came back.', evidence: [photo] }, at(15));
      expect(change).toMatchObject({ refund: null, dispute: { status: 'ESCALATED', escalatedAt: at(15), deadlines: {} } });
      expect(change.timeline[0]).toMatchObject({ actor: 'seller', action: 'RETURN_PROBLEM_REPORTED', message: 'NOT_AS_SENT: A different mug came back.', evidence: [photo] });
    }
  });

  it('cannot report a problem before the return ships, nor once the refund is issued', () => {
    const report = { problem: 'NOT_RECEIVED' as const, message: 'Nothing came.', evidence: [] };
    expect(refusal(() => returns.sellerReportsReturnProblem(agreed(), report, at(11)))).toBe('RETURN_NOT_SHIPPED');
    const refunded = returns.returnDeadlinePassed(deliveredBack(), 'returnReceipt', at(24))?.dispute as Dispute;
    expect(refusal(() => returns.sellerReportsReturnProblem(refunded, report, at(25)))).toBe('DISPUTE_CLOSED');
  });
});
