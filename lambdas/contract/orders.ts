import * as z from 'zod/mini';
import { CHARGEBACK_STATUSES } from '../domain/chargebacks.js';
import type { LedgerType } from '../domain/money.js';
import type { Canceller, Order as DomainOrder, OrderStatus as OrderStatusValue, TrackingStatus as TrackingStatusValue } from '../domain/orders.js';
import { Address, ListQuery, Money, Timestamp, described, enumOf, idParam, page, text } from './shared.js';

export const OrderStatus = described(enumOf<OrderStatusValue>()(['AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'CLOSED']), { id: 'OrderStatus' });
export const TrackingStatus = described(enumOf<TrackingStatusValue>()(['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION']), { id: 'TrackingStatus' });

export const PlaceOrder = described(
  z.strictObject({
    items: z.array(z.strictObject({ productId: idParam('prd'), quantity: z.int().check(z.minimum(1), z.maximum(999)) })).check(z.minLength(1), z.maxLength(50)),
    shippingAddress: Address,
    paymentReference: described(text(1, 128), { description: "The payment provider's reference for the captured payment." }),
  }),
  { id: 'PlaceOrder' },
);

export const OrderPathParams = z.strictObject({ orderId: idParam('ord') });

export const CancelOrder = described(z.strictObject({ reason: text(1, 500) }), { id: 'CancelOrder' });

export const ShipOrder = described(
  z.strictObject({
    carrier: text(1, 64),
    trackingNumber: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9-]{4,64}$/, 'letters, digits and dashes, 4–64')),
    estimatedDeliveryAt: Timestamp,
  }),
  { id: 'ShipOrder' },
);

export const AddTrackingEvent = described(
  z.strictObject({
    status: TrackingStatus,
    location: z.optional(text(1, 200)),
    occurredAt: Timestamp,
  }),
  { id: 'AddTrackingEvent' },
);

export const Escrow = described(
  z.object({
    held: Money,
    released: described(Money, { description: 'Paid to the seller, less what was reversed.' }),
    refunded: described(Money, { description: 'Refunded to the buyer from escrow, before release.' }),
    reversed: described(Money, { description: 'Refunded to the buyer after release, taken back from the seller.' }),
  }),
  { id: 'Escrow' },
);

export const OrderLine = z.object({
  productId: z.string(),
  title: z.string(),
  unitPrice: Money,
  quantity: z.int(),
  lineTotal: Money,
});

export const Order = described(
  z.object({
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    status: OrderStatus,
    items: z.array(OrderLine),
    total: Money,
    shippingAddress: described(z.optional(Address), { description: 'Visible to the buyer, and to the seller while the order is open.' }),
    paymentReference: z.optional(z.string()),
    escrow: Escrow,
    shipment: z.nullable(z.object({ carrier: z.string(), trackingNumber: z.string(), estimatedDeliveryAt: Timestamp, shippedAt: Timestamp, late: z.boolean() })),
    handlingDeadline: Timestamp,
    shipBy: described(Timestamp, { description: 'Not shipped by then, the order is cancelled and refunded in full (handling time + 3 days).' }),
    protectionEndsAt: z.nullable(Timestamp),
    protectionExtended: z.boolean(),
    disputeStatus: z.nullable(z.string()),
    cancellation: z.nullable(
      z.object({
        by: enumOf<Canceller>()(['buyer', 'seller', 'system']),
        reason: z.string(),
        at: Timestamp,
        rule: described(z.optional(z.string()), { description: 'The rule an automatic cancellation applied, e.g. AUTO_CANCEL_NOT_SHIPPED.' }),
        refundId: described(z.optional(z.string()), { description: 'The tracked refund of the held money: GET /v1/refunds/{refundId}.' }),
      }),
    ),
    deliveredAt: described(z.nullable(Timestamp), { description: 'Proof of delivery: when the carrier (signed webhook) or an admin says the parcel was delivered.' }),
    deliveryClaimedAt: described(z.nullable(Timestamp), { description: "The seller's own DELIVERED event: a claim, shown but not proof; it changes no window." }),
    completedAt: z.nullable(Timestamp),
    completedBy: z.nullable(enumOf<NonNullable<DomainOrder['completedBy']>>()(['buyer', 'system'])),
    reviewableUntil: described(z.nullable(Timestamp), { description: 'Until when the buyer may review this order (30 days after completion).' }),
    chargeback: described(
      z.nullable(
        z.object({
          chargebackId: z.string(),
          status: z.enum(CHARGEBACK_STATUSES),
          amount: Money,
          openedAt: Timestamp,
          closedAt: z.nullable(Timestamp),
          refunded: described(Money, { description: 'Won by the buyer: what escrow recorded as refunded by it (never more than was still refundable).' }),
        }),
      ),
      { description: "The payment's chargeback, reported by the payment provider's signed webhook: while OPEN no refund is paid through a dispute." },
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: 'Order' },
);

export const OrderPage = page(Order, 'OrderPage');
export const ListOrdersQuery = z.extend(ListQuery, { status: z.optional(OrderStatus) });

export const TrackingEvent = described(
  z.object({ status: TrackingStatus, location: z.nullable(z.string()), occurredAt: Timestamp, recordedAt: Timestamp, source: z.enum(['seller', 'admin', 'carrier']), signedBy: z.optional(z.nullable(z.string())) }),
  { id: 'TrackingEvent' },
);
export const TrackingList = described(z.object({ items: z.array(TrackingEvent) }), { id: 'TrackingList' });

export const LedgerEntry = described(
  z.object({ seq: z.int(), type: enumOf<LedgerType>()(['HOLD', 'RELEASE', 'REFUND', 'REVERSAL']), amount: Money, at: Timestamp, reason: z.string() }),
  { id: 'LedgerEntry' },
);
export const Ledger = described(z.object({ items: z.array(LedgerEntry) }), { id: 'Ledger' });
