/**
 * Order use cases: read what a rule needs, let the domain decide, write the outcome in one transaction.
 * A write that loses a race (the order's version moved) is re-decided on fresh data, so the loser gets
 * the rule's own answer (e.g. ORDER_NOT_CONFIRMABLE) rather than a generic conflict.
 */
import { DomainError, notFound } from '../domain/errors.js';
import * as orders from '../domain/orders.js';
import type { Order, Transition, Viewer } from '../domain/orders.js';
import { snapshotOf } from '../domain/products.js';
import { reviewWindowEndsAt } from '../domain/reviews.js';
import { assertTakesOrders } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { businessEvent } from '../platform/business-events.js';
import { newId } from '../platform/ids.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { getProducts, listingUnchanged } from '../store/products.js';
import { getOrder, getOrderWith, listOrders, paymentUsedOnce, trackingEventPut, transitionWrites, type TrackingEventRecord } from '../store/orders.js';
import { countForSeller, getSellerProfile, sellerTakesOrders } from '../store/sellers.js';
import { cancelTimer, setTimer } from '../store/timers.js';
import { ConflictError, transact, type TransactItem } from '../store/transactions.js';

const MAX_ATTEMPTS = 3;

/** The order and which side of it the caller is on; not theirs is 404. The system may read any order. */
async function loadFor(orderId: string, principal: Principal): Promise<{ order: Order; as: Viewer['role'] }>;
async function loadFor(orderId: string, principal: Principal | 'system'): Promise<{ order: Order; as: Viewer['role'] | 'system' }>;
async function loadFor(orderId: string, principal: Principal | 'system'): Promise<{ order: Order; as: Viewer['role'] | 'system' }> {
  const order = await getOrder(orderId);
  const as = order && (principal === 'system' ? 'system' : orders.relationTo(order, principal));
  if (!order || !as) throw notFound('Order', orderId);
  return { order, as };
}

interface Decision {
  transition: Transition;
  alsoWrite?: TransactItem[];
}

/** Load → decide → write, retried on a lost race. Returns the order as the caller may see it. */
export async function changeOrder(orderId: string, principal: Principal | 'system', decide: (order: Order, as: Viewer['role'] | 'system', now: string) => Decision): Promise<Order> {
  for (let attempt = 1; ; attempt++) {
    const { order, as } = await loadFor(orderId, principal);
    const now = clock.nowIso();
    const { transition, alsoWrite = [] } = decide(order, as, now);
    try {
      await transact([...transitionWrites(order.version, transition), ...alsoWrite]);
      return transition.order;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) {
        if (error instanceof ConflictError) throw new DomainError('CONCURRENT_UPDATE', 'The order changed while we were updating it; retry.');
        throw error;
      }
    }
  }
}

function requireSide(as: Viewer['role'] | 'system', allowed: readonly Viewer['role'][], orderId: string): asserts as is Viewer['role'] {
  // Someone with a role the route allows, but not this side of this order, learns nothing: 404.
  if (as === 'system' || !allowed.includes(as)) throw notFound('Order', orderId);
}

/**
 * The return window starts when the goods arrive: at delivery, or at completion if no delivery was
 * recorded. Its timer is set the first time that start becomes known.
 */
function returnWindowTimer(before: Order, after: Order, now: string): TransactItem[] {
  const endsAt = orders.returnWindowEndsAt(after);
  if (!endsAt || orders.returnWindowEndsAt(before) !== null) return [];
  return [setTimer({ kind: 'RETURN_WINDOW', entityId: after.orderId, dueAt: endsAt }, now)];
}

export interface PlaceOrderRequest {
  items: { productId: string; quantity: number }[];
  shippingAddress: orders.Address;
  paymentReference: string;
}

export async function placeOrder(buyer: Principal, request: PlaceOrderRequest) {
  const products = await getProducts(request.items.map((item) => item.productId));
  const now = clock.nowIso();
  const transition = orders.placeOrder({
    orderId: newId('ord'),
    buyerId: buyer.userId,
    lines: request.items,
    listings: new Map(products.map((product) => [product.productId, snapshotOf(product)])),
    shippingAddress: request.shippingAddress,
    paymentReference: request.paymentReference,
    now,
  });
  const sellerId = transition.order.sellerId;
  // The seller is known only once the listings are read, so whether the store takes orders is checked
  // inside the write itself: two calls in all, and no window in which a freeze could be missed.
  const writes = [...transitionWrites(null, transition), ...products.map(listingUnchanged)];
  const sellerCheckAt = writes.length;
  const paymentAt = sellerCheckAt + 1;
  try {
    await transact([...writes, sellerTakesOrders(sellerId, now), paymentUsedOnce(request.paymentReference, transition.order.orderId), ...countForSeller(sellerId, now, { ordersPlaced: 1 })]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    if (error.reasons[sellerCheckAt] === 'ConditionalCheckFailed') assertTakesOrders(await getSellerProfile(sellerId), now);
    // One captured payment backs one order: escrow must never record a HOLD nobody paid.
    if (error.reasons[paymentAt] === 'ConditionalCheckFailed') throw new DomainError('PAYMENT_ALREADY_USED', 'This payment reference already paid for another order.');
    throw new DomainError('PRODUCT_NOT_AVAILABLE', 'A listing changed while the order was being placed; review the prices and retry.');
  }
  businessEvent('OrderPlaced', { orderId: transition.order.orderId, sellerId, total: transition.order.total });
  return orders.orderView(transition.order, 'buyer');
}

export async function viewOrder(principal: Principal, orderId: string) {
  const { order, as } = await loadFor(orderId, principal);
  return orders.orderView(order, as);
}

export async function cancelOrder(principal: Principal, orderId: string, reason: string) {
  let side: Viewer['role'] = 'buyer';
  const order = await changeOrder(orderId, principal, (current, as, now) => {
    requireSide(as, ['buyer', 'seller'], orderId);
    side = as;
    const party = as === 'seller' ? 'seller' : 'buyer';
    return {
      transition: orders.cancelOrder(current, party, reason, now),
      // A seller's cancellation counts against the store (DOMAIN.md "Orders").
      alsoWrite: party === 'seller' ? countForSeller(current.sellerId, now, { sellerCancellations: 1 }) : [],
    };
  });
  return orders.orderView(order, side);
}

export async function shipOrder(principal: Principal, orderId: string, shipment: { carrier: string; trackingNumber: string; estimatedDeliveryAt: string }) {
  const order = await changeOrder(orderId, principal, (current, as, now) => {
    requireSide(as, ['seller'], orderId);
    const transition = orders.shipOrder(current, shipment, now);
    const shipped = transition.order;
    return {
      transition,
      alsoWrite: [
        setTimer({ kind: 'AUTO_CONFIRM', entityId: orderId, dueAt: shipped.protectionEndsAt as string }, now),
        ...countForSeller(current.sellerId, now, { shipments: 1, lateShipments: shipped.shipment?.late ? 1 : 0 }),
      ],
    };
  });
  return orders.orderView(order, 'seller');
}

export async function addTrackingEvent(principal: Principal, orderId: string, event: { status: orders.TrackingStatus; location?: string | undefined; occurredAt: string }) {
  let record: TrackingEventRecord | undefined;
  await changeOrder(orderId, principal, (current, as, now) => {
    requireSide(as, ['seller', 'admin'], orderId);
    const transition = orders.recordTrackingEvent(current, event, now);
    record = { status: event.status, location: event.location ?? null, occurredAt: event.occurredAt, recordedAt: now, source: as === 'admin' ? 'admin' : 'seller' };
    return { transition, alsoWrite: [trackingEventPut(orderId, transition.order.version, record), ...returnWindowTimer(current, transition.order, now)] };
  });
  return record as TrackingEventRecord;
}

/** The order's tracking or ledger, checked against who is asking, in one Query. */
async function orderPart<P extends 'ledger' | 'tracking'>(principal: Principal, orderId: string, part: P) {
  const found = await getOrderWith(orderId, part);
  if (!found || !orders.relationTo(found.order, principal)) throw notFound('Order', orderId);
  return found;
}

export const trackingOf = async (principal: Principal, orderId: string) => ({ items: (await orderPart(principal, orderId, 'tracking')).tracking });
export const ledgerOf = async (principal: Principal, orderId: string) => ({ items: (await orderPart(principal, orderId, 'ledger')).ledger });

export async function confirmReceipt(principal: Principal | 'system', orderId: string) {
  const order = await changeOrder(orderId, principal, (current, as, now) => {
    if (principal !== 'system') requireSide(as, ['buyer'], orderId);
    const transition = orders.confirmReceipt(current, principal === 'system' ? 'system' : 'buyer', now);
    const reviewWindowEnd = reviewWindowEndsAt(transition.order) as string;
    return {
      transition,
      alsoWrite: [cancelTimer('AUTO_CONFIRM', orderId), setTimer({ kind: 'REVIEW_WINDOW', entityId: orderId, dueAt: reviewWindowEnd }, now), ...returnWindowTimer(current, transition.order, now)],
    };
  });
  businessEvent('ReceiptConfirmed', { orderId, by: order.completedBy, released: order.escrow.released });
  return orders.orderView(order, principal === 'system' ? 'admin' : 'buyer');
}

export async function extendProtection(principal: Principal, orderId: string) {
  const order = await changeOrder(orderId, principal, (current, as, now) => {
    requireSide(as, ['buyer'], orderId);
    const transition = orders.extendProtection(current, now);
    return { transition, alsoWrite: [setTimer({ kind: 'AUTO_CONFIRM', entityId: orderId, dueAt: transition.order.protectionEndsAt as string }, now)] };
  });
  return orders.orderView(order, 'buyer');
}

export async function listMyOrders(principal: Principal, query: { limit: number; cursor?: string | undefined; status?: orders.OrderStatus | undefined }) {
  const party = principal.roles.includes('seller') && !principal.roles.includes('buyer') ? 'seller' : 'buyer';
  const scope = `orders:${party}:${principal.userId}:${query.status ?? '*'}`;
  const { orders: page, lastKey } = await listOrders({ party, userId: principal.userId, status: query.status, limit: query.limit, startKey: decodeCursor(query.cursor, scope) });
  return { items: page.map((order) => orders.orderView(order, party)), nextCursor: encodeCursor(lastKey, scope) };
}
