/**
 * Order use cases, each one command of the kernel (services/command.ts): read what a rule needs, let the
 * domain decide, write the outcome in one transaction. A write that loses a race (the order's version
 * moved) is decided again on fresh data, so the loser gets the rule's own answer (e.g.
 * ORDER_NOT_CONFIRMABLE) rather than a generic conflict.
 */
import { DomainError, notFound } from '../domain/errors.js';
import { orderNotifications } from '../domain/notification-texts.js';
import * as orders from '../domain/orders.js';
import type { Order, Transition, Viewer } from '../domain/orders.js';
import { snapshotOf } from '../domain/products.js';
import { reviewWindowEndsAt } from '../domain/reviews.js';
import { assertTakesOrders } from '../domain/sellers.js';
import type { Principal } from '../platform/auth.js';
import { businessEvent } from '../platform/business-events.js';
import { newId } from '../platform/ids.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { keyRecordWrites, replayFor, type IdempotentCreate, type StoredResponse } from '../store/idempotency.js';
import { listingUnchanged } from '../store/products.js';
import { getOrder, getOrderWith, listOrders, paymentUsedOnce, readForPlacing, trackingEventPut, transitionWrites, type TrackingEventRecord } from '../store/orders.js';
import { countForSeller, getSellerProfile, sellerTakesOrders } from '../store/sellers.js';
import { cancelTimer, setTimer } from '../store/timers.js';
import { carrierEventSeen, findShipments, normalizeTrackingNumber, trackingNumberClaim, type CarrierEventRecord } from '../store/tracking-numbers.js';
import type { Write } from '../store/transactions.js';
import type { ExpectedPayment, PaymentProvider } from '../payments/port.js';
import { paymentProvider } from '../payments/provider.js';
import { runCommand, type AfterCommit, type Command } from './command.js';
import { notify } from './notifications.js';
import { protectionReminderTimers } from './reminders.js';
import { trackedRefund } from './refunds.js';

/** The order and which side of it the caller is on; not theirs is 404. The system may read any order. */
async function loadFor(orderId: string, principal: Principal): Promise<{ order: Order; as: Viewer['role'] }>;
async function loadFor(orderId: string, principal: Principal | 'system'): Promise<{ order: Order; as: Viewer['role'] | 'system' }>;
async function loadFor(orderId: string, principal: Principal | 'system'): Promise<{ order: Order; as: Viewer['role'] | 'system' }> {
  const order = await getOrder(orderId);
  const as = order && (principal === 'system' ? 'system' : orders.relationTo(order, principal));
  if (!order || !as) throw notFound('Order', orderId);
  return { order, as };
}

interface OrderDecision<R> {
  transition: Transition;
  alsoWrite?: Write[];
  result: R;
  afterCommit?: AfterCommit[];
}

/**
 * A change of one order: its transition is written guarded by the version it was decided on, so a
 * lost race is decided again on fresh data and the loser gets the rule's own answer.
 */
function changeOrder<R>(
  orderId: string,
  principal: Principal | 'system',
  decide: (order: Order, as: Viewer['role'] | 'system', now: string) => OrderDecision<R>,
  guards: Pick<Command<{ order: Order; as: Viewer['role'] | 'system' }, R>, 'refusals' | 'alreadyDone'> = {},
): Promise<R> {
  return runCommand({
    subject: 'order',
    load: () => loadFor(orderId, principal),
    decide: ({ order, as }, now) => {
      const { transition, alsoWrite = [], result, afterCommit = [] } = decide(order, as, now);
      // Shipped, delivered, cancelled by the platform: whoever must know is told in this same transaction.
      const told = notify(orderNotifications(order, transition.order), now);
      // The buyer is reminded 3 days before protection ends: set at shipment, moved by an extension, gone with completion.
      const reminders = protectionReminderTimers(order, transition.order, now);
      return { writes: [...transitionWrites(order.version, transition), ...alsoWrite, ...told.writes, ...reminders], result, afterCommit: [...afterCommit, ...told.afterCommit] };
    },
    ...guards,
  });
}

function requireSide(as: Viewer['role'] | 'system', allowed: readonly Viewer['role'][], orderId: string): asserts as is Viewer['role'] {
  // Someone with a role the route allows, but not this side of this order, learns nothing: 404.
  if (as === 'system' || !allowed.includes(as)) throw notFound('Order', orderId);
}

/**
 * The return window starts when the goods arrive: at delivery, or at completion if no delivery was
 * recorded. Its timer is set the first time that start becomes known.
 */
function returnWindowTimer(before: Order, after: Order, now: string): Write[] {
  const endsAt = orders.returnWindowEndsAt(after);
  if (!endsAt || orders.returnWindowEndsAt(before) !== null) return [];
  return [setTimer({ kind: 'RETURN_WINDOW', entityId: after.orderId, dueAt: endsAt }, now)];
}

export interface PlaceOrderRequest {
  items: { productId: string; quantity: number }[];
  shippingAddress: orders.Address;
  paymentReference: string;
}

export type OrderView = ReturnType<typeof orders.orderView>;

/**
 * Refuses (402) an order whose payment the provider does not hold for this buyer, amount and currency;
 * otherwise answers what the order's transaction must carry for the provider (store/payments.ts).
 */
async function verifiedPayment(provider: PaymentProvider, reference: string, expected: ExpectedPayment, now: string): Promise<readonly Write[]> {
  const verification = await provider.verify(reference, expected, now);
  if (verification.outcome === 'declined') throw new DomainError('PAYMENT_DECLINED', 'The payment provider declined this payment.');
  if (verification.outcome === 'unknown') throw paymentNotVerified();
  return verification.writes;
}

const paymentNotVerified = () => new DomainError('PAYMENT_NOT_VERIFIED', "No payment of this order's total by you matches this payment reference.");

/**
 * Places an order: two calls, the listings (with the Idempotency-Key's record, if any) in one read and
 * everything written in one transaction — the key's record and the payment provider's binding included,
 * so no order commits without them (Stripe's verification adds its own API call, never a DynamoDB one).
 * A retry with the key gets the first response (`replay`) instead of a second order.
 */
type Placed = { order: OrderView; replay?: never } | { replay: StoredResponse };

export function placeOrder(buyer: Principal, request: PlaceOrderRequest, idempotency?: IdempotentCreate<OrderView>): Promise<Placed> {
  return runCommand<Awaited<ReturnType<typeof readForPlacing>>, Placed>({
    subject: 'order',
    load: () => readForPlacing(request.items.map((item) => item.productId), idempotency?.request),
    decide: async ({ products, record }, now) => {
      const replay = idempotency && replayFor(idempotency.request, record);
      if (replay) return { writes: [], result: { replay } };
      const transition = orders.placeOrder({
        orderId: newId('ord'),
        buyerId: buyer.userId,
        lines: request.items,
        listings: new Map(products.map((product) => [product.productId, snapshotOf(product)])),
        shippingAddress: request.shippingAddress,
        paymentReference: request.paymentReference,
        now,
      });
      const placed = transition.order;
      // Escrow holds only money the provider holds for this buyer: checked before anything is written, and
      // what the provider's records must hold for it (a simulated binding) is guarded in the same write.
      const provider = paymentProvider();
      const payment = await verifiedPayment(provider, request.paymentReference, { buyerId: buyer.userId, amount: placed.total }, now);
      const view = orders.orderView(placed, 'buyer');
      return {
        // The seller is known only once the listings are read, so whether the shop takes orders is checked
        // inside the write itself: no window in which a freeze could be missed.
        writes: [
          ...transitionWrites(null, transition),
          ...products.map(listingUnchanged),
          sellerTakesOrders(placed.sellerId, now),
          ...payment,
          paymentUsedOnce(provider.name, request.paymentReference, placed.orderId),
          ...countForSeller(placed.sellerId, now, { ordersPlaced: 1 }),
          // Not shipped by then, the platform cancels it: written with the order, so no order escapes it.
          setTimer({ kind: 'SHIP_BY', entityId: placed.orderId, dueAt: orders.shipByOf(placed) }, now),
          // A concurrent request with the same key loses here, and its retry finds this record.
          ...keyRecordWrites(idempotency, view),
        ],
        result: { order: view },
        afterCommit: [() => businessEvent('OrderPlaced', { orderId: placed.orderId, sellerId: placed.sellerId, total: placed.total })],
      };
    },
    refusals: {
      // The same request, sent again at once, committed first (its payment guard failed here too): the
      // next attempt reads its record and answers with its response.
      idempotencyKeyUnused: () => 'retry' as const,
      // Bound to another buyer or amount: the same answer as a made-up reference, so nothing says it exists.
      // Listed before the single-use guard, which such a reference (used by its owner) fails as well.
      paymentBound: paymentNotVerified(),
      sellerTakesOrders: async ({ products }, now) => {
        const sellerId = products[0]?.sellerId;
        assertTakesOrders(sellerId === undefined ? undefined : await getSellerProfile(sellerId), now);
        return 'retry' as const;
      },
      // One captured payment backs one order: escrow must never record a HOLD nobody paid.
      paymentUnused: new DomainError('PAYMENT_ALREADY_USED', 'This payment reference already paid for another order.'),
      // Not retried: the buyer ordered at the prices they saw, and must see the new ones first.
      listingUnchanged: new DomainError('PRODUCT_NOT_AVAILABLE', 'A listing changed while the order was being placed; review the prices and retry.'),
    },
  });
}

export async function viewOrder(principal: Principal, orderId: string) {
  const { order, as } = await loadFor(orderId, principal);
  return orders.orderView(order, as);
}

/**
 * What every cancellation writes, whoever cancels: the transition (its REFUND of everything held), the
 * tracked refund that pays it out, the ship-by timer retired, and a cancellation counted against the
 * shop unless the buyer cancelled (DOMAIN.md "Orders": the seller's and the platform's both count).
 */
function cancellation(current: Order, cancel: (refundId: string | undefined) => Transition, now: string): OrderDecision<Order> {
  const amount = current.escrow.held;
  const refundId = amount > 0 ? newId('rfd') : undefined;
  const transition = cancel(refundId);
  const cancelled = transition.order;
  const refund = refundId ? trackedRefund(current, { refundId, amount, disputeId: null }, now) : undefined;
  const counted = cancelled.cancellation?.by !== 'buyer';
  return {
    transition,
    alsoWrite: [...(refund?.writes ?? []), cancelTimer('SHIP_BY', current.orderId), ...(counted ? countForSeller(current.sellerId, now, { sellerCancellations: 1 }) : [])],
    result: cancelled,
    afterCommit: refund ? [() => businessEvent('RefundIssued', { orderId: current.orderId, refundId: refund.refund.refundId, amount, currency: current.total.currency }), ...refund.afterCommit] : [],
  };
}

export async function cancelOrder(principal: Principal, orderId: string, reason: string) {
  const { order, as } = await changeOrder(orderId, principal, (current, as, now) => {
    requireSide(as, ['buyer', 'seller'], orderId);
    const by: orders.Party = as === 'seller' ? 'seller' : 'buyer';
    const decision = cancellation(current, (refundId) => orders.cancelOrder(current, { by, reason, ...(refundId && { refundId }) }, now), now);
    return { ...decision, result: { order: decision.result, as: by } };
  });
  return orders.orderView(order, as);
}

/**
 * The ship-by timer: an order still awaiting shipment at placement + handling days + 3 days is cancelled
 * and refunded in full (DOMAIN.md "Orders"). An order that shipped or was cancelled meanwhile refuses
 * (ORDER_NOT_CANCELLABLE), which retires the timer; a cancellation racing this one is decided again on
 * the fresh order, so exactly one of them refunds.
 */
export async function autoCancelOrder(orderId: string): Promise<void> {
  await changeOrder(orderId, 'system', (current, _as, now) => {
    const decision = cancellation(current, (refundId) => orders.autoCancelOrder(current, refundId, now), now);
    const cancelled = decision.result;
    return {
      ...decision,
      afterCommit: [...(decision.afterCommit ?? []), () => businessEvent('OrderAutoCancelled', { orderId, sellerId: cancelled.sellerId, refunded: current.escrow.held, rule: orders.AUTO_CANCEL_RULE })],
    };
  });
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
        cancelTimer('SHIP_BY', orderId),
        ...countForSeller(current.sellerId, now, { shipments: 1, lateShipments: shipped.shipment?.late ? 1 : 0 }),
        // The carrier webhook finds the order by this number; one parcel cannot stand for two shipments.
        trackingNumberClaim({ trackingNumber: shipment.trackingNumber, shipment: 'ORDER', orderId, disputeId: null }),
      ],
      result: shipped,
    };
  }, { refusals: { trackingNumberUnused: trackingNumberRefusal(shipment.trackingNumber, orderId) } });
  return orders.orderView(order, 'seller');
}

/**
 * A tracking number taken by another shipment is refused; taken by this very one, a concurrent request
 * shipped it first, and deciding again gives the rule's own answer (ORDER_NOT_SHIPPABLE).
 */
export const trackingNumberRefusal = (trackingNumber: string, ownerId: string) => async (): Promise<DomainError | 'retry'> => {
  const owner = (await findShipments([trackingNumber])).get(normalizeTrackingNumber(trackingNumber));
  if (owner && (owner.disputeId ?? owner.orderId) === ownerId) return 'retry';
  return new DomainError('TRACKING_NUMBER_IN_USE', 'This tracking number is already used by another shipment.', [{ path: 'body.trackingNumber', message: 'already in use' }]);
};

/**
 * A carrier's tracking event for an order's outbound shipment (the signed webhook): recorded with the
 * event's dedupe record in one transaction. 'duplicate' when the event was applied before.
 */
export function recordCarrierEvent(orderId: string, event: orders.TrackingEventInput & { location: string | null }, seen: CarrierEventRecord): Promise<'applied' | 'duplicate'> {
  return changeOrder(
    orderId,
    'system',
    (current, _as, now): OrderDecision<'applied' | 'duplicate'> => {
      const transition = orders.recordTrackingEvent(current, event, now, 'carrier');
      const record: TrackingEventRecord = { status: event.status, location: event.location, occurredAt: event.occurredAt, recordedAt: now, source: 'carrier', signedBy: event.signedBy ?? null };
      return {
        transition,
        alsoWrite: [trackingEventPut(orderId, transition.order.version, record), carrierEventSeen(seen), ...returnWindowTimer(current, transition.order, now)],
        result: 'applied',
      };
    },
    { alreadyDone: { guards: ['carrierEventUnseen'], result: 'duplicate' } },
  );
}

export function addTrackingEvent(principal: Principal, orderId: string, event: { status: orders.TrackingStatus; location?: string | undefined; occurredAt: string }) {
  return changeOrder(orderId, principal, (current, as, now): OrderDecision<TrackingEventRecord> => {
    requireSide(as, ['seller', 'admin'], orderId);
    // A seller's DELIVERED is a claim; an admin's is proof (domain/orders.ts deliveryWeight).
    const source = as === 'admin' ? 'admin' : 'seller';
    const transition = orders.recordTrackingEvent(current, event, now, source);
    const record: TrackingEventRecord = { status: event.status, location: event.location ?? null, occurredAt: event.occurredAt, recordedAt: now, source };
    return { transition, alsoWrite: [trackingEventPut(orderId, transition.order.version, record), ...returnWindowTimer(current, transition.order, now)], result: record };
  });
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
    const completed = transition.order;
    const reviewWindowEnd = reviewWindowEndsAt(completed) as string;
    return {
      transition,
      alsoWrite: [cancelTimer('AUTO_CONFIRM', orderId), setTimer({ kind: 'REVIEW_WINDOW', entityId: orderId, dueAt: reviewWindowEnd }, now), ...returnWindowTimer(current, completed, now)],
      result: completed,
      afterCommit: [() => businessEvent('ReceiptConfirmed', { orderId, by: completed.completedBy, released: completed.escrow.released })],
    };
  });
  return orders.orderView(order, principal === 'system' ? 'admin' : 'buyer');
}

export async function extendProtection(principal: Principal, orderId: string) {
  const order = await changeOrder(orderId, principal, (current, as, now) => {
    requireSide(as, ['buyer'], orderId);
    const transition = orders.extendProtection(current, now);
    return { transition, alsoWrite: [setTimer({ kind: 'AUTO_CONFIRM', entityId: orderId, dueAt: transition.order.protectionEndsAt as string }, now)], result: transition.order };
  });
  return orders.orderView(order, 'buyer');
}

export async function listMyOrders(principal: Principal, query: { limit: number; cursor?: string | undefined; status?: orders.OrderStatus | undefined }) {
  const party = orders.listSide(principal);
  const scope = `orders:${party}:${principal.userId}:${query.status ?? '*'}`;
  const { orders: page, lastKey } = await listOrders({ party, userId: principal.userId, status: query.status, limit: query.limit, startKey: decodeCursor(query.cursor, scope) });
  return { items: page.map((order) => orders.orderView(order, party)), nextCursor: encodeCursor(lastKey, scope) };
}
