import * as z from 'zod/mini';
import { RESTRICTIONS } from '../domain/penalties.js';
import { VERIFICATION_STATUSES } from '../domain/verification.js';
import { CountryCode, ListQuery, Timestamp, UserId, described, idParam, page, text } from './shared.js';

export const PutSellerProfile = described(z.strictObject({ storeName: text(2, 80), country: CountryCode }), { id: 'PutSellerProfile' });

export const SellerPathParams = z.strictObject({ sellerId: UserId });

export const SubmitVerification = described(
  z.strictObject({
    legalName: text(2, 200),
    documents: described(z.array(idParam('upl')).check(z.minLength(1), z.maxLength(5)), { description: 'kyc-document uploads (JPEG, PNG or PDF).' }),
  }),
  { id: 'SubmitVerification' },
);

export const VerificationDecision = described(
  z.strictObject({ decision: z.enum(['APPROVE', 'REJECT']), reasons: z.optional(z.array(text(1, 500)).check(z.maxLength(10))) }),
  { id: 'VerificationDecision' },
);

export const Verification = described(
  z.object({
    status: z.enum(['NOT_SUBMITTED', ...VERIFICATION_STATUSES]),
    legalName: z.optional(z.string()),
    reasons: z.array(z.string()),
    submittedAt: z.optional(Timestamp),
    decidedAt: z.optional(z.nullable(Timestamp)),
    /** The admin who decided. */
    decidedBy: z.optional(z.nullable(z.string())),
    documents: described(z.array(z.object({ uploadId: z.string(), contentType: z.string(), url: z.string(), expiresAt: Timestamp })), {
      description: 'Short-lived links to the private documents, for the seller and admins only.',
    }),
  }),
  { id: 'Verification' },
);

export const PendingVerification = described(z.extend(Verification, { sellerId: z.string() }), { id: 'PendingVerification' });
export const PendingVerificationPage = page(PendingVerification, 'PendingVerificationPage');
export const AdminSellersQuery = z.extend(ListQuery, { verification: z._default(z.enum(['PENDING']), 'PENDING') });

export const PenaltyInput = described(z.strictObject({ points: z.int().check(z.minimum(1), z.maximum(48)), reason: text(3, 500) }), { id: 'PenaltyInput' });

export const SellerPenalties = described(
  z.object({
    points: described(z.int(), { description: 'Points counting now (rolling 365 days).' }),
    entries: z.array(
      z.object({
        entryId: z.string(),
        points: z.int(),
        reason: z.string(),
        source: z.union([z.object({ kind: z.literal('ADMIN'), adminId: z.string() }), z.object({ kind: z.literal('LISTING_REJECTION'), productId: z.string() })]),
        createdAt: Timestamp,
        expiresAt: Timestamp,
      }),
    ),
    restrictions: z.array(z.object({ code: z.enum(RESTRICTIONS), until: z.nullable(Timestamp), means: z.string() })),
  }),
  { id: 'SellerPenalties' },
);

const percent = (description: string) => described(z.nullable(z.number()), { description: `${description}, in percent with one decimal; null when there is nothing to divide by.` });

const PositiveRate = described(
  z.object({ months: z.int(), positiveRate: percent('positive ÷ (positive + negative) feedback'), positive: z.int(), neutral: z.int(), negative: z.int(), count: z.int() }),
  { id: 'PositiveRate', description: 'Feedback over the last `months` calendar months (the current one included), one per order: the class of its lowest-rated published review.' },
);

const rating = z.nullable(z.number());

export const SellerReputation = described(
  z.object({
    feedback: PositiveRate,
    sellerRatings: described(z.object({ count: z.int(), itemAsDescribed: rating, communication: rating, shippingSpeed: rating }), {
      description: 'Means of the detailed seller ratings over the same 6 months (the first published review of each order).',
    }),
    responses: described(
      z.object({ conversations: z.int(), responseRate: percent('buyer-started conversations answered within 24 h'), medianFirstResponse: described(z.nullable(z.enum(['PT1H', 'PT4H', 'PT24H', 'P1D+'])), { description: 'The bucket (within 1 h, 4 h, 24 h, later) holding the median first response.' }) }),
      { description: 'This calendar month and the previous one (at least the last 30 days).' },
    ),
    disputes: z.object({ orders: z.int(), disputed: z.int(), disputeRate: percent('orders with a dispute ÷ orders, 6 months') }),
    shipping: z.object({ shipments: z.int(), onTime: z.int(), onTimeRate: percent('shipments within the handling days, 6 months') }),
    history: described(z.array(PositiveRate), { description: 'The positive rate and count over the last 1, 3, 6 and 12 months.' }),
  }),
  { id: 'SellerReputation' },
);

export const Badge = described(z.object({ code: z.enum(['TOP_RATED', 'FAST_SHIPPER', 'RESPONSIVE', 'VERIFIED']), reason: z.string() }), { id: 'Badge' });

export const PublicSellerProfile = described(
  z.object({
    sellerId: z.string(),
    storeName: z.string(),
    country: z.string(),
    memberSince: Timestamp,
    yearsActive: z.int(),
    badges: described(z.array(Badge), { description: 'TOP_RATED, FAST_SHIPPER and RESPONSIVE from the reputation, VERIFIED once the identity is verified; each with why.' }),
    reputation: SellerReputation,
  }),
  { id: 'PublicSellerProfile' },
);

export const OwnSellerProfile = described(
  z.extend(PublicSellerProfile, {
    updatedAt: Timestamp,
    stats: z.object({
      ordersPlaced: z.int(),
      shipments: z.int(),
      lateShipments: z.int(),
      sellerCancellations: z.int(),
    }),
    verification: Verification,
    penalties: SellerPenalties,
  }),
  { id: 'OwnSellerProfile' },
);
