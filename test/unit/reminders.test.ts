/** Which reminders a dispute or an order calls for, when they fire, and when one still stands (lambdas/domain/reminders.ts). */
import { describe, expect, it } from 'vitest';
import * as disputes from '../../lambdas/domain/disputes.js';
import { disputeReminders, disputeReminderStands, protectionReminder, protectionReminderStands, remindAt } from '../../lambdas/domain/reminders.js';
import { anOrder, at } from './order-builder.js';

const order = anOrder().shipped(1, 10).build();
const open = disputes.openDispute({ disputeId: 'dsp_1', order, reason: 'DAMAGED', request: { type: 'REFUND', amount: 1000 }, description: 'Cracked lid.', evidence: [], now: at(3) }).dispute;

describe('dispute deadline reminders', () => {
  it("fire 48 h before the deadline", () => {
    expect(remindAt('deadline', at(8))).toBe(at(6));
    expect(remindAt('protection', at(8))).toBe(at(5));
  });

  it("call for the seller's response while the seller must respond, and for nothing else", () => {
    expect(disputeReminders(open)).toEqual({ sellerResponse: open.deadlines.sellerResponse });
    expect(disputeReminders(null)).toEqual({});
  });

  it("move to the buyer's answer with a counter-offer (a kept seller deadline is not the seller's to meet any more)", () => {
    const notReceived = disputes.openDispute({ disputeId: 'dsp_2', order, reason: 'NOT_RECEIVED', request: { type: 'REFUND', amount: 1000 }, description: 'Never came.', evidence: [], now: at(3) }).dispute;
    const countered = disputes.sellerResponds(notReceived, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: 500 }, message: 'Half?', evidence: [] }, order, at(4)).dispute;
    expect(countered.deadlines.sellerResponse).toBeDefined();
    expect(disputeReminders(countered)).toEqual({ buyerResponse: countered.deadlines.buyerResponse });
  });

  it('call for the return shipment until the return ships', () => {
    const agreed = disputes.sellerResponds({ ...open, request: { type: 'RETURN_AND_REFUND', amount: 1000 } }, { action: 'ACCEPT', message: 'Send it back.', evidence: [] }, order, at(4)).dispute;
    expect(disputeReminders(agreed)).toEqual({ returnShipment: agreed.deadlines.returnShipment });
    const shipped = { ...agreed, returnShipment: { ...(agreed.returnShipment as NonNullable<typeof agreed.returnShipment>), status: 'SHIPPED' as const } };
    expect(disputeReminders(shipped)).toEqual({});
  });

  it('stand only for the deadline as it was when set', () => {
    const due = open.deadlines.sellerResponse as string;
    expect(disputeReminderStands(open, 'sellerResponse', due, at(6))).toBe(true);
    expect(disputeReminderStands(open, 'sellerResponse', at(20), at(6))).toBe(false);
    expect(disputeReminderStands(disputes.buyerCancels(open, at(4)).dispute, 'sellerResponse', due, at(6))).toBe(false);
    // Fired only after the deadline itself (a sweep after an outage): moot.
    expect(disputeReminderStands(open, 'sellerResponse', due, due)).toBe(false);
  });
});

describe('the protection-ending reminder', () => {
  it('is called for while the order is shipped or delivered, with no dispute running', () => {
    expect(protectionReminder(order)).toBe(order.protectionEndsAt);
    expect(protectionReminder(anOrder().shipped(1, 10).delivered(5).build())).not.toBeNull();
    expect(protectionReminder(anOrder().build())).toBeNull();
    expect(protectionReminder(anOrder().shipped(1, 10).completed(6).build())).toBeNull();
    expect(protectionReminder(anOrder().shipped(1, 10).withDispute('AWAITING_SELLER').build())).toBeNull();
    expect(protectionReminder(anOrder().shipped(1, 10).withDispute('RESOLVED').build())).toBe(order.protectionEndsAt);
  });

  it('stands only for the end it warns about', () => {
    const endsAt = order.protectionEndsAt as string;
    expect(protectionReminderStands(order, endsAt, at(50))).toBe(true);
    expect(protectionReminderStands(order, at(90), at(50))).toBe(false);
    expect(protectionReminderStands(order, endsAt, endsAt)).toBe(false);
  });
});
