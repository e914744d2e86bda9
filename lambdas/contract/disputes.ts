import * as z from 'zod/mini';
import type { Actor, DeadlineName, Dispute as DomainDispute, DisputeReason as DisputeReasonValue, DisputeStatus as DisputeStatusValue, ReturnShipment as DomainReturnShipment, Terms as DomainTerms } from '../domain/disputes.js';
import type { RefundStatus } from '../domain/refunds.js';
import { ListQuery, Money, Timestamp, described, enumOf, idParam, page, text } from './shared.js';

export const DisputeReason = described(enumOf<DisputeReasonValue>()(['NOT_RECEIVED', 'NOT_AS_DESCRIBED', 'DAMAGED', 'WRONG_ITEM', 'COUNTERFEIT', 'OTHER']), { id: 'DisputeReason' });
export const DisputeStatus = described(enumOf<DisputeStatusValue>()(['AWAITING_SELLER', 'COUNTER_OFFERED', 'AGREED', 'ESCALATED', 'RESOLVED', 'CANCELLED', 'APPEALED']), { id: 'DisputeStatus' });
const TermsType = enumOf<DomainTerms['type']>()(['REFUND', 'RETURN_AND_REFUND']);
export const Terms = described(z.strictObject({ type: TermsType, amount: Money }), { id: 'DisputeTerms' });
const Evidence = z.array(idParam('upl')).check(z.maxLength(9));
const Message = text(1, 2000);
const DisputeLines = z.array(z.strictObject({ productId: idParam('prd'), quantity: z.int().check(z.minimum(1), z.maximum(999)) })).check(z.minLength(1), z.maxLength(50));

export const OpenDispute = described(
  z.strictObject({
    reason: DisputeReason,
    lines: described(z.optional(DisputeLines), { description: 'The order lines disputed (default: the whole order); the refund is capped by their value less what was refunded on them.' }),
    request: Terms,
    description: text(10, 2000),
    evidence: z._default(Evidence, []),
  }),
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
export const Revise = described(z.strictObject({ request: Terms, message: Message }), { id: 'ReviseDispute' });
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
export const AdminDisputeDecision = described(
  z.strictObject({
    refundAmount: described(z.optional(Money), { description: 'ESCALATED: required, the refund decided. APPEALED: the new total refund (a buyer appeal can only raise it; default unchanged).' }),
    returnRequired: described(z.optional(z.boolean()), { description: 'ESCALATED: required.' }),
    compensation: described(z.optional(Money), { description: "APPEALED by the seller: paid by the platform to the seller, at most the refund." }),
    rationale: text(10, 2000),
  }),
  { id: 'AdminDisputeDecision' },
);
export const Appeal = described(z.strictObject({ statement: text(10, 2000), evidence: z.array(idParam('upl')).check(z.minLength(1), z.maxLength(9)) }), { id: 'AppealDispute' });
export const ListDisputesQuery = z.extend(ListQuery, {
  status: described(z.optional(z.enum(['ESCALATED', 'APPEALED'])), { description: 'Admins: the escalated (default) or appealed disputes waiting for a decision, the decision due first first.' }),
});

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
const deadlines: Record<DeadlineName, typeof deadline> = { sellerResponse: deadline, buyerResponse: deadline, autoEscalate: deadline, returnShipment: deadline, returnReceipt: deadline, returnDelivery: deadline, decision: deadline };

export const Dispute = described(
  z.object({
    disputeId: z.string(),
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    reason: DisputeReason,
    lines: described(z.array(z.object({ productId: z.string(), quantity: z.int() })), { description: 'The disputed lines; empty on disputes opened before lines: the whole order.' }),
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
    decisionDueBy: described(z.nullable(Timestamp), { description: 'While escalated or appealed: when the platform owes its decision (48 h).' }),
    appeal: z.nullable(
      z.object({
        by: enumOf<'buyer' | 'seller'>()(['buyer', 'seller']),
        statement: z.string(),
        evidence: z.array(MediaLink),
        at: Timestamp,
        decision: z.nullable(z.object({ refundAmount: Money, compensation: Money, rationale: z.string(), at: Timestamp })),
      }),
    ),
    appealableUntil: described(z.nullable(Timestamp), { description: 'After a decision of the platform: the end of the 30-day appeal window.' }),
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
    disputeId: described(z.nullable(z.string()), { description: 'Null for the refund of a cancelled order.' }),
    amount: Money,
    status: enumOf<RefundStatus>()(['REQUESTED', 'PROCESSING', 'COMPLETED', 'FAILED']),
    requestedAt: Timestamp,
    expectedBy: Timestamp,
    attempts: described(z.int(), { description: 'Attempts so far to have the payment provider pay it (a failed one is retried with backoff, 4 in all, then FAILED).' }),
    history: z.array(z.object({ status: z.string(), at: Timestamp })),
  }),
  { id: 'Refund' },
);
