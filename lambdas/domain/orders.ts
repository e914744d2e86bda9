/**
 * The order state machine and its money (DOMAIN.md "Orders", "Money and escrow"). Pure: each transition
 * takes an order, an actor and the time, and returns the next order plus the ledger entries that must be
 * written with it in one transaction — or throws a DomainError saying why not.
 */
import { policy, signatureThreshold, DAY_MS } from '../platform/config.js';
import type { Chargeback } from './chargebacks.js';
import { DomainError } from './errors.js';
import { reviewableUntil } from './reviews.js';
import { addMs } from './time.js';
import { applyLedger, MAX_AMOUNT, money, multiply, sum, type EscrowBalance, type LedgerEntry, type LedgerType, type Money } from './money.js';

export const ORDER_STATUSES = ['AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'CLOSED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const TRACKING_STATUSES = ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];
export type Party = 'buyer' | 'seller';
/** Who cancelled: a party, or the platform (the auto-cancel of an order never shipped). */
export type Canceller = Party | 'system';

/** The rule an automatic cancellation cites: not shipped within handling time + 3 days (DOMAIN.md "Orders"). */
export const AUTO_CANCEL_RULE = 'AUTO_CANCEL_NOT_SHIPPED';

export interface Cancellation {
  by: Canceller;
  reason: string;
  at: string;
  /** The rule an automatic cancellation applied; absent when a party cancelled. */
  rule?: string | undefined;
  /** The tracked refund of the held money (GET /v1/refunds/{refundId}); absent on orders cancelled before refunds were tracked. */
  refundId?: string | undefined;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string | undefined;
  city: string;
  region?: string | undefined;
  postalCode: string;
  country: string;
  phone?: string | undefined;
}

export interface OrderLine {
  productId: string;
  title: string;
  unitPrice: Money;
  quantity: number;
  lineTotal: Money;
  /** The listing's guarantee when bought: later edits to the listing do not change a sale. */
  returnable: boolean;
  returnWindowDays: number;
}

export interface Shipment {
  carrier: string;
  trackingNumber: string;
  estimatedDeliveryAt: string;
  shippedAt: string;
  late: boolean;
}

export interface Order {
  orderId: string;
  buyerId: string;
  sellerId: string;
  status: OrderStatus;
  items: OrderLine[];
  total: Money;
  shippingAddress: Address;
  paymentReference: string;
  escrow: EscrowBalance;
  ledgerSeq: number;
  shipment: Shipment | null;
  handlingDeadline: string;
  protectionDays: number;
  protectionEndsAt: string | null;
  protectionExtended: boolean;
  disputeStatus: string | null;
  /** The dispute currently or last opened on this order. */
  disputeId?: string | null;
  /** Per line, what its disputes left behind: refunded amount, the decided dispute, withdrawals (domain/dispute-lines.ts). */
  disputeLines?: Record<string, { refunded: number; decidedBy: string | null; withdrawals: number }>;
  /** Set by the timers job when the return window has passed: no new RETURN_AND_REFUND dispute. */
  returnWindowClosed?: boolean;
  cancellation: Cancellation | null;
  /** Proof of delivery: when the carrier (or an admin) says the parcel was delivered. */
  deliveredAt: string | null;
  /** When that proof was recorded (deliveredAt is when the carrier says it happened). */
  deliveryRecordedAt?: string | null;
  /** The seller's own DELIVERED event: shown, but it moves nothing (DOMAIN.md "Proof of delivery"). */
  deliveryClaimedAt?: string | null;
  completedAt: string | null;
  completedBy: 'buyer' | 'system' | null;
  /** Set by the timers job when the 30-day review window has passed. */
  reviewWindowClosed?: boolean;
  /** The payment's chargeback, once the provider reported one (domain/chargebacks.ts). */
  chargeback?: Chargeback | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What the order needs to know about a listing at the moment of purchase. */
export interface ListingSnapshot {
  productId: string;
  sellerId: string;
  title: string;
  price: Money;
  status: string;
  handlingDays: number;
  guarantee: { returnable: boolean; returnWindowDays: number; protectionDays: number };
}

export interface Transition {
  order: Order;
  ledger: LedgerEntry[];
}

/** The furthest a carrier's delivery estimate may be (domestic and international alike). */
export const MAX_ESTIMATE_DAYS = 90;

const OPEN_STATUSES: readonly OrderStatus[] = ['AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED'];
export const isOpen = (order: Pick<Order, 'status'>): boolean => OPEN_STATUSES.includes(order.status);

function withLedger(order: Order, now: string, entries: { type: LedgerType; amount: number; reason: string }[]): Transition {
  const ledger = entries
    .filter((entry) => entry.amount > 0)
    .map((entry, index): LedgerEntry => ({ seq: order.ledgerSeq + index + 1, type: entry.type, amount: money(entry.amount, order.total.currency), at: now, reason: entry.reason }));
  return {
    order: { ...order, escrow: applyLedger(order.escrow, ledger), ledgerSeq: order.ledgerSeq + ledger.length, updatedAt: now, version: order.version + 1 },
    ledger,
  };
}

export interface PlaceOrderInput {
  orderId: string;
  buyerId: string;
  lines: { productId: string; quantity: number }[];
  listings: ReadonlyMap<string, ListingSnapshot>;
  shippingAddress: Address;
  paymentReference: string;
  now: string;
}

export function placeOrder(input: PlaceOrderInput): Transition {
  const seen = new Set<string>();
  input.lines.forEach((line, index) => {
    if (seen.has(line.productId)) {
      throw new DomainError('VALIDATION_FAILED', 'Each product may appear on one line only.', [{ path: `body.items.${index}.productId`, message: 'duplicate product' }]);
    }
    seen.add(line.productId);
  });
  const listings = input.lines.map((line) => {
    const listing = input.listings.get(line.productId);
    if (!listing || listing.status !== 'APPROVED') {
      throw new DomainError('PRODUCT_NOT_AVAILABLE', `Product ${line.productId} is not available for sale.`);
    }
    return listing;
  });
  const first = listings[0];
  if (!first) throw new DomainError('VALIDATION_FAILED', 'An order needs at least one line.', [{ path: 'body.items', message: 'at least one line' }]);
  if (listings.length > policy.maxOrderLines) throw new DomainError('VALIDATION_FAILED', `At most ${policy.maxOrderLines} lines.`);
  if (listings.some((listing) => listing.sellerId !== first.sellerId)) {
    throw new DomainError('MIXED_SELLERS', 'All lines of an order must come from one seller; place one order per seller.');
  }
  // Whatever role its token carries: a shop buying its own listing could publish a "verified" review of it.
  if (first.sellerId === input.buyerId) throw new DomainError('OWN_PRODUCT', 'You cannot buy from your own store.');
  const currency = first.price.currency;
  if (listings.some((listing) => listing.price.currency !== currency)) {
    throw new DomainError('MIXED_CURRENCIES', 'All lines of an order must be priced in one currency.');
  }
  const items = input.lines.map((line, index): OrderLine => {
    const listing = listings[index] as ListingSnapshot;
    return {
      productId: listing.productId,
      title: listing.title,
      unitPrice: listing.price,
      quantity: line.quantity,
      lineTotal: multiply(listing.price, line.quantity),
      returnable: listing.guarantee.returnable,
      returnWindowDays: listing.guarantee.returnWindowDays,
    };
  });
  const total = sum(
    items.map((item) => item.lineTotal),
    currency,
  );
  if (total.amount > MAX_AMOUNT) {
    throw new DomainError('VALIDATION_FAILED', `An order total may not exceed ${MAX_AMOUNT} minor units.`, [{ path: 'body.items', message: 'total too large' }]);
  }
  // The buyer gets the most generous terms of the lines they bought; the seller promised each of them.
  const handlingDays = Math.max(...listings.map((listing) => listing.handlingDays));
  const protectionDays = Math.max(...listings.map((listing) => listing.guarantee.protectionDays));
  const order: Order = {
    orderId: input.orderId,
    buyerId: input.buyerId,
    sellerId: first.sellerId,
    status: 'AWAITING_SHIPMENT',
    items,
    total,
    shippingAddress: input.shippingAddress,
    paymentReference: input.paymentReference,
    escrow: { held: 0, released: 0, refunded: 0 },
    ledgerSeq: 0,
    shipment: null,
    handlingDeadline: addMs(input.now, handlingDays * DAY_MS),
    protectionDays,
    protectionEndsAt: null,
    protectionExtended: false,
    disputeStatus: null,
    cancellation: null,
    deliveredAt: null,
    completedAt: null,
    completedBy: null,
    createdAt: input.now,
    updatedAt: input.now,
    version: 0,
  };
  // The reason is shown to the seller too: it must not carry the buyer's payment reference.
  return withLedger(order, input.now, [{ type: 'HOLD', amount: total.amount, reason: 'payment captured' }]);
}

/**
 * When an order still awaiting shipment is cancelled by the platform: its handling time plus 3 days
 * (DOMAIN.md "Orders": money is never held for a parcel that will not come).
 */
export const shipByOf = (order: Pick<Order, 'handlingDeadline'>): string => addMs(order.handlingDeadline, policy.autoCancelAfterHandlingMs);

/**
 * Cancels an order before it ships: everything held is refunded (`refundId` names the tracked refund
 * that pays it out). Every cancellation, a party's or the platform's, is this one transition.
 */
export function cancelOrder(order: Order, cancellation: Omit<Cancellation, 'at'>, now: string): Transition {
  if (order.status !== 'AWAITING_SHIPMENT') {
    throw new DomainError('ORDER_NOT_CANCELLABLE', `An order can be cancelled only before it ships; it is ${order.status}.`);
  }
  const cancelled: Order = { ...order, status: 'CANCELLED', cancellation: { ...cancellation, at: now } };
  const reason = cancellation.rule ? `cancelled by the platform (${cancellation.rule})` : `cancelled by ${cancellation.by}`;
  return withLedger(cancelled, now, [{ type: 'REFUND', amount: order.escrow.held, reason }]);
}

/** The platform cancels an order not shipped by its ship-by time, citing the rule. */
export function autoCancelOrder(order: Order, refundId: string | undefined, now: string): Transition {
  const shipBy = shipByOf(order);
  if (order.status === 'AWAITING_SHIPMENT' && now < shipBy) {
    throw new DomainError('ORDER_NOT_CANCELLABLE', `The order may still ship until ${shipBy}.`);
  }
  const reason = `Not shipped by ${shipBy} (handling time + ${policy.autoCancelAfterHandlingMs / DAY_MS} days): cancelled and refunded in full.`;
  return cancelOrder(order, { by: 'system', reason, rule: AUTO_CANCEL_RULE, ...(refundId && { refundId }) }, now);
}

export function shipOrder(order: Order, shipment: { carrier: string; trackingNumber: string; estimatedDeliveryAt: string }, now: string): Transition {
  if (order.status !== 'AWAITING_SHIPMENT') {
    throw new DomainError('ORDER_NOT_SHIPPABLE', `Only an order awaiting shipment can ship; it is ${order.status}.`);
  }
  if (new Date(shipment.estimatedDeliveryAt).getTime() <= new Date(now).getTime()) {
    throw new DomainError('ESTIMATE_IN_PAST', 'The estimated delivery must be after the shipment.', [{ path: 'body.estimatedDeliveryAt', message: 'must be in the future' }]);
  }
  // Buyer protection for parcels that never arrive keys on this estimate: it must be a real one.
  if (new Date(shipment.estimatedDeliveryAt).getTime() > new Date(now).getTime() + MAX_ESTIMATE_DAYS * DAY_MS) {
    throw new DomainError('ESTIMATE_TOO_FAR', `The estimated delivery must be within ${MAX_ESTIMATE_DAYS} days.`, [{ path: 'body.estimatedDeliveryAt', message: `within ${MAX_ESTIMATE_DAYS} days` }]);
  }
  const late = now > order.handlingDeadline;
  return withLedger(
    {
      ...order,
      status: 'SHIPPED',
      shipment: { ...shipment, shippedAt: now, late },
      protectionEndsAt: protectionEnd(now, order.protectionDays, shipment.estimatedDeliveryAt),
    },
    now,
    [],
  );
}

/**
 * The protection period starts at shipment and never ends before the parcel is due (DOMAIN.md "Orders"):
 * `max(shippedAt + protectionDays, estimatedDeliveryAt + 15 days)`. Its end auto-confirms receipt, so a
 * short period with a long estimate must not release the money before the buyer could have the goods.
 */
export function protectionEnd(shippedAt: string, protectionDays: number, estimatedDeliveryAt: string): string {
  const byPeriod = addMs(shippedAt, protectionDays * DAY_MS);
  const byPromise = addMs(estimatedDeliveryAt, policy.protectionAfterEstimateMs);
  return byPeriod > byPromise ? byPeriod : byPromise;
}

/** Carrier events may arrive late but never from the future (a few minutes of clock skew allowed). */
const MAX_EVENT_SKEW_MS = 5 * 60 * 1000;

/** Who says where the parcel is: only a carrier (signed webhook) or an admin gives proof. */
export type TrackingSource = 'seller' | 'admin' | 'carrier';

export interface TrackingEventInput {
  status: TrackingStatus;
  occurredAt: string;
  /** Who signed for the parcel, as the carrier reports it. */
  signedBy?: string | null | undefined;
}

/** What a DELIVERED event is worth: proof moves the order; a claim or an unsigned delivery is only shown. */
export type DeliveryWeight = 'PROOF' | 'CLAIM' | 'UNSIGNED' | null;

/**
 * A DELIVERED event is proof when an admin records it, or when the carrier does — with a signature above
 * the order's signature threshold (about $250). A seller's own DELIVERED is a claim.
 */
export function deliveryWeight(order: Pick<Order, 'total'>, event: TrackingEventInput, source: TrackingSource): DeliveryWeight {
  if (event.status !== 'DELIVERED') return null;
  if (source === 'seller') return 'CLAIM';
  if (source === 'carrier' && order.total.amount > signatureThreshold(order.total.currency) && !event.signedBy) return 'UNSIGNED';
  return 'PROOF';
}

export const hasProofOfDelivery = (order: Pick<Order, 'deliveredAt'>): boolean => order.deliveredAt !== null;

function assertEventTime(order: Order, event: TrackingEventInput, source: TrackingSource, now: string): void {
  const occurred = new Date(event.occurredAt).getTime();
  if (occurred > new Date(now).getTime() + MAX_EVENT_SKEW_MS) {
    throw new DomainError('VALIDATION_FAILED', 'A tracking event cannot happen in the future.', [{ path: 'body.occurredAt', message: 'in the future' }]);
  }
  // A carrier scans the parcel before the seller tells us it shipped; people cannot back-date that far.
  if (source !== 'carrier' && order.shipment && occurred < new Date(order.shipment.shippedAt).getTime() - MAX_EVENT_SKEW_MS) {
    throw new DomainError('VALIDATION_FAILED', 'A tracking event cannot happen before the shipment.', [{ path: 'body.occurredAt', message: 'before shipment' }]);
  }
}

/**
 * A tracking event from the seller or an admin (while SHIPPED) or from the carrier (any time after
 * shipment: a late proof still closes NOT_RECEIVED on an auto-confirmed order). Only proof moves the
 * order to DELIVERED; a seller's DELIVERED records `deliveryClaimedAt` and changes no window.
 */
export function recordTrackingEvent(order: Order, event: TrackingEventInput, now: string, source: TrackingSource): Transition {
  const shippedAndOpen = order.status === 'SHIPPED';
  const afterShipment = order.shipment !== null && order.status !== 'AWAITING_SHIPMENT' && order.status !== 'CANCELLED';
  if (!(source === 'carrier' ? afterShipment : shippedAndOpen)) {
    throw new DomainError('ORDER_NOT_IN_TRANSIT', `Tracking events are accepted while the order is SHIPPED; it is ${order.status}.`);
  }
  assertEventTime(order, event, source, now);
  const weight = deliveryWeight(order, event, source);
  if (weight === 'CLAIM') return withLedger({ ...order, deliveryClaimedAt: order.deliveryClaimedAt ?? event.occurredAt }, now, []);
  if (weight !== 'PROOF' || hasProofOfDelivery(order)) return withLedger(order, now, []);
  // When delivery was *shown* matters to buyer protection, not the (back-datable) time it happened.
  const proven = { ...order, deliveredAt: event.occurredAt, deliveryRecordedAt: now };
  return withLedger(shippedAndOpen ? { ...proven, status: 'DELIVERED' } : proven, now, []);
}

export const hasOpenDispute = (order: Pick<Order, 'disputeStatus'>): boolean => order.disputeStatus !== null && !['RESOLVED', 'CANCELLED'].includes(order.disputeStatus);

/** Confirm receipt (buyer) or auto-confirm at the end of protection (system): COMPLETED, RELEASE what is held. */
export function confirmReceipt(order: Order, by: 'buyer' | 'system', now: string): Transition {
  if (order.status !== 'SHIPPED' && order.status !== 'DELIVERED') {
    throw new DomainError('ORDER_NOT_CONFIRMABLE', `Receipt can be confirmed once the order has shipped and before it closes; it is ${order.status}.`);
  }
  if (hasOpenDispute(order)) {
    throw new DomainError('ORDER_DISPUTE_OPEN', 'Receipt cannot be confirmed while a dispute is open.');
  }
  if (by === 'system' && (order.protectionEndsAt === null || order.protectionEndsAt > now)) {
    throw new DomainError('ORDER_NOT_CONFIRMABLE', 'The protection period has not ended yet.');
  }
  const completed: Order = { ...order, status: 'COMPLETED', completedAt: now, completedBy: by };
  return withLedger(completed, now, [{ type: 'RELEASE', amount: order.escrow.held, reason: by === 'buyer' ? 'buyer confirmed receipt' : 'protection period ended' }]);
}

export function extendProtection(order: Order, now: string): Transition {
  if (order.status !== 'SHIPPED' || order.protectionEndsAt === null) {
    throw new DomainError('ORDER_NOT_IN_TRANSIT', `Protection can be extended while the order is SHIPPED; it is ${order.status}.`);
  }
  if (order.protectionExtended) throw new DomainError('PROTECTION_ALREADY_EXTENDED', 'Protection can be extended once per order.');
  if (order.protectionEndsAt <= now) throw new DomainError('PROTECTION_ENDED', 'The protection period has already ended.');
  return withLedger({ ...order, protectionExtended: true, protectionEndsAt: addMs(order.protectionEndsAt, policy.protectionExtensionMs) }, now, []);
}

/**
 * Where the buyer's payment is (API.md): still held, released to the seller, refunded from escrow, or
 * reversed (refunded after release, taken back from the seller). The four add up to the order total.
 */
function escrowView(order: Order) {
  const currency = order.total.currency;
  const reversed = order.escrow.reversed ?? 0;
  return {
    held: money(order.escrow.held, currency),
    released: money(order.escrow.released, currency),
    refunded: money(order.escrow.refunded - reversed, currency),
    reversed: money(reversed, currency),
  };
}

export type Viewer = { role: 'buyer' | 'seller' | 'admin'; userId: string };

/** Which side of the order the caller is on, or null: not theirs (answered as 404, never 403). */
export function relationTo(order: Pick<Order, 'buyerId' | 'sellerId'>, viewer: { userId: string; roles: readonly string[] }): Viewer['role'] | null {
  if (viewer.roles.includes('admin')) return 'admin';
  if (viewer.roles.includes('buyer') && order.buyerId === viewer.userId) return 'buyer';
  if (viewer.roles.includes('seller') && order.sellerId === viewer.userId) return 'seller';
  return null;
}

/** Whose lists ("my orders", "my disputes") a caller sees: an account that only sells, its shop's; any other, its purchases. */
export const listSide = (viewer: { roles: readonly string[] }): Party => (viewer.roles.includes('seller') && !viewer.roles.includes('buyer') ? 'seller' : 'buyer');

/**
 * The order as one side sees it. The seller sees the shipping address only while the order is open
 * (DOMAIN.md "Actors") and never the buyer's payment reference; money is shown in the order's currency.
 */
export function orderView(order: Order, as: Viewer['role']) {
  const showAddress = as !== 'seller' || isOpen(order);
  return {
    orderId: order.orderId,
    buyerId: order.buyerId,
    sellerId: order.sellerId,
    status: order.status,
    items: order.items.map(({ productId, title, unitPrice, quantity, lineTotal }) => ({ productId, title, unitPrice, quantity, lineTotal })),
    total: order.total,
    ...(showAddress && { shippingAddress: order.shippingAddress }),
    ...(as !== 'seller' && { paymentReference: order.paymentReference }),
    escrow: escrowView(order),
    shipment: order.shipment,
    handlingDeadline: order.handlingDeadline,
    shipBy: shipByOf(order),
    protectionEndsAt: order.protectionEndsAt,
    protectionExtended: order.protectionExtended,
    disputeStatus: order.disputeStatus,
    cancellation: order.cancellation,
    deliveredAt: order.deliveredAt,
    deliveryClaimedAt: order.deliveryClaimedAt ?? null,
    completedAt: order.completedAt,
    completedBy: order.completedBy,
    reviewableUntil: reviewableUntil(order),
    chargeback: order.chargeback
      ? {
          chargebackId: order.chargeback.chargebackId,
          status: order.chargeback.status,
          amount: money(order.chargeback.amount, order.total.currency),
          openedAt: order.chargeback.openedAt,
          closedAt: order.chargeback.closedAt,
          refunded: money(order.chargeback.refunded, order.total.currency),
        }
      : null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

// ---- Disputes move the order too (DOMAIN.md "Disputes, returns and refunds"). ----

/** What may still be refunded: everything not refunded yet, whether still held or already released. */
export const refundable = (order: Pick<Order, 'total' | 'escrow'>): number => order.total.amount - order.escrow.refunded;

/**
 * The end of the return window: `returnWindowDays` of the most generous returnable line after delivery
 * (or after completion, if delivery was never recorded). Null while the goods have not arrived.
 */
export function returnWindowEndsAt(order: Pick<Order, 'items' | 'deliveredAt' | 'completedAt'>): string | null {
  const days = Math.max(0, ...order.items.filter((item) => item.returnable).map((item) => item.returnWindowDays));
  const from = order.deliveredAt ?? order.completedAt;
  return from && days > 0 ? addMs(from, days * DAY_MS) : null;
}

/** A dispute opens or changes state: the order only mirrors its status (an open dispute blocks confirmation). */
export function markDispute(order: Order, disputeId: string, disputeStatus: string, now: string): Transition {
  return withLedger({ ...order, disputeId, disputeStatus }, now, []);
}

/**
 * A refund decided through a dispute. It comes out of what escrow still holds; beyond that (a refund
 * after completion) it first reverses part of the seller's release. Fully refunded orders close.
 */
export function refundThroughDispute(order: Order, amount: number, disputeStatus: string, reason: string, now: string): Transition {
  return refundFromEscrow({ ...order, disputeStatus }, amount, reason, now);
}

/**
 * A chargeback's change of the order (domain/chargebacks.ts): its new `chargeback` and, when the buyer's
 * bank won, the money it returned, recorded by the same escrow rule as a dispute refund (`amount` 0: the
 * chargeback's state alone).
 */
export function chargebackRefund(order: Order, amount: number, reason: string, now: string): Transition {
  return refundFromEscrow(order, amount, reason, now);
}

/**
 * The one way money goes back to the buyer after placement: out of what escrow still holds, and beyond
 * that (after completion) by first reversing part of the seller's release, so that
 * HOLD = RELEASE − REVERSAL + REFUND + held. Never more than is still refundable; fully refunded orders close.
 */
function refundFromEscrow(order: Order, amount: number, reason: string, now: string): Transition {
  if (amount > refundable(order)) throw new DomainError('REFUND_EXCEEDS_REFUNDABLE', `At most ${refundable(order)} can still be refunded on this order.`);
  const reversal = Math.max(0, amount - order.escrow.held);
  const next = withLedger(order, now, [
    { type: 'REVERSAL', amount: reversal, reason: `${reason}: taken back from the seller` },
    { type: 'REFUND', amount, reason },
  ]);
  const fullyRefunded = amount > 0 && next.order.escrow.refunded === order.total.amount;
  return fullyRefunded ? { ...next, order: { ...next.order, status: 'CLOSED' } } : next;
}
