import * as z from 'zod';
import { ListQuery, Money, Timestamp, idParam, page } from './shared.js';

export const DisputeReason = z.enum(['NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM', 'COUNTERFEIT', 'OTHER']).meta({ id: 'DisputeReason' });
export const DisputeStatus = z.enum(['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED', 'ESCALATED', 'RESOLVED', 'CANCELLED']).meta({ id: 'DisputeStatus' });
const TermsType = z.enum(['REFUND', 'RETURN_AND_REFUND']);
export const Terms = z.strictObject({ type: TermsType, amount: Money }).meta({ id: 'DisputeTerms' });
const Evidence = z.array(idParam('upl')).max(9);
const Message = z.string().trim().min(1).max(2000);

export const OpenDispute = z
  .strictObject({ reason: DisputeReason, request: Terms, description: z.string().trim().min(10).max(2000), evidence: Evidence.default([]) })
  .meta({ id: 'OpenDispute' });
export const DisputePathParams = z.strictObject({ disputeId: idParam('dsp') });
export const OrderDisputePathParams = z.strictObject({ orderId: idParam('ord') });
export const RefundPathParams = z.strictObject({ refundId: idParam('rfd') });

export const SellerResponse = z
  .strictObject({ action: z.enum(['ACCEPT', 'COUNTER_OFFER']), counterOffer: Terms.optional(), message: Message, evidence: Evidence.default([]) })
  .refine((body) => body.action === 'ACCEPT' || body.counterOffer !== undefined, { message: 'a counter-offer needs its terms', path: ['counterOffer'] })
  .meta({ id: 'SellerResponse' });
export const Escalate = z.strictObject({ message: Message }).meta({ id: 'EscalateDispute' });
export const ReturnShipment = z
  .strictObject({
    carrier: z.string().trim().min(1).max(64),
    trackingNumber: z.string().trim().regex(/^[A-Za-z0-9-]{4,64}$/, 'letters, digits and dashes, 4–64'),
    estimatedDeliveryAt: Timestamp.optional().meta({ description: "The carrier's estimate; the return counts as delivered then (default: 7 days)." }),
  })
  .meta({ id: 'ReturnShipment' });
export const AdminDisputeDecision = z
  .strictObject({ refundAmount: Money, returnRequired: z.boolean(), rationale: z.string().trim().min(10).max(2000) })
  .meta({ id: 'AdminDisputeDecision' });
export const ListDisputesQuery = ListQuery.extend({ status: z.literal('ESCALATED').optional().meta({ description: 'Admins: the escalated disputes waiting for a decision.' }) });

const MediaLink = z.object({ url: z.string(), contentType: z.string() });
const TermsOut = z.object({ type: TermsType, amount: Money });

export const TimelineEntry = z
  .object({ at: Timestamp, actor: z.enum(['buyer', 'seller', 'admin', 'system']), action: z.string(), message: z.string().nullable(), evidence: z.array(MediaLink), amount: Money.nullable(), terms: TermsOut.nullable() })
  .meta({ id: 'DisputeTimelineEntry' });

export const Dispute = z
  .object({
    disputeId: z.string(),
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    reason: DisputeReason,
    request: TermsOut,
    description: z.string(),
    evidence: z.array(MediaLink),
    status: DisputeStatus,
    counterOffer: TermsOut.nullable(),
    agreement: z.object({ terms: TermsOut, how: z.string(), at: Timestamp }).nullable(),
    returnShipment: z
      .object({ status: z.enum(['AWAITING_SHIPMENT', 'SHIPPED', 'RECEIVED']), carrier: z.string().nullable(), trackingNumber: z.string().nullable(), shippedAt: Timestamp.nullable(), deliveredBy: Timestamp.nullable() })
      .nullable(),
    decision: z.object({ refundAmount: Money, returnRequired: z.boolean(), rationale: z.string(), at: Timestamp }).nullable(),
    proposal: z.object({ refundAmount: Money, returnRequired: z.boolean(), rule: z.string(), rationale: z.string() }).nullable().optional().meta({ description: 'Admins only: the decision the case file proposes by rule.' }),
    caseFile: z.record(z.string(), z.unknown()).nullable().optional().meta({ description: 'Admins only: order, tracking, ledger and evidence gathered at escalation.' }),
    resolution: z.object({ outcome: z.enum(['REFUNDED', 'NO_REFUND', 'WITHDRAWN']), refundAmount: Money, refundId: z.string().nullable(), at: Timestamp }).nullable(),
    deadlines: z.object({ sellerResponse: Timestamp, buyerResponse: Timestamp, autoEscalate: Timestamp, returnShipment: Timestamp, returnReceipt: Timestamp }).partial(),
    timeline: z.array(TimelineEntry).optional(),
    openedAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Dispute' });
export const DisputePage = page(Dispute, 'DisputePage');

export const Refund = z
  .object({
    refundId: z.string(),
    orderId: z.string(),
    disputeId: z.string(),
    amount: Money,
    status: z.enum(['REQUESTED', 'PROCESSING', 'COMPLETED', 'FAILED']),
    requestedAt: Timestamp,
    expectedBy: Timestamp,
    history: z.array(z.object({ status: z.string(), at: Timestamp })),
  })
  .meta({ id: 'Refund' });
