/** Builds domain orders in any state, through the domain's own transitions (never hand-made JSON). */
import * as orders from '../../lambdas/domain/orders.js';
import type { ListingSnapshot, Order } from '../../lambdas/domain/orders.js';

export const T0 = '2026-01-10T12:00:00.000Z';
export const at = (days: number, from = T0): string => new Date(new Date(from).getTime() + days * 24 * 3600 * 1000).toISOString();

export const aListingSnapshot = (overrides: Partial<ListingSnapshot> = {}): ListingSnapshot => ({
  productId: 'prd_01ARZ3NDEKTSV4RRFFQ69G5FAV',
  sellerId: 'seller-1',
  title: 'Pour-over coffee dripper',
  price: { amount: 2450, currency: 'USD' },
  status: 'APPROVED',
  handlingDays: 7,
  guarantee: { returnable: true, returnWindowDays: 15, protectionDays: 60 },
  ...overrides,
});

/** The placing of an order of these listings by buyer-1 at T0: the order and its HOLD. */
export const placing = (listings: ListingSnapshot[] = [aListingSnapshot()], quantity = 2): orders.Transition =>
  orders.placeOrder({
    orderId: 'ord_01ARZ3NDEKTSV4RRFFQ69G5FAW',
    buyerId: 'buyer-1',
    lines: listings.map((listing) => ({ productId: listing.productId, quantity })),
    listings: new Map(listings.map((listing) => [listing.productId, listing])),
    shippingAddress: { name: 'Jordan', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    paymentReference: 'pay_1',
    now: T0,
  });

export class OrderBuilder {
  private order: Order;

  constructor(listings: ListingSnapshot[] = [aListingSnapshot()], quantity = 2) {
    this.order = placing(listings, quantity).order;
  }

  shipped(onDay = 1, estimatedDeliveryDays = 10): this {
    this.order = orders.shipOrder(this.order, { carrier: 'UPS', trackingNumber: '1Z999', estimatedDeliveryAt: at(onDay + estimatedDeliveryDays) }, at(onDay)).order;
    return this;
  }

  delivered(onDay = 5): this {
    this.order = orders.recordTrackingEvent(this.order, { status: 'DELIVERED', occurredAt: at(onDay) }, at(onDay), 'admin').order;
    return this;
  }

  completed(onDay = 6): this {
    this.order = orders.confirmReceipt(this.order, 'buyer', at(onDay)).order;
    return this;
  }

  cancelled(by: orders.Party = 'buyer'): this {
    this.order = orders.cancelOrder(this.order, { by, reason: 'changed my mind' }, at(0.5)).order;
    return this;
  }

  withDispute(status: string): this {
    this.order = { ...this.order, disputeStatus: status };
    return this;
  }

  build(): Order {
    return this.order;
  }
}

export const anOrder = (listings?: ListingSnapshot[], quantity?: number) => new OrderBuilder(listings, quantity);
