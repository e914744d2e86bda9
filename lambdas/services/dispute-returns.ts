/**
 * Return use cases (domain/dispute-returns.ts), each a change of one dispute on the kernel
 * (services/disputes.ts changeDispute): the buyer ships the return (its tracking number is claimed in the
 * same transaction, so the carrier webhook finds it), the carrier reports on it, the seller confirms
 * receipt or reports a problem.
 */
import type { CarrierEvent } from '../domain/carrier-events.js';
import * as returns from '../domain/dispute-returns.js';
import type { Principal } from '../platform/auth.js';
import { carrierEventSeen, trackingNumberClaim, type CarrierEventRecord } from '../store/tracking-numbers.js';
import { act, changeDispute, evidenceOf } from './disputes.js';
import { trackingNumberRefusal } from './orders.js';

export const shipReturn = (buyer: Principal, disputeId: string, shipment: { carrier: string; trackingNumber: string }) =>
  act(buyer, disputeId, ['buyer'], (dispute, _order, now) => returns.buyerShipsReturn(dispute, shipment, now), [], {
    writes: (dispute) => [trackingNumberClaim({ trackingNumber: shipment.trackingNumber, shipment: 'RETURN', orderId: dispute.orderId, disputeId })],
    refusals: { trackingNumberUnused: trackingNumberRefusal(shipment.trackingNumber, disputeId) },
  });

export const returnReceived = (seller: Principal, disputeId: string) => act(seller, disputeId, ['seller'], (dispute, _order, now) => returns.sellerReceivesReturn(dispute, now));

export async function reportReturnProblem(seller: Principal, disputeId: string, body: { problem: returns.ReturnProblem; message: string; evidence: string[] }) {
  const evidence = await evidenceOf(seller.userId, body.evidence, disputeId);
  return act(seller, disputeId, ['seller'], (dispute, _order, now) => returns.sellerReportsReturnProblem(dispute, { problem: body.problem, message: body.message, evidence }, now), body.evidence);
}

/**
 * A carrier event for a return's tracking number (the signed webhook), written with its dedupe record.
 * 'duplicate' when that event was applied before.
 */
export async function recordReturnCarrierEvent(disputeId: string, event: CarrierEvent, seen: CarrierEventRecord): Promise<'applied' | 'duplicate'> {
  const evidence: returns.ReturnCarrierEvent = { carrier: seen.carrier, eventId: event.eventId, status: event.status, occurredAt: event.occurredAt, signedBy: event.signedBy };
  const outcome = await changeDispute(disputeId, 'system', ['system'], (dispute, _order, now) => returns.returnCarrierEvent(dispute, evidence, now), [], {
    writes: () => [carrierEventSeen(seen)],
    alreadyDone: { guards: ['carrierEventUnseen'], result: 'duplicate' as const },
  });
  return outcome === 'duplicate' ? 'duplicate' : 'applied';
}
