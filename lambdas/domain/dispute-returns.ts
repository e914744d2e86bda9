/**
 * Returns with carrier proof (DOMAIN.md "Disputes, returns and refunds"): once a return is agreed the
 * buyer ships it with a carrier and tracking number; the return is delivered when that carrier says so
 * (the signed webhook), never on a date the buyer picks. The seller then confirms receipt, or 10 days
 * after the carrier's delivery the refund is issued; with no carrier delivery 20 days after shipping the
 * dispute goes to the platform; until the refund is issued the seller may report a problem with the
 * return (→ ESCALATED). Every automatic step names its rule and the carrier event it rests on. Pure.
 */
import { DomainError } from './errors.js';
import { disputeRules, entry, isClosed, next, resolve, withEntry, type DeadlineName, type Dispute, type DisputeChange, type ReturnShipment, type Terms } from './disputes.js';
import type { MediaRef } from './reviews.js';
import { addMs } from './time.js';

export const RETURN_PROBLEMS = ['NOT_RECEIVED', 'NOT_AS_SENT'] as const;
export type ReturnProblem = (typeof RETURN_PROBLEMS)[number];

/** The deadlines of a return, decided here rather than in domain/disputes.ts. */
export const RETURN_DEADLINES = ['returnReceipt', 'returnDelivery'] as const satisfies readonly DeadlineName[];
export type ReturnDeadline = (typeof RETURN_DEADLINES)[number];
export const isReturnDeadline = (name: DeadlineName): name is ReturnDeadline => (RETURN_DEADLINES as readonly DeadlineName[]).includes(name);

/** A carrier event matched to the return's tracking number, as the evidence of what happened. */
export interface ReturnCarrierEvent {
  carrier: string;
  eventId: string;
  status: string;
  occurredAt: string;
  signedBy: string | null;
}

const agreedAmount = (dispute: Dispute): number => (dispute.agreement as { terms: Terms }).terms.amount;
const shipmentOf = (dispute: Dispute): ReturnShipment => dispute.returnShipment as ReturnShipment;
/** The return is on its way or arrived, and the refund is not issued yet. */
const returnInFlight = (dispute: Dispute): boolean => dispute.status === 'AGREED' && (dispute.returnShipment?.status === 'SHIPPED' || dispute.returnShipment?.status === 'DELIVERED');

function refuseUnlessOpen(dispute: Dispute): void {
  if (isClosed(dispute)) throw new DomainError('DISPUTE_CLOSED', `This dispute is ${dispute.status}.`);
}

export function buyerShipsReturn(dispute: Dispute, shipment: { carrier: string; trackingNumber: string }, now: string): DisputeChange {
  if (dispute.status !== 'AGREED' || dispute.returnShipment?.status !== 'AWAITING_SHIPMENT') {
    refuseUnlessOpen(dispute);
    throw new DomainError('RETURN_NOT_EXPECTED', 'No return shipment is expected for this dispute.');
  }
  if (dispute.deadlines.returnShipment && now > dispute.deadlines.returnShipment) {
    throw new DomainError('RETURN_SHIPMENT_OVERDUE', 'The return had to ship within 7 days of the agreement; the dispute closes without a refund.');
  }
  const shipped = next(dispute, now, {
    returnShipment: { status: 'SHIPPED', carrier: shipment.carrier, trackingNumber: shipment.trackingNumber, shippedAt: now, deliveredAt: null },
    deadlines: { returnDelivery: addMs(now, disputeRules.returnDeliveryMs) },
  });
  return { dispute: shipped, timeline: [entry(now, 'buyer', 'RETURN_SHIPPED', { message: `${shipment.carrier} ${shipment.trackingNumber}` })], refund: null };
}

const describeEvent = (event: ReturnCarrierEvent): string =>
  `carrier ${event.carrier} event ${event.eventId}: ${event.status} at ${event.occurredAt}${event.signedBy ? `, signed by ${event.signedBy}` : ''}`;

/**
 * The carrier reports on the return. DELIVERED marks it delivered and starts the seller's 10 days
 * (counted from when we learn it, so a late-reported delivery still leaves the seller its days); other
 * statuses only enter the timeline. Null when the return is no longer waiting for the carrier.
 */
export function returnCarrierEvent(dispute: Dispute, event: ReturnCarrierEvent, now: string): DisputeChange | null {
  if (dispute.status !== 'AGREED' || dispute.returnShipment?.status !== 'SHIPPED') return null;
  if (event.status !== 'DELIVERED') {
    return { dispute: next(dispute, now, {}), timeline: [entry(now, 'system', 'RETURN_TRACKING', { message: describeEvent(event) })], refund: null };
  }
  const delivered = next(dispute, now, {
    returnShipment: { ...shipmentOf(dispute), status: 'DELIVERED', deliveredAt: event.occurredAt },
    deadlines: { returnReceipt: addMs(now, disputeRules.returnReceiptMs) },
  });
  const message = `Return delivered (${describeEvent(event)}). Rule: the refund is issued 10 days after the carrier's delivery unless the seller confirms receipt or reports a problem first.`;
  return { dispute: delivered, timeline: [entry(now, 'system', 'RETURN_DELIVERED', { message })], refund: null };
}

/** The seller confirms the return arrived: the agreed refund, at once (also before the carrier's event). */
export function sellerReceivesReturn(dispute: Dispute, now: string): DisputeChange {
  if (!returnInFlight(dispute)) {
    refuseUnlessOpen(dispute);
    throw new DomainError('RETURN_NOT_SHIPPED', 'The buyer has not shipped a return yet.');
  }
  const received = { ...dispute, returnShipment: { ...shipmentOf(dispute), status: 'RECEIVED' as const } };
  return withEntry(resolve(received, agreedAmount(dispute), now, 'seller', 'REFUND_ISSUED'), entry(now, 'seller', 'RETURN_RECEIVED'));
}

/** The seller reports that the return did not arrive, or is not what was sent: the platform decides. */
export function sellerReportsReturnProblem(dispute: Dispute, report: { problem: ReturnProblem; message: string; evidence: MediaRef[] }, now: string): DisputeChange {
  if (!returnInFlight(dispute)) {
    refuseUnlessOpen(dispute);
    throw new DomainError('RETURN_NOT_SHIPPED', 'A problem can be reported once the return has shipped and until the refund is issued.');
  }
  const escalated = next(dispute, now, { status: 'ESCALATED', escalatedAt: now, deadlines: {} });
  return { dispute: escalated, timeline: [entry(now, 'seller', 'RETURN_PROBLEM_REPORTED', { message: `${report.problem}: ${report.message}`, evidence: report.evidence })], refund: null };
}

/** A return deadline passed; null when it no longer applies (the return moved on), so a late timer changes nothing. */
export function returnDeadlinePassed(dispute: Dispute, name: ReturnDeadline, now: string): DisputeChange | null {
  const due = dispute.deadlines[name];
  if (!due || due > now || isClosed(dispute)) return null;
  const shipment = dispute.returnShipment;
  if (name === 'returnReceipt') {
    if (dispute.status !== 'AGREED' || shipment?.status !== 'DELIVERED') return null;
    const change = resolve(dispute, agreedAmount(dispute), now, 'system', 'AUTO_REFUND_RETURN_NOT_CONFIRMED');
    const message = `Rule: refund 10 days after the carrier delivered the return (${shipment.carrier} ${shipment.trackingNumber}, delivered ${shipment.deliveredAt}); the seller neither confirmed receipt nor reported a problem.`;
    return { ...change, timeline: change.timeline.map((item) => ({ ...item, message })) };
  }
  if (dispute.status !== 'AGREED' || shipment?.status !== 'SHIPPED') return null;
  const escalated = next(dispute, now, { status: 'ESCALATED', escalatedAt: now, deadlines: {} });
  const message = `Rule: no carrier delivery of the return (${shipment.carrier} ${shipment.trackingNumber}) 20 days after it shipped on ${shipment.shippedAt}.`;
  return { dispute: escalated, timeline: [entry(now, 'system', 'AUTO_ESCALATED', { message })], refund: null };
}
