import * as z from 'zod';
import { Address, ListQuery, Money, Timestamp, idParam, page } from './shared.js';

export const OrderStatus = z.enum(['AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'CLOSED']).meta({ id: 'OrderStatus' });
export const TrackingStatus = z.enum(['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION']).meta({ id: 'TrackingStatus' });

export const PlaceOrder = z
  .strictObject({
    items: z
      .array(z.strictObject({ productId: idParam('prd'), quantity: z.int().min(1).max(999) }))
      .min(1)
      .max(50),
    shippingAddress: Address,
    paymentReference: z.string().trim().min(1).max(128).meta({ description: "The payment provider's reference for the captured payment." }),
  })
  .meta({ id: 'PlaceOrder' });

export const OrderPathParams = z.strictObject({ orderId: idParam('ord') });

export const CancelOrder = z.strictObject({ reason: z.string().trim().min(1).max(500) }).meta({ id: 'CancelOrder' });

export const ShipOrder = z
  .strictObject({
    carrier: z.string().trim().min(1).max(64),
    trackingNumber: z.string().trim().regex(/^[A-Za-z0-9-]{4,64}$/, 'letters, digits and dashes, 4–64'),
    estimatedDeliveryAt: Timestamp,
  })
  .meta({ id: 'ShipOrder' });

export const AddTrackingEvent = z
  .strictObject({
    status: TrackingStatus,
    location: z.string().trim().min(1).max(200).optional(),
    occurredAt: Timestamp,
  })
  .meta({ id: 'AddTrackingEvent' });

export const Escrow = z.object({ held: Money, released: Money, refunded: Money }).meta({ id: 'Escrow' });

export const OrderLine = z.object({
  productId: z.string(),
  title: z.string(),
  unitPrice: Money,
  quantity: z.int(),
  lineTotal: Money,
});

export const Order = z
  .object({
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    status: OrderStatus,
    items: z.array(OrderLine),
    total: Money,
    shippingAddress: Address.optional().meta({ description: "Visible to the buyer, and to the seller while the order is open." }),
    paymentReference: z.string().optional(),
    escrow: Escrow,
    shipment: z
      .object({ carrier: z.string(), trackingNumber: z.string(), estimatedDeliveryAt: Timestamp, shippedAt: Timestamp, late: z.boolean() })
      .nullable(),
    handlingDeadline: Timestamp,
    protectionEndsAt: Timestamp.nullable(),
    protectionExtended: z.boolean(),
    disputeStatus: z.string().nullable(),
    cancellation: z.object({ by: z.enum(['buyer', 'seller']), reason: z.string(), at: Timestamp }).nullable(),
    deliveredAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    completedBy: z.enum(['buyer', 'system']).nullable(),
    reviewableUntil: Timestamp.nullable().meta({ description: 'Until when the buyer may review this order (30 days after completion).' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Order' });

export const OrderPage = page(Order, 'OrderPage');
export const ListOrdersQuery = ListQuery.extend({ status: OrderStatus.optional() });

export const TrackingEvent = z
  .object({ status: TrackingStatus, location: z.string().nullable(), occurredAt: Timestamp, recordedAt: Timestamp, source: z.enum(['seller', 'admin', 'carrier']) })
  .meta({ id: 'TrackingEvent' });
export const TrackingList = z.object({ items: z.array(TrackingEvent) }).meta({ id: 'TrackingList' });

export const LedgerEntry = z
  .object({ seq: z.int(), type: z.enum(['HOLD', 'RELEASE', 'REFUND', 'REVERSAL']), amount: Money, at: Timestamp, reason: z.string() })
  .meta({ id: 'LedgerEntry' });
export const Ledger = z.object({ items: z.array(LedgerEntry) }).meta({ id: 'Ledger' });
