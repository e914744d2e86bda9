import * as z from 'zod/mini';
import type { Actor, DeadlineName, Dispute as DomainDispute, DisputeReason as DisputeReasonValue, DisputeStatus as DisputeStatusValue, ReturnShipment as DomainReturnShipment, Terms as DomainTerms } from '../domain/disputes.js';
import type { RefundStatus } from '../domain/refunds.js';
import { ListQuery, Money, Timestamp, described, enumOf, idParam, page, text } from './shared.js';

export const DisputeReason = described(enumOf<DisputeReasonValue>()(['NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM', 'COUNTERFEIT', 'OTHER']), { id: 'DisputeReason' });
export const DisputeStatus = described(enumOf<DisputeStatusValue>()(['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED', 'ESCALATED', 'RESOLVED', 'CANCELLED']), { id: 'DisputeStatus' });
const TermsType = enumOf<DomainTerms['type']>()(['REFUND', 'RETURN_AND_REFUND']);
export const Terms = described(z.strictObject({ type: TermsType, amount: Money }), { id: 'DisputeTerms' });
const Evidence = z.array(idParam('upl')).check(z.maxLength(9));
const Message = text(1, 2000);

export const OpenDispute = described(
  z.strictObject({ reason: DisputeReason, request: Terms, description: text(10, 2000), evidence: z._default(Evidence, []) }),
  { id: 'OpenDispute' },
);
export const DisputePathParams = z.strictObject({ disputeId: idParam('dsp') });
export const OrderDisputePathParams = z.strictObject({ orderId: idParam('ord') });
export const RefundPathParams = z.strictObject({ refundId: idParam('rfd') });

export const SellerResponse = described(
  z
    .strictObject({ action: z.enum(['ACCEPT', 'COUNTER_OFFER']), counterOffer: z.optional(Terms), message: Message, evidence: z._default(Evidence, []) })
    .check(z.refine((body) => body.action === 'ACCEPT' || body.counterOffer !== undefined, { message: 'a counter-offer needs its terms', path: ['counterOffer'] })),
  { id: 'SellerResponse' },
);
export const Escalate = described(z.strictObject({ message: Message }), { id: 'EscalateDispute' });
export const ReturnShipment = described(
  z.strictObject({
    carrier: text(1, 64),
    trackingNumber: described(z.string().check(z.trim(), z.regex(/^[A-Za-z0-9-]{4,64}$/, 'letters, digits and dashes, 4–64')), {
      description: "The return counts as delivered when this parcel's carrier says so (the signed carrier webhook).",
    }),
  }),
  { id: 'ReturnShipment' },
);
export const ReturnProblem = described(
  z.strictObject({ problem: z.enum(['NOT_RECEIVED', 'NOT_AS_SENT']), message: Message, evidence: z._default(Evidence, []) }),
  { id: 'ReturnProblem', description: 'The seller reports a problem with the return, until the refund is issued: the dispute goes to the platform.' },
);
export const AdminDisputeDecision = described(z.strictObject({ refundAmount: Money, returnRequired: z.boolean(), rationale: text(10, 2000) }), { id: 'AdminDisputeDecision' });
export const ListDisputesQuery = z.extend(ListQuery, { status: described(z.optional(z.literal('ESCALATED')), { description: 'Admins: the escalated disputes waiting for a decision.' }) });

const MediaLink = z.object({ url: z.string(), contentType: z.string() });
const TermsOut = z.object({ type: TermsType, amount: Money });

export const TimelineEntry = described(
  z.object({
    at: Timestamp,
    actor: enumOf<Actor>()(['buyer', 'seller', 'admin', 'system']),
    action: z.string(),
    message: z.nullable(z.string()),
    evidence: z.array(MediaLink),
    amount: z.nullable(Money),
    terms: z.nullable(TermsOut),
  }),
  { id: 'DisputeTimelineEntry' },
);

const deadline = z.optional(Timestamp);
const deadlines: Record<DeadlineName, typeof deadline> = { sellerResponse: deadline, buyerResponse: deadline, autoEscalate: deadline, returnShipment: deadline, returnReceipt: deadline, returnDelivery: deadline };

export const Dispute = described(
  z.object({
    disputeId: z.string(),
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    reason: DisputeReason,
    request: TermsOut,
    description: z.string(),
    evidence: z.array(MediaLink),
    status: DisputeStatus,
    counterOffer: z.nullable(TermsOut),
    agreement: z.nullable(z.object({ terms: TermsOut, how: z.string(), at: Timestamp })),
    returnShipment: z.nullable(
      z.object({
        status: enumOf<DomainReturnShipment['status']>()(['AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED', 'RECEIVED']),
        carrier: z.nullable(z.string()),
        trackingNumber: z.nullable(z.string()),
        shippedAt: z.nullable(Timestamp),
        deliveredAt: described(z.nullable(Timestamp), { description: "When the carrier showed the return delivered (its signed webhook); the refund follows 10 days later unless the seller confirms or reports a problem first." }),
      }),
    ),
    decision: z.nullable(z.object({ refundAmount: Money, returnRequired: z.boolean(), rationale: z.string(), at: Timestamp })),
    proposal: described(z.optional(z.nullable(z.object({ refundAmount: Money, returnRequired: z.boolean(), rule: z.string(), rationale: z.string() }))), {
      description: 'Admins only: the decision the case file proposes by rule.',
    }),
    caseFile: described(z.optional(z.nullable(z.record(z.string(), z.unknown()))), { description: 'Admins only: order, tracking, ledger and evidence gathered at escalation.' }),
    resolution: z.nullable(z.object({ outcome: enumOf<NonNullable<DomainDispute['resolution']>['outcome']>()(['REFUNDED', 'NO_REFUND', 'WITHDRAWN']), refundAmount: Money, refundId: z.nullable(z.string()), at: Timestamp })),
    deadlines: z.object(deadlines),
    timeline: z.optional(z.array(TimelineEntry)),
    openedAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: 'Dispute' },
);
export const DisputePage = page(Dispute, 'DisputePage');

export const Refund = described(
  z.object({
    refundId: z.string(),
    orderId: z.string(),
    disputeId: z.string(),
    amount: Money,
    status: enumOf<RefundStatus>()(['REQUESTED', 'PROCESSING', 'COMPLETED', 'FAILED']),
    requestedAt: Timestamp,
    expectedBy: Timestamp,
    history: z.array(z.object({ status: z.string(), at: Timestamp })),
  }),
  { id: 'Refund' },
);
